package dev.contextwatch.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.contextwatch.core.config.ReceiverConfig;
import dev.contextwatch.core.model.RecordBatch;
import dev.contextwatch.testkit.Fixtures;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogram;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Histogram;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.metrics.v1.Summary;
import io.opentelemetry.proto.metrics.v1.SummaryDataPoint;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The dedup key and the stored form (attributes in their key order, the attributes as sent,
 * resource, body, every typed field) of every record the receiver makes from every recorded
 * request and from synthetic requests that reach each corner of the rules (limits, content,
 * arrays, key-value lists, bytes, odd doubles, empty strings, unicode, repeated keys, refusals),
 * compared with what the decoder made when the expected file was written. Stored rows hold those
 * keys: a client's retry across an upgrade is recognised as a duplicate only while the key is
 * byte for byte the same. To write the file again (only on purpose: it is the contract), run this
 * test with {@code -Dcontextwatch.storedForm.write=<path of the resource>}.
 */
class StoredFormTest {
  private static final String EXPECTED = "/dev/contextwatch/receiver/stored-form.txt";
  private static final long T0 = 1_795_411_735_000_000_000L;
  private static final Instant ARRIVAL = Instant.parse("2026-11-30T08:00:00Z");
  private static final Map<String, ReceiverConfig> CONFIGS = Map.of(
      "defaults", TestConfig.receiver(),
      "tight", TestConfig.receiver("storeContent", "true", "maxAttributesPerRecord", "3", "maxAttributeValueChars", "16"));

  @Test
  @DisplayName("every record of every recorded and synthetic request keeps the dedup key and stored form it always had")
  void storedFormUnchanged() throws IOException {
    List<String> lines = new ArrayList<>();
    for (String config : List.of("defaults", "tight")) {
      OtlpDecoder decoder = new OtlpDecoder(CONFIGS.get(config));
      ClientJsonDecoder clientJson = new ClientJsonDecoder(CONFIGS.get(config));
      for (String client : List.of(Fixtures.CLIENT_2_1_197, Fixtures.CLIENT_2_1_332)) {
        for (Fixtures.Folder folder : Fixtures.folders(client)) {
          for (Fixtures.Request request : folder.requests()) {
            String label = config + " " + client + "/" + folder.name() + "/" + request.file();
            lines.addAll(otlp(label, decoder, signal(request.path()), request.body(), encoding(request.contentType())));
          }
        }
      }
      lines.addAll(clientJson(config + " hooks/headless-compaction", clientJson, ClientChannel.HOOKS,
          Fixtures.hookInputs(Fixtures.CLIENT_2_1_332, "headless-compaction")));
      lines.addAll(clientJson(config + " hooks/interactive-permission-compact", clientJson, ClientChannel.HOOKS,
          Fixtures.hookInputs(Fixtures.CLIENT_2_1_332, "interactive-permission-compact")));
      lines.addAll(clientJson(config + " statusline/interactive-permission-compact", clientJson, ClientChannel.STATUS_LINE,
          Fixtures.statusLines(Fixtures.CLIENT_2_1_332, "interactive-permission-compact")));
      lines.addAll(clientJson(config + " hooks/synthetic", clientJson, ClientChannel.HOOKS, syntheticHooks()));
      for (OtlpSignal signal : OtlpSignal.values()) {
        Message synthetic = switch (signal) {
          case LOGS -> syntheticLogs();
          case METRICS -> syntheticMetrics();
          case TRACES -> syntheticTraces();
        };
        String label = config + " synthetic-" + signal;
        lines.addAll(otlp(label + " protobuf", decoder, signal, Buffer.buffer(synthetic.toByteArray()), OtlpEncoding.PROTOBUF));
        lines.addAll(otlp(label + " json", decoder, signal, otlpJson(synthetic), OtlpEncoding.JSON));
      }
    }

    String actual = String.join("\n", lines) + "\n";
    String target = System.getProperty("contextwatch.storedForm.write");
    if (target != null) {
      Files.writeString(Path.of(target), actual, StandardCharsets.UTF_8);
    }
    assertThat(lines).as("records decoded").hasSizeGreaterThan(1000);
    List<String> expected = expected();
    for (int i = 0; i < Math.min(expected.size(), lines.size()); i++) {
      assertThat(lines.get(i)).as("line %d", i + 1).isEqualTo(expected.get(i));
    }
    assertThat(lines).hasSameSizeAs(expected);
  }

