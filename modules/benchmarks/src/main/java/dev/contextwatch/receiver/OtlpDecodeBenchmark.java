package dev.contextwatch.receiver;

import com.google.protobuf.util.JsonFormat;
import dev.contextwatch.bench.ClaudeCodeTelemetry;
import dev.contextwatch.core.config.ConfigLoader;
import dev.contextwatch.core.model.RecordBatch;
import dev.contextwatch.testkit.Fixtures;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.vertx.core.buffer.Buffer;
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
 * OTLP request body to records, as the receiver does it: {@code OtlpSignal.X.decode(DECODER, Buffer,
 * OtlpEncoding)} (parse, then one record per log record / data point with attributes as JSON,
 * typed fields and the SHA-256 dedup key). One operation is one record (each benchmark declares the
 * records in its request with {@code @OperationsPerInvocation}), so the score is records/s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Threads(1)
public class OtlpDecodeBenchmark {
  /** The receiver's decoder with the default configuration (content redacted, default limits). */
  private static final OtlpDecoder DECODER = new OtlpDecoder(ConfigLoader.defaults().receiver());

  private static final String FOLDERS = "claude-code-2.1.197";

  /** Records in each request; checked against the decoder in {@link #setUp}. */
  static final int LOGS_PROTOBUF_RECORDS = 27;   // tool-loop-delta-protobuf/0013_v1_logs.bin, 18,271 bytes
  static final int METRICS_PROTOBUF_RECORDS = 7; // tool-loop-delta-protobuf/0014_v1_metrics.bin, 2,939 bytes
  static final int LOGS_JSON_RECORDS = 15;       // tool-loop-delta-json/0011_v1_logs.bin, 15,810 bytes
  static final int METRICS_JSON_RECORDS = 7;     // tool-loop-delta-json/0012_v1_metrics.bin, 4,751 bytes
  static final int ALL_FIXTURE_RECORDS = 134;    // all 12 recorded requests of the 4 runs
  static final int SYNTHETIC_RECORDS = 500;      // one request, 500 api_request events of one session

  private Buffer logsProtobuf;
  private Buffer metricsProtobuf;
  private Buffer logsJson;
  private Buffer metricsJson;
  private List<Buffer> allBodies;
  private List<OtlpSignal> allSignals;
  private List<OtlpEncoding> allEncodings;
  private Buffer syntheticProtobuf;
  private Buffer syntheticJson;

  @Setup
  public void setUp() throws Exception {
    logsProtobuf = body("tool-loop-delta-protobuf", "0013_v1_logs.bin");
    metricsProtobuf = body("tool-loop-delta-protobuf", "0014_v1_metrics.bin");
    logsJson = body("tool-loop-delta-json", "0011_v1_logs.bin");
    metricsJson = body("tool-loop-delta-json", "0012_v1_metrics.bin");
    allBodies = new ArrayList<>();
    allSignals = new ArrayList<>();
    allEncodings = new ArrayList<>();
    for (Fixtures.Folder folder : Fixtures.folders()) {
      for (Fixtures.Request request : folder.requests()) {
        allBodies.add(request.body());
        allSignals.add(signal(request.path()));
        allEncodings.add(OtlpEncoding.of(request.contentType()));
      }
    }
    ExportLogsServiceRequest synthetic = ClaudeCodeTelemetry.apiRequests(SYNTHETIC_RECORDS);
    syntheticProtobuf = Buffer.buffer(synthetic.toByteArray());
    // compact, as exporters send it (the CLI's recorded JSON bodies have no insignificant whitespace)
    syntheticJson = Buffer.buffer(JsonFormat.printer().omittingInsignificantWhitespace().print(synthetic));

    check("logs protobuf", OtlpSignal.LOGS.decode(DECODER, logsProtobuf, OtlpEncoding.PROTOBUF).size(), LOGS_PROTOBUF_RECORDS);
    check("metrics protobuf", OtlpSignal.METRICS.decode(DECODER, metricsProtobuf, OtlpEncoding.PROTOBUF).size(), METRICS_PROTOBUF_RECORDS);
    check("logs json", OtlpSignal.LOGS.decode(DECODER, logsJson, OtlpEncoding.JSON).size(), LOGS_JSON_RECORDS);
    check("metrics json", OtlpSignal.METRICS.decode(DECODER, metricsJson, OtlpEncoding.JSON).size(), METRICS_JSON_RECORDS);
    int all = 0;
    for (int i = 0; i < allBodies.size(); i++) {
      all += allSignals.get(i).decode(DECODER, allBodies.get(i), allEncodings.get(i)).size();
    }
    check("all fixtures", all, ALL_FIXTURE_RECORDS);
    RecordBatch fromProtobuf = OtlpSignal.LOGS.decode(DECODER, syntheticProtobuf, OtlpEncoding.PROTOBUF);
    RecordBatch fromJson = OtlpSignal.LOGS.decode(DECODER, syntheticJson, OtlpEncoding.JSON);
    check("synthetic protobuf", fromProtobuf.size(), SYNTHETIC_RECORDS);
    check("synthetic json", fromJson.size(), SYNTHETIC_RECORDS);
    if (!fromProtobuf.events().get(499).dedupKey().equals(fromJson.events().get(499).dedupKey())) {
      throw new IllegalStateException("protobuf and JSON bodies of the synthetic request decode differently");
    }
  }

