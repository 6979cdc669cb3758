package dev.contextwatch.persistence;

import dev.contextwatch.bench.ClaudeCodeTelemetry;
import dev.contextwatch.core.model.EventRecord;
import dev.contextwatch.core.model.MetricPoint;
import dev.contextwatch.core.model.RecordBatch;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.pgclient.impl.codec.DataType;
import io.vertx.pgclient.impl.codec.DataTypeCodec;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * The group-commit writer's own CPU per flush: the parameters of the events and metric_points
 * inserts ({@code BulkInsert.tuple}) for one flush of 5,000 records, 50 decoded requests of 100
 * records (one session each, as an exporter sends them; 60 % events, 40 % points), so every
 * request's records share their origins as the receiver's decoder makes them. One operation is
 * one record: the score is records/s. {@code form} chooses the statement's parameters: {@code once}
 * (the writer's: a shared resource sent once per statement, each row an index) or {@code per-row}
 * (the resource text in every row's slot, as before). {@code flushEncoded} adds what the pg client
 * does next with them, each array encoded into the bytes of its Bind message.
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

  @Param({"per-row", "once"})
  public String form;

  private List<EventRecord> events;
  private List<MetricPoint> points;
  private BulkInsert<EventRecord> eventsInsert;
  private BulkInsert<MetricPoint> pointsInsert;
  private final ByteBuf bind = Unpooled.buffer(8 << 20);

  @Setup
  public void setUp() {
    List<RecordBatch> requests = ClaudeCodeTelemetry.workload(REQUESTS, REQUESTS, REQUEST_RECORDS, 1);
    events = new ArrayList<>();
    points = new ArrayList<>();
    requests.forEach(request -> {
      events.addAll(request.events());
      points.addAll(request.points());
    });
    boolean perRow = form.equals("per-row");
    eventsInsert = perRow ? RecordTables.EVENTS.perRow() : RecordTables.EVENTS;
    pointsInsert = perRow ? RecordTables.METRIC_POINTS.perRow() : RecordTables.METRIC_POINTS;
    if (events.size() + points.size() != FLUSH_RECORDS) {
      throw new IllegalStateException("expected " + FLUSH_RECORDS + " records, got " + (events.size() + points.size()));
    }
  }

  @Benchmark
  @OperationsPerInvocation(FLUSH_RECORDS)
  public void flushParameters(Blackhole blackhole) {
    blackhole.consume(eventsInsert.tuple(events));
    blackhole.consume(pointsInsert.tuple(points));
  }

  @Benchmark
  @OperationsPerInvocation(FLUSH_RECORDS)
  public void flushEncoded(Blackhole blackhole) {
    bind.clear();
    encode(eventsInsert.tuple(events));
    encode(pointsInsert.tuple(points));
    blackhole.consume(bind.writerIndex());
  }

  /** Each parameter in the pg client's binary form, as its Bind message carries it. */
  private void encode(Tuple tuple) {
    for (int i = 0; i < tuple.size(); i++) {
      Object array = tuple.getValue(i);
      DataTypeCodec.encodeBinary(ARRAY_TYPES.get(array.getClass().getComponentType()), array, bind);
    }
  }

  private static final Map<Class<?>, DataType> ARRAY_TYPES = Map.of(String.class, DataType.TEXT_ARRAY,
      Long.class, DataType.INT8_ARRAY, Integer.class, DataType.INT4_ARRAY, Double.class, DataType.FLOAT8_ARRAY,
      Boolean.class, DataType.BOOL_ARRAY, OffsetDateTime.class, DataType.TIMESTAMPTZ_ARRAY);
}
