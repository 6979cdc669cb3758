package dev.contextwatch.receiver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.google.protobuf.ByteString;
import com.google.protobuf.util.JsonFormat;
import dev.contextwatch.core.model.EventRecord;
import dev.contextwatch.core.model.MetricPoint;
import dev.contextwatch.core.model.RecordBatch;
import dev.contextwatch.core.model.SpanRecord;
import dev.contextwatch.testkit.Fixtures;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import java.util.HexFormat;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class OtlpDecoderTest {
  private static final OtlpDecoder DECODER = new OtlpDecoder(TestConfig.receiver());
  private static final String TRACE_ID = "5b8efff798038103d269b633813fc60c";
  private static final String SPAN_ID = "eee19b7ec3c1b174";
  private static final long T0 = 1_795_411_735_000_000_000L;

  static Stream<Fixtures.Folder> folders() {
    return Fixtures.folders().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("folders")
  @DisplayName("every log record and data point of a recorded run becomes one record with its own key")
  void oneRecordPerRecord(Fixtures.Folder folder) throws Exception {
    for (Fixtures.Request request : folder.requests()) {
      RecordBatch batch = decode(request);
      int expected = request.path().equals("/v1/logs")
          ? countLogRecords(request) : countDataPoints(request);
      assertThat(batch.size()).as(request.file()).isEqualTo(expected);
      assertThat(Stream.concat(batch.events().stream().map(EventRecord::dedupKey), batch.points().stream().map(MetricPoint::dedupKey)))
          .as("dedup keys of %s", request.file()).doesNotHaveDuplicates();
    }
  }

  @Test
  @DisplayName("the same records sent as protobuf and as OTLP/JSON get the same dedup keys")
  void sameKeysAcrossEncodings() throws Exception {
    Fixtures.Request recorded = Fixtures.folder("tool-loop-delta-protobuf").requests().get(0);
    RecordBatch fromProtobuf = decode(recorded);
    String json = JsonFormat.printer().print(ExportLogsServiceRequest.parseFrom(recorded.body().getBytes()));
    RecordBatch fromJson = OtlpSignal.LOGS.decode(DECODER, Buffer.buffer(json), OtlpEncoding.JSON);
    assertThat(fromJson.events()).extracting(EventRecord::dedupKey)
        .containsExactlyElementsOf(fromProtobuf.events().stream().map(EventRecord::dedupKey).toList());
  }

  @Test
  @DisplayName("OTLP/JSON trace and span ids are read as hex, not base64")
  void hexIds() {
    String json = """
        {"resourceSpans":[{"resource":{"attributes":[{"key":"session.id","value":{"stringValue":"s-1"}}]},
          "scopeSpans":[{"spans":[{"traceId":"%s","spanId":"%s","name":"tool","kind":1,
            "startTimeUnixNano":"1795411735167000000","endTimeUnixNano":"1795411735267000000"}]}]}]}
        """.formatted(TRACE_ID, SPAN_ID);
    SpanRecord span = OtlpSignal.TRACES.decode(DECODER, Buffer.buffer(json), OtlpEncoding.JSON).spans().get(0);
    assertThat(span.traceId()).isEqualTo(TRACE_ID);
    assertThat(span.spanId()).isEqualTo(SPAN_ID);
    assertThat(span.sessionId()).isEqualTo("s-1");
    assertThat(span.endTime().toEpochMilli() - span.startTime().toEpochMilli()).isEqualTo(100);
  }

  @Test
  @DisplayName("an OTLP/JSON id that is not hex is a decoding error naming the field")
  void badHexId() {
    String json = "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"not-hex\",\"spanId\":\"" + SPAN_ID + "\"}]}]}]}";
    assertThatThrownBy(() -> OtlpSignal.TRACES.decode(DECODER, Buffer.buffer(json), OtlpEncoding.JSON))
        .isInstanceOfSatisfying(OtlpException.class, e -> assertThat(e.status).isEqualTo(400))
        .hasMessageContaining("traceId is not a hex string");
  }

  @Test
  @DisplayName("a numeric OTLP/JSON field holding a number with a huge exponent is refused at once (fuzzing found it took seconds)")
  void hugeExponent() {
    String json = "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"%s\",\"spanId\":\"%s\",\"endTimeUnixNano\":\"1e16000000\"}]}]}]}"
        .formatted(TRACE_ID, SPAN_ID);

    assertThatThrownBy(() -> assertTimeoutPreemptively(Duration.ofMillis(500),
        () -> OtlpSignal.TRACES.decode(DECODER, Buffer.buffer(json), OtlpEncoding.JSON)))
        .isInstanceOfSatisfying(OtlpException.class, e -> assertThat(e.status).isEqualTo(400))
        .hasMessageContaining("endTimeUnixNano is not a number of a sane size");
  }

  @Test
  @DisplayName("numbers in exponent notation of a sane size are still read, in numeric fields and as the values of repeated ones")
  void saneExponents() {
    String json = """
        {"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"m","histogram":{"dataPoints":[
          {"timeUnixNano":"1.795411735e18","count":"3","sum":"1.5e3","bucketCounts":["1","2e0"],"explicitBounds":[1e2]}]}}]}]}]}
        """;
    MetricPoint point = OtlpSignal.METRICS.decode(DECODER, Buffer.buffer(json), OtlpEncoding.JSON).points().get(0);
    assertThat(point.value()).isEqualTo(1500.0);
    assertThat(point.time().getEpochSecond()).isEqualTo(1_795_411_735L);
    assertThat(point.data().getJsonArray("counts")).containsExactly(1L, 2L);
  }

  @Test
  @DisplayName("event.sequence is read whether it arrives as int, double or string; 64-bit ints as JSON strings")
  void tolerantNumbers() {
    String json = """
        {"resourceLogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":"1795411735263000000", "attributes":[
            {"key":"session.id","value":{"stringValue":"s-7"}},
            {"key":"event.name","value":{"stringValue":"api_request"}},
            {"key":"event.sequence","value":{"intValue":"7"}},
            {"key":"input_tokens","value":{"stringValue":"500"}}]}]}]}]}
        """;
    EventRecord event = OtlpSignal.LOGS.decode(DECODER, Buffer.buffer(json), OtlpEncoding.JSON).events().get(0);
    assertThat(event.eventSequence()).isEqualTo(7L);
    assertThat(event.inputTokens()).as("read by Claude Code's adapter, not here (ClaudeCodeReadingTest)").isNull();
  }

  @Test
  @DisplayName("unknown event names and attributes are kept, and the session id may come from the resource")
  void unknownKept() {
    ExportLogsServiceRequest request = ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
        .setResource(io.opentelemetry.proto.resource.v1.Resource.newBuilder().addAttributes(attr("session.id", "s-3")))
        .addScopeLogs(ScopeLogs.newBuilder().addLogRecords(LogRecord.newBuilder()
            .setTimeUnixNano(1_795_411_735_000_000_000L)
            .addAttributes(attr("event.name", "brand_new_event"))
            .addAttributes(attr("some.future.attribute", "x\u0000y"))))).build();
    EventRecord event = DECODER.logs(request).events().get(0);
    assertThat(event.eventName()).isEqualTo("brand_new_event");
    assertThat(event.sessionId()).isEqualTo("s-3");
    assertThat(event.attributes().getString("some.future.attribute")).isEqualTo("x\uFFFDy");
  }

  @Test
  @DisplayName("records that cannot be stored are counted as rejected with a reason, the rest are kept")
  void rejections() {
    ExportTraceServiceRequest traces = ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
        .addScopeSpans(ScopeSpans.newBuilder()
            .addSpans(span(ByteString.copyFrom(new byte[3])))
            .addSpans(span(ByteString.copyFrom(HexFormat.of().parseHex(TRACE_ID)))))).build();
    RecordBatch spans = DECODER.traces(traces);
    assertThat(spans.spans()).hasSize(1);
    assertThat(spans.rejected()).isEqualTo(1);
    assertThat(spans.rejectionMessage()).contains("trace_id must be 16 bytes");

    ExportMetricsServiceRequest metrics = ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
        .addScopeMetrics(ScopeMetrics.newBuilder().addMetrics(Metric.newBuilder().setName("m").setSum(Sum.newBuilder()
            .addDataPoints(NumberDataPoint.newBuilder().setTimeUnixNano(T0))
            .addDataPoints(NumberDataPoint.newBuilder().setTimeUnixNano(T0 + 1).setAsInt(5)))))).build();
    RecordBatch points = DECODER.metrics(metrics);
    assertThat(points.points()).extracting(MetricPoint::value).containsExactly(5.0);
    assertThat(points.rejected()).isEqualTo(1);
    assertThat(points.rejectionMessage()).contains("data point of 'm' has no value");
  }

  @Test
  @DisplayName("a body that is not an export request is a 400 naming the encoding")
  void malformed() {
    assertThatThrownBy(() -> OtlpSignal.METRICS.decode(DECODER, Buffer.buffer(new byte[] {(byte) 0x0a, (byte) 0xff, 1}), OtlpEncoding.PROTOBUF))
        .isInstanceOfSatisfying(OtlpException.class, e -> assertThat(e.status).isEqualTo(400))
        .hasMessageContaining("application/x-protobuf");
    assertThatThrownBy(() -> OtlpSignal.METRICS.decode(DECODER, Buffer.buffer("[1,2]"), OtlpEncoding.JSON))
        .isInstanceOfSatisfying(OtlpException.class, e -> assertThat(e.status).isEqualTo(400))
        .hasMessageContaining("application/json");
  }

  @Test
  @DisplayName("many records under a resource with many attributes decode in linear time, sharing the resource's work")
  void sharedResourceIsLinear() {
    int n = 20_000;
    io.opentelemetry.proto.resource.v1.Resource.Builder resource = io.opentelemetry.proto.resource.v1.Resource.newBuilder();
    IntStream.range(0, n).forEach(i -> resource.addAttributes(attr("k" + i, "v")));
    Gauge.Builder gauge = Gauge.newBuilder();
    IntStream.range(0, n).forEach(i -> gauge.addDataPoints(NumberDataPoint.newBuilder().setTimeUnixNano(T0 + i).setAsInt(i)));
    ResourceLogs.Builder logs = ResourceLogs.newBuilder().setResource(resource);
    IntStream.range(0, n).forEach(i -> logs.addScopeLogs(ScopeLogs.newBuilder().addLogRecords(LogRecord.newBuilder().setTimeUnixNano(T0 + i))));
    ExportMetricsServiceRequest metrics = ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
        .setResource(resource).addScopeMetrics(ScopeMetrics.newBuilder().addMetrics(Metric.newBuilder().setName("m").setGauge(gauge))))
        .build();

    // quadratic, as it once was, this takes minutes: every record hashed and copied all n resource attributes
    RecordBatch points = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> DECODER.metrics(metrics));
    RecordBatch events = assertTimeoutPreemptively(Duration.ofSeconds(10),
        () -> DECODER.logs(ExportLogsServiceRequest.newBuilder().addResourceLogs(logs).build()));

    assertThat(points.points()).hasSize(n).extracting(MetricPoint::dedupKey).doesNotHaveDuplicates();
    assertThat(events.events()).hasSize(n).extracting(EventRecord::dedupKey).doesNotHaveDuplicates();
    assertThat(events.events().get(n - 1).origin().resource()).isSameAs(events.events().get(0).origin().resource());
  }

  private static Span span(ByteString traceId) {
    return Span.newBuilder().setTraceId(traceId).setSpanId(ByteString.copyFrom(HexFormat.of().parseHex(SPAN_ID)))
        .setName("s").setStartTimeUnixNano(T0).setEndTimeUnixNano(T0 + 1).build();
  }

  private static KeyValue attr(String key, String value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }

  static RecordBatch decode(Fixtures.Request request) {
    OtlpSignal signal = Stream.of(OtlpSignal.values()).filter(s -> s.path.equals(request.path())).findFirst().orElseThrow();
    return signal.decode(DECODER, request.body(), OtlpEncoding.of(request.contentType()));
  }

  private static int countLogRecords(Fixtures.Request request) throws Exception {
    ExportLogsServiceRequest.Builder parsed = ExportLogsServiceRequest.newBuilder();
    parse(request, parsed);
    return parsed.getResourceLogsList().stream().flatMap(r -> r.getScopeLogsList().stream())
        .mapToInt(ScopeLogs::getLogRecordsCount).sum();
  }

  private static int countDataPoints(Fixtures.Request request) throws Exception {
    ExportMetricsServiceRequest.Builder parsed = ExportMetricsServiceRequest.newBuilder();
    parse(request, parsed);
    return parsed.getResourceMetricsList().stream().flatMap(r -> r.getScopeMetricsList().stream())
        .flatMap(s -> s.getMetricsList().stream()).mapToInt(m -> m.getSum().getDataPointsCount()).sum();
  }

  private static void parse(Fixtures.Request request, com.google.protobuf.Message.Builder builder) throws Exception {
    if (request.contentType().contains("json")) {
      JsonFormat.parser().ignoringUnknownFields().merge(request.body().toString(), builder);
    } else {
      builder.mergeFrom(request.body().getBytes());
    }
  }
}