  @Benchmark
  @OperationsPerInvocation(LOGS_PROTOBUF_RECORDS)
  public RecordBatch fixtureLogsProtobuf() {
    return OtlpSignal.LOGS.decode(DECODER, logsProtobuf, OtlpEncoding.PROTOBUF);
  }

  @Benchmark
  @OperationsPerInvocation(METRICS_PROTOBUF_RECORDS)
  public RecordBatch fixtureMetricsProtobuf() {
    return OtlpSignal.METRICS.decode(DECODER, metricsProtobuf, OtlpEncoding.PROTOBUF);
  }

  @Benchmark
  @OperationsPerInvocation(LOGS_JSON_RECORDS)
  public RecordBatch fixtureLogsJson() {
    return OtlpSignal.LOGS.decode(DECODER, logsJson, OtlpEncoding.JSON);
  }

  @Benchmark
  @OperationsPerInvocation(METRICS_JSON_RECORDS)
  public RecordBatch fixtureMetricsJson() {
    return OtlpSignal.METRICS.decode(DECODER, metricsJson, OtlpEncoding.JSON);
  }

  /** The 12 recorded requests in manifest order (10 protobuf, 2 JSON; 88 events and 46 points). */
  @Benchmark
  @OperationsPerInvocation(ALL_FIXTURE_RECORDS)
  public void fixtureAllRequests(Blackhole bh) {
    for (int i = 0; i < allBodies.size(); i++) {
      bh.consume(allSignals.get(i).decode(DECODER, allBodies.get(i), allEncodings.get(i)));
    }
  }

  @Benchmark
  @OperationsPerInvocation(SYNTHETIC_RECORDS)
  public RecordBatch synthetic500ApiRequestsProtobuf() {
    return OtlpSignal.LOGS.decode(DECODER, syntheticProtobuf, OtlpEncoding.PROTOBUF);
  }

  @Benchmark
  @OperationsPerInvocation(SYNTHETIC_RECORDS)
  public RecordBatch synthetic500ApiRequestsJson() {
    return OtlpSignal.LOGS.decode(DECODER, syntheticJson, OtlpEncoding.JSON);
  }

  private static Buffer body(String folder, String file) {
    return Fixtures.folder(folder).requests().stream().filter(r -> r.file().equals(file)).findFirst()
        .orElseThrow(() -> new IllegalStateException("no fixture " + FOLDERS + "/" + folder + "/" + file))
        .body();
  }

  private static OtlpSignal signal(String path) {
    for (OtlpSignal signal : OtlpSignal.values()) {
      if (signal.path.equals(path)) {
        return signal;
      }
    }
    throw new IllegalStateException("no OTLP signal for " + path);
  }

  private static void check(String what, int decoded, int declared) {
    if (decoded != declared) {
      throw new IllegalStateException(what + ": the request decodes to " + decoded + " records but the benchmark declares "
          + declared + " (@OperationsPerInvocation)");
    }
  }
}
