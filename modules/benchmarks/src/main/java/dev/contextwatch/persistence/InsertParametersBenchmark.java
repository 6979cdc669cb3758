package dev.contextwatch.persistence;

import dev.contextwatch.bench.ClaudeCodeTelemetry;
import dev.contextwatch.core.model.EventRecord;
import dev.contextwatch.core.model.MetricPoint;
import dev.contextwatch.core.model.RecordBatch;
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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The group-commit writer's own CPU per flush: the parameters of the events and metric_points
 * inserts ({@code BulkInsert.tuple}) for one flush of 5,000 records, 50 decoded requests of 100
 * records (one session each, as an exporter sends them; 60 % events, 40 % points), so every
 * request's records share their origins as the receiver's decoder makes them. One operation is
 * one record: the score is records/s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Threads(1)
public class InsertParametersBenchmark {
  static final int REQUESTS = 50;
  static final int REQUEST_RECORDS = 100;
  static final int FLUSH_RECORDS = REQUESTS * REQUEST_RECORDS;

  private List<EventRecord> events;
  private List<MetricPoint> points;

  @Setup
  public void setUp() {
    List<RecordBatch> requests = ClaudeCodeTelemetry.workload(REQUESTS, REQUESTS, REQUEST_RECORDS, 1);
    events = new ArrayList<>();
    points = new ArrayList<>();
    requests.forEach(request -> {
      events.addAll(request.events());
      points.addAll(request.points());
    });
    if (events.size() + points.size() != FLUSH_RECORDS) {
      throw new IllegalStateException("expected " + FLUSH_RECORDS + " records, got " + (events.size() + points.size()));
    }
  }

  @Benchmark
  @OperationsPerInvocation(FLUSH_RECORDS)
  public void flushParameters(Blackhole blackhole) {
    blackhole.consume(RecordTables.EVENTS.tuple(events));
    blackhole.consume(RecordTables.METRIC_POINTS.tuple(points));
  }
}