  /** One line per record (label, dedup key, the record as its fields print) and one for the batch's refusals. */
  private static List<String> otlp(String label, OtlpDecoder decoder, OtlpSignal signal, Buffer body, OtlpEncoding encoding) {
    RecordBatch batch;
    try {
      batch = signal.decode(decoder, body, encoding);
    } catch (OtlpException e) {
      return List.of(label + "\terror " + e.getMessage());
    }
    List<String> lines = new ArrayList<>();
    List<Record> records = Stream.of(batch.events(), batch.points(), batch.spans()).flatMap(List::stream).map(r -> (Record) r).toList();
    IntStream.range(0, records.size()).forEach(i -> lines.add(label + " #" + i + "\t" + key(records.get(i)) + "\t"
        + Json.encode(records.get(i).toString())));
    lines.add(label + "\trejected " + batch.rejected() + "\t" + Json.encode(batch.rejectionMessage()));
    return lines;
  }

  private static List<String> clientJson(String label, ClientJsonDecoder decoder, ClientChannel channel, List<String> bodies) {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < bodies.size(); i++) {
      try {
        RecordBatch batch = decoder.decode(channel, Buffer.buffer(bodies.get(i)), ARRIVAL);
        lines.add(label + " #" + i + "\t" + batch.events().get(0).dedupKey() + "\t" + Json.encode(batch.events().get(0).toString()));
      } catch (OtlpException e) {
        lines.add(label + " #" + i + "\terror " + e.getMessage());
      }
    }
    return lines;
  }

  private static String key(Record record) {
    if (record instanceof dev.contextwatch.core.model.EventRecord event) {
      return event.dedupKey();
    }
    if (record instanceof dev.contextwatch.core.model.MetricPoint point) {
      return point.dedupKey();
    }
    return ((dev.contextwatch.core.model.SpanRecord) record).dedupKey();
  }

  private static List<String> expected() throws IOException {
    try (InputStream in = StoredFormTest.class.getResourceAsStream(EXPECTED)) {
      assertThat(in).as(EXPECTED + " on the test classpath").isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    }
  }

  private static OtlpSignal signal(String path) {
    return Stream.of(OtlpSignal.values()).filter(s -> s.path.equals(path) || path.equals("/" + s.grpcService + "/Export"))
        .findFirst().orElseThrow();
  }

  /** A recorded gRPC request is its message, without the gRPC frame. */
  private static OtlpEncoding encoding(String contentType) {
    return contentType.startsWith("application/grpc") ? OtlpEncoding.PROTOBUF : OtlpEncoding.of(contentType);
  }

  /** OTLP/JSON as an exporter writes it: ids in hex, not JsonFormat's base64. */
  private static Buffer otlpJson(Message message) throws IOException {
    JsonObject json = new JsonObject(JsonFormat.printer().print(message));
    hexIds(json);
    return json.toBuffer();
  }

  private static void hexIds(Object node) {
    if (node instanceof JsonObject object) {
      for (Map.Entry<String, Object> entry : object) {
        if (List.of("traceId", "spanId", "parentSpanId").contains(entry.getKey()) && entry.getValue() instanceof String base64) {
          entry.setValue(HexFormat.of().formatHex(Base64.getDecoder().decode(base64)));
        } else {
          hexIds(entry.getValue());
        }
      }
    } else if (node instanceof JsonArray array) {
      array.forEach(StoredFormTest::hexIds);
    }
  }

  // ---- synthetic requests: each corner of the rules once

  static ExportLogsServiceRequest syntheticLogs() {
    Resource resource = Resource.newBuilder()
        .addAttributes(kv("service.name", text("claude-code")))
        .addAttributes(kv("session.id", text("resource-session")))
        .addAttributes(kv("host.arch", text("amd64")))
        .addAttributes(kv("ключ", text("значение ✓")))
        .addAttributes(kv("a.bytes", AnyValue.newBuilder().setBytesValue(ByteString.copyFrom(new byte[] {0, 1, (byte) 0xff})).build()))
        .addAttributes(kv("a.array", array(text("x"), integer(1), real(1.0), AnyValue.getDefaultInstance())))
        .addAttributes(kv("a.kvlist", kvlist(kv("inner", text("v")), kv("prompt", text("secret prompt")))))
        .addAttributes(kv("empty", text("")))
        .addAttributes(kv("service.name", text("claude-code-repeated")))
        .build();
    List<LogRecord> logs = new ArrayList<>();
    // sequenced events: keyed by session, name, sequence, event.timestamp and prompt.id
    logs.add(log(T0).addAttributes(kv("event.name", text("api_request"))).addAttributes(kv("event.sequence", integer(7)))
        .addAttributes(kv("session.id", text("s-1"))).addAttributes(kv("event.timestamp", text("2026-11-30T08:00:00.123Z")))
        .addAttributes(kv("prompt.id", text("p-1"))).addAttributes(kv("cost_usd", real(0.027825000000000003)))
        .addAttributes(kv("input_tokens", text("12"))).addAttributes(kv("model", text("claude-opus"))).build());
    logs.add(log(T0).addAttributes(kv("event.name", text("api_request"))).addAttributes(kv("event.sequence", real(3.0)))
        .addAttributes(kv("session.id", text("s-1"))).build());
    logs.add(log(T0).addAttributes(kv("event.name", text("api_request"))).addAttributes(kv("event.sequence", text(" 4 ")))
        .addAttributes(kv("prompt.id", integer(42))).build());
    logs.add(log(T0).addAttributes(kv("event.name", text("api_request"))).addAttributes(kv("event.sequence", real(1e30))).build());
    logs.add(log(T0).addAttributes(kv("event.name", text("api_request"))).addAttributes(kv("event.sequence", real(Double.NaN))).build());
    logs.add(log(T0).addAttributes(kv("event.name", text("x"))).addAttributes(kv("event.sequence", integer(1)))
        .addAttributes(kv("event.sequence", integer(2))).addAttributes(kv("event.name", text("y"))).build());
    // not sequenced: keyed by the whole record, attributes in key order (a repeated key in sent order)
    logs.add(log(T0).setObservedTimeUnixNano(T0 + 5).setSeverityNumberValue(9).setSeverityText("INFO")
        .setBody(text("a body")).setTraceId(bytes(16, 1)).setSpanId(bytes(8, 2))
        .addAttributes(kv("zeta", text("last"))).addAttributes(kv("alpha", text("first")))
        .addAttributes(kv("dup", integer(1))).addAttributes(kv("Beta", text("upper"))).addAttributes(kv("dup", integer(2)))
        .addAttributes(kv("nan", real(Double.NaN))).addAttributes(kv("inf", real(Double.NEGATIVE_INFINITY)))
        .addAttributes(kv("one", real(1.0))).addAttributes(kv("minus.zero", real(-0.0))).addAttributes(kv("tiny", real(4.9e-324)))
        .addAttributes(kv("big", integer(Long.MIN_VALUE))).addAttributes(kv("bool", AnyValue.newBuilder().setBoolValue(true).build()))
        .addAttributes(kv("unset", AnyValue.getDefaultInstance())).addAttributes(kv("", text("empty key")))
        .addAttributes(kv("empty", text(""))).addAttributes(kv("emoji", text("😀 naïve 日本")))
        .addAttributes(kv("lone\uD800surrogate", text("nul\0and\uDC00low")))
        .addAttributes(kv("nested", kvlist(kv("deep", kvlist(kv("tool_input", text("rm -rf /")))), kv("list", array(text("a"))))))
        .addAttributes(kv("bytes", AnyValue.newBuilder().setBytesValue(ByteString.copyFromUtf8("raw bytes")).build()))
        .build());
    // content: redacted unless stored, the client's placeholder kept, structured content hashed as protobuf
    logs.add(log(T0).addAttributes(kv("event.name", text("user_prompt"))).addAttributes(kv("prompt", text("Do six steps ✓")))
        .addAttributes(kv("response", integer(5))).addAttributes(kv("tool_parameters", kvlist(kv("command", text("ls")))))
        .addAttributes(kv("tool_input", text("<REDACTED>"))).addAttributes(kv("custom_instructions", AnyValue.getDefaultInstance()))
        .build());
    // bodies of each kind
    logs.add(log(T0).setBody(kvlist(kv("prompt", text("in a body")), kv("k", integer(1)))).build());
    logs.add(log(T0).setBody(array(text("a"), real(2.5))).build());
    logs.add(log(T0).setBody(AnyValue.newBuilder().setBytesValue(bytes(4, 9)).build()).build());
    logs.add(log(T0).setBody(text("named_by_body")).build());
    logs.add(log(T0).setBody(text("b".repeat(300))).build());
    // the limits: too many attributes, long strings, a surrogate pair at the cut
    LogRecord.Builder many = log(T0).addAttributes(kv("event.name", text("many"))).addAttributes(kv("session.id", text("s-2")));
    IntStream.range(0, 140).forEach(i -> many.addAttributes(kv("k" + (139 - i), integer(i))));
    logs.add(many.build());
    logs.add(log(T0).addAttributes(kv("long", text("l".repeat(5000)))).addAttributes(kv("pair", text("x".repeat(11) + "😀" + "y".repeat(5000))))
        .addAttributes(kv("pair.tight", text("x".repeat(15) + "😀yy"))).setBody(text("c".repeat(4100))).build());
    // times: observed only, event.timestamp only, none at all, implausible (refused), bad ids (refused)
    logs.add(LogRecord.newBuilder().setObservedTimeUnixNano(T0 + 1).addAttributes(kv("event.name", text("observed"))).build());
    logs.add(LogRecord.newBuilder().addAttributes(kv("event.timestamp", text("2026-11-30T08:00:01Z"))).build());
    logs.add(LogRecord.newBuilder().addAttributes(kv("event.timestamp", text("not a time"))).build());
    logs.add(log(1L).build());
    logs.add(log(T0).setTraceId(bytes(3, 1)).build());
    logs.add(log(T0).addAttributes(kv("session.id", text("s".repeat(300)))).build());
    logs.add(log(T0).addAttributes(kv("user.id", text("u".repeat(300)))).build());
    Resource refused = Resource.newBuilder().addAttributes(kv("service.name", text("n".repeat(257)))).build();
    return ExportLogsServiceRequest.newBuilder()
        .addResourceLogs(ResourceLogs.newBuilder().setResource(resource).addScopeLogs(ScopeLogs.newBuilder()
            .setScope(InstrumentationScope.newBuilder().setName("com.anthropic.claude_code.events").setVersion("2.1.332"))
            .addAllLogRecords(logs)).addScopeLogs(ScopeLogs.newBuilder().addLogRecords(logs.get(6))))
        .addResourceLogs(ResourceLogs.newBuilder().addScopeLogs(ScopeLogs.newBuilder().addAllLogRecords(logs.subList(0, 3))))
        .addResourceLogs(ResourceLogs.newBuilder().setResource(refused).addScopeLogs(ScopeLogs.newBuilder().addLogRecords(logs.get(0))))
        .build();
  }

  static ExportMetricsServiceRequest syntheticMetrics() {
    List<KeyValue> attributes = List.of(kv("session.id", text("s-1")), kv("model", text("claude-opus")), kv("type", text("input")),
        kv("a.array", array(integer(1))), kv("model", text("claude-opus-repeated")), kv("user.id", text("u")));
    NumberDataPoint.Builder point = NumberDataPoint.newBuilder().setStartTimeUnixNano(T0).setTimeUnixNano(T0 + 1_000)
        .addAllAttributes(attributes);
    List<Metric> metrics = List.of(
        Metric.newBuilder().setName("claude_code.token.usage").setUnit("tokens").setSum(Sum.newBuilder().setIsMonotonic(true)
            .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA)
            .addDataPoints(point.clone().setAsInt(120)).addDataPoints(point.clone().setAsDouble(1.0))
            .addDataPoints(point.clone().setAsDouble(Double.NaN)).addDataPoints(point.clone().setAsInt(-1))
            .addDataPoints(point.clone().clearValue())).build(),
        Metric.newBuilder().setName("claude_code.cost.usage").setSum(Sum.newBuilder()
            .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE)
            .addDataPoints(point.clone().setAsDouble(0.1 + 0.2)).addDataPoints(point.clone().setAsDouble(-0.0))).build(),
        Metric.newBuilder().setName("gauge").setGauge(Gauge.newBuilder()
            .addDataPoints(point.clone().setAsDouble(Double.POSITIVE_INFINITY))
            .addDataPoints(NumberDataPoint.newBuilder().setTimeUnixNano(T0).setAsInt(3))).build(),
        Metric.newBuilder().setName("histogram").setHistogram(Histogram.newBuilder()
            .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA)
            .addDataPoints(HistogramDataPoint.newBuilder().setStartTimeUnixNano(T0).setTimeUnixNano(T0 + 1).addAllAttributes(attributes)
                .setCount(3).setSum(4.5).addExplicitBounds(1.0).addExplicitBounds(Double.POSITIVE_INFINITY)
                .addBucketCounts(1).addBucketCounts(2).addBucketCounts(0).setMin(Double.NaN).setMax(3.0))
            .addDataPoints(HistogramDataPoint.newBuilder().setTimeUnixNano(T0).setCount(1))).build(),
        Metric.newBuilder().setName("exponential").setExponentialHistogram(ExponentialHistogram.newBuilder()
            .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE)
            .addDataPoints(ExponentialHistogramDataPoint.newBuilder().setTimeUnixNano(T0).addAllAttributes(attributes).setScale(2)
                .setCount(5).setSum(7.0).setZeroCount(1)
                .setPositive(ExponentialHistogramDataPoint.Buckets.newBuilder().setOffset(-1).addBucketCounts(4))
                .setNegative(ExponentialHistogramDataPoint.Buckets.newBuilder().setOffset(2)))).build(),
        Metric.newBuilder().setName("summary").setSummary(Summary.newBuilder()
            .addDataPoints(SummaryDataPoint.newBuilder().setTimeUnixNano(T0).addAllAttributes(attributes).setCount(2).setSum(Double.NaN)
                .addQuantileValues(SummaryDataPoint.ValueAtQuantile.newBuilder().setQuantile(0.5).setValue(1.0)))
            .addDataPoints(SummaryDataPoint.newBuilder().setTimeUnixNano(T0).setCount(2).setSum(3)
                .addQuantileValues(SummaryDataPoint.ValueAtQuantile.newBuilder().setQuantile(0.99).setValue(Double.NaN)))).build(),
        Metric.newBuilder().setName("").setGauge(Gauge.newBuilder().addDataPoints(point.clone().setAsInt(1))).build(),
        Metric.newBuilder().setName("no.data").build(),
        Metric.newBuilder().setName("late").setGauge(Gauge.newBuilder().addDataPoints(point.clone().setTimeUnixNano(1).setAsInt(1))).build());
    Resource resource = Resource.newBuilder().addAttributes(kv("service.name", text("claude-code")))
        .addAttributes(kv("session.id", text("resource-session"))).addAttributes(kv("os.type", text("linux"))).build();
    return ExportMetricsServiceRequest.newBuilder()
        .addResourceMetrics(ResourceMetrics.newBuilder().setResource(resource).addScopeMetrics(ScopeMetrics.newBuilder()
            .setScope(InstrumentationScope.newBuilder().setName("com.anthropic.claude_code").setVersion("2.1.332"))
            .addAllMetrics(metrics)))
        .addResourceMetrics(ResourceMetrics.newBuilder().addScopeMetrics(ScopeMetrics.newBuilder().addMetrics(metrics.get(0))))
        .build();
  }

  static ExportTraceServiceRequest syntheticTraces() {
    Span.Builder span = Span.newBuilder().setTraceId(bytes(16, 1)).setSpanId(bytes(8, 2)).setName("claude_code.interaction")
        .setStartTimeUnixNano(T0).setEndTimeUnixNano(T0 + 1_000).setKindValue(1)
        .setStatus(Status.newBuilder().setCodeValue(2).setMessage("failed ✗"))
        .addAttributes(kv("session.id", text("s-1"))).addAttributes(kv("user_prompt", text("p"))).addAttributes(kv("prompt", text("secret")))
        .addAttributes(kv("list", array(text("a"), real(Double.NaN))))
        .addEvents(Span.Event.newBuilder().setTimeUnixNano(T0 + 1).setName("event").addAttributes(kv("k", text("v"))))
        .addLinks(Span.Link.newBuilder().setTraceId(bytes(16, 3)).setSpanId(bytes(8, 4)).addAttributes(kv("tool_input", text("x"))));
    return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
        .setResource(Resource.newBuilder().addAttributes(kv("service.name", text("claude-code"))))
        .addScopeSpans(ScopeSpans.newBuilder().addSpans(span)
            .addSpans(span.clone().setSpanId(bytes(8, 5)).setParentSpanId(bytes(8, 2)).clearAttributes().clearEvents().clearLinks())
            .addSpans(span.clone().setSpanId(bytes(8, 6)).setName("n".repeat(300)))
            .addSpans(span.clone().setSpanId(ByteString.EMPTY))))
        .build();
  }

  private static List<String> syntheticHooks() {
    return List.of(
        "{\"session_id\":\"s-1\",\"hook_event_name\":\"PreToolUse\",\"tool_input\":{\"command\":\"ls\"},\"a\":{\"b\":{\"c\":1.0}},"
            + "\"list\":[1,\"x\",null],\"n\":null,\"big\":123456789012345678901234567890,\"d\":1e400,\"e\":\"\",\"u\":\"😀\\u0000\"}",
        "{\"session_id\":\"s-1\",\"hook_event_name\":\"Stop\",\"last_assistant_message\":\"" + "m".repeat(20) + "\",\"z\":1,\"y\":2,"
            + "\"x\":3,\"w\":4}",
        "{\"session_id\":\"s-1\",\"hook_event_name\":\"PreCompact\",\"custom_instructions\":null,\"prompt\":\"<REDACTED>\"}",
        "{\"session_id\":\"s-1\"}",
        "[1]");
  }

  private static LogRecord.Builder log(long time) {
    return LogRecord.newBuilder().setTimeUnixNano(time);
  }

  private static KeyValue kv(String key, AnyValue value) {
    return KeyValue.newBuilder().setKey(key).setValue(value).build();
  }

  private static AnyValue text(String value) {
    return AnyValue.newBuilder().setStringValue(value).build();
  }

  private static AnyValue integer(long value) {
    return AnyValue.newBuilder().setIntValue(value).build();
  }

  private static AnyValue real(double value) {
    return AnyValue.newBuilder().setDoubleValue(value).build();
  }

  private static AnyValue array(AnyValue... values) {
    return AnyValue.newBuilder().setArrayValue(ArrayValue.newBuilder().addAllValues(List.of(values))).build();
  }

  private static AnyValue kvlist(KeyValue... values) {
    return AnyValue.newBuilder().setKvlistValue(KeyValueList.newBuilder().addAllValues(List.of(values))).build();
  }

  private static ByteString bytes(int length, int fill) {
    byte[] bytes = new byte[length];
    java.util.Arrays.fill(bytes, (byte) fill);
    return ByteString.copyFrom(bytes);
  }
}
