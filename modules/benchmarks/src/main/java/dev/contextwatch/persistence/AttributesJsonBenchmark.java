package dev.contextwatch.persistence;

import dev.contextwatch.bench.ClaudeCodeTelemetry;
import dev.contextwatch.core.json.JsonText;
import dev.contextwatch.core.model.RecordBatch;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The JSON text of every record's own JSON columns (an event's attributes; a point's attributes
 * and data) for 5,000 decoded records of the {@link ClaudeCodeTelemetry} workload (60 % events,
 * 40 % points), written by {@code JsonObject.encode()} (Jackson databind, the writer before) or by
 * {@link JsonText}. One operation is one record: the score is ns per record.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Threads(1)
public class AttributesJsonBenchmark {
  static final int REQUESTS = 50;
  static final int REQUEST_RECORDS = 100;
  static final int RECORDS = REQUESTS * REQUEST_RECORDS;

  @Param({"encode", "jsonText"})
  public String writer;

  /** Each record's JSON values, one array per record. */
  private List<JsonObject[]> records;

  @Setup
  public void setUp() {
    records = new ArrayList<>(RECORDS);
    for (RecordBatch request : ClaudeCodeTelemetry.workload(REQUESTS, REQUESTS, REQUEST_RECORDS, 1)) {
      request.events().forEach(e -> records.add(new JsonObject[] {e.attributes()}));
      request.points().forEach(p -> records.add(new JsonObject[] {p.attributes(), p.data()}));
    }
    if (records.size() != RECORDS) {
      throw new IllegalStateException("expected " + RECORDS + " records, got " + records.size());
    }
  }

  @Benchmark
  @OperationsPerInvocation(RECORDS)
  public void recordsJson(Blackhole blackhole) {
    boolean direct = writer.equals("jsonText");
    for (JsonObject[] record : records) {
      for (JsonObject json : record) {
        if (json != null) {
          blackhole.consume(direct ? JsonText.encode(json) : json.encode());
        }
      }
    }
  }
}
