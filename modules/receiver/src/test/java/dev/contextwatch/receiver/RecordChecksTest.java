package dev.contextwatch.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.contextwatch.core.model.EventRecord;
import dev.contextwatch.core.model.MetricPoint;
import dev.contextwatch.core.model.RecordBatch;
import dev.contextwatch.core.model.SpanRecord;
import dev.contextwatch.telemetry.EventHeader;
import dev.contextwatch.telemetry.Otlp;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Histogram;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Summary;
import io.opentelemetry.proto.metrics.v1.SummaryDataPoint;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Records that would poison a total, be stored at a wrong time, or not fit an index are refused
 * one by one, named in the partial success; their neighbours are decoded as usual. (Claude Code's
 * own fields, token counts and costs, are checked by its source adapter: ClaudeCodeReadingTest.)
 */
class RecordChecksTest {
  private static final OtlpDecoder DECODER = new OtlpDecoder(TestConfig.receiver());
  private static final long T0 = 1_795_411_735_000_000_000L;
  private static final String LONG = "x".repeat(4000);

  static Stream<Arguments> badPoints() {
    return Stream.of(
        Arguments.of(sum("claude_code.cost.usage", Double.NaN, true), "data point of 'claude_code.cost.usage': value must be a finite number, got NaN"),
        Arguments.of(sum("claude_code.cost.usage", Double.POSITIVE_INFINITY, true), "value must be a finite number, got Infinity"),
        Arguments.of(sum("claude_code.token.usage", -1, true),
            "data point of 'claude_code.token.usage': value of a monotonic sum must not be negative"),
        Arguments.of(sum("requests", -3, true), "'requests': value of a monotonic sum must not be negative"),
        Arguments.of(gauge("temperature", Double.NaN), "'temperature': value must be a finite number"),
        Arguments.of(Metric.newBuilder().setName("latency").setHistogram(Histogram.newBuilder().addDataPoints(
            HistogramDataPoint.newBuilder().setTimeUnixNano(T0).setCount(1).setSum(Double.NaN))).build(), "'latency': sum must be a finite"),
        Arguments.of(Metric.newBuilder().setName("latency").setSummary(Summary.newBuilder().addDataPoints(
            SummaryDataPoint.newBuilder().setTimeUnixNano(T0).setCount(1).setSum(Double.NEGATIVE_INFINITY))).build(), "sum must be a finite"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("badPoints")
  @DisplayName("a point whose value or sum is not finite, or a counter's that is negative or absurd, is refused alone")
  void badPointsRefused(Metric bad) {
    RecordBatch batch = DECODER.metrics(metrics(Resource.getDefaultInstance(), sum("claude_code.token.usage", 10, true), bad,
        gauge("temperature", -4)));

    assertThat(batch.points()).extracting(MetricPoint::metricName).containsExactly("claude_code.token.usage", "temperature");
    assertThat(batch.rejected()).isEqualTo(1);
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("badPoints")
  @DisplayName("the partial success names the metric and what is wrong with its point")
  void badPointsNamed(Metric bad, String reason) {
    assertThat(DECODER.metrics(metrics(Resource.getDefaultInstance(), bad)).rejectionMessage())
        .startsWith("1 data points rejected; first: ").contains(reason);
  }

  @Test
  @DisplayName("a negative value of a sum that is not monotonic (and not a Claude Code counter) is kept: it can go down")
  void nonMonotonicNegativeKept() {
    assertThat(DECODER.metrics(metrics(Resource.getDefaultInstance(), sum("queue.delta", -3, false))).points())
        .extracting(MetricPoint::value).containsExactly(-3.0);
  }

  static Stream<Arguments> longIdentifiers() {
    return Stream.of(
        Arguments.of("session.id", "x".repeat(10_000), "session.id is 10000 characters long; at most 256"),
        Arguments.of("event.name", LONG, "event.name is 4000 characters long; at most 256"),
        Arguments.of("user.id", LONG, "record attribute user.id is 4000 characters long"),
        Arguments.of("contextwatch.run_id", LONG, "record attribute contextwatch.run_id is 4000 characters long"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("longIdentifiers")
  @DisplayName("an event with an identifier longer than 256 characters is refused alone, naming the field and the limit")
  void longEventIdentifiers(String key, String value, String reason) {
    RecordBatch batch = DECODER.logs(logs(Resource.getDefaultInstance(),
        apiRequest("good", 1), apiRequest("good", 2).addAttributes(kv(key, text(value))), apiRequest("good", 3)));

    assertThat(batch.events()).extracting(EventRecord::eventSequence).containsExactly(1L, 3L);
    assertThat(batch.rejectionMessage()).contains(reason);
  }

  @Test
  @DisplayName("an identifier of exactly 256 characters is kept")
  void identifierAtTheLimit() {
    String id = "s".repeat(256);
    assertThat(DECODER.logs(logs(Resource.getDefaultInstance(), apiRequest(id, 1))).events()).extracting(EventRecord::sessionId)
        .containsExactly(id);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("identityAttributes")
  @DisplayName("a resource whose identity attribute is too long refuses the records under it; another resource's are kept")
  void longResourceAttribute(String key) {
    Resource bad = Resource.newBuilder().addAttributes(kv(key, text(LONG))).build();
    ExportLogsServiceRequest request = ExportLogsServiceRequest.newBuilder()
        .addResourceLogs(resourceLogs(bad, apiRequest("a", 1), apiRequest("a", 2)))
        .addResourceLogs(resourceLogs(Resource.getDefaultInstance(), apiRequest("b", 3))).build();

    RecordBatch batch = DECODER.logs(request);

    assertThat(batch.events()).extracting(EventRecord::sessionId).containsExactly("b");
    assertThat(batch.rejected()).isEqualTo(2);
    assertThat(batch.rejectionMessage()).contains("resource attribute " + key + " is 4000 characters long; at most 256");
  }

  static Stream<String> identityAttributes() {
    return Stream.of("service.name", "service.namespace", "service.instance.id", "service.version", "user.id",
        "contextwatch.run_id", "contextwatch.parent_session_id");
  }

  @Test
  @DisplayName("the run attributes checked are the configured ones")
  void configuredRunAttribute() {
    OtlpDecoder decoder = new OtlpDecoder(TestConfig.receiver("runIdAttribute", "team.run"));
    Resource resource = Resource.newBuilder().addAttributes(kv("team.run", text(LONG))).build();
    assertThat(decoder.logs(logs(resource, apiRequest("a", 1))).rejectionMessage()).contains("resource attribute team.run");
  }

  @Test
  @DisplayName("a metric with a name longer than 256 characters refuses each of its points; other metrics are kept")
  void longMetricName() {
    Metric bad = Metric.newBuilder().setName(LONG).setGauge(Gauge.newBuilder()
        .addDataPoints(NumberDataPoint.newBuilder().setTimeUnixNano(T0).setAsInt(1))
        .addDataPoints(NumberDataPoint.newBuilder().setTimeUnixNano(T0 + 1).setAsInt(2))).build();

    RecordBatch batch = DECODER.metrics(metrics(Resource.getDefaultInstance(), bad, gauge("ok", 1)));

    assertThat(batch.points()).extracting(MetricPoint::metricName).containsExactly("ok");
    assertThat(batch.rejected()).isEqualTo(2);
    assertThat(batch.rejectionMessage()).contains("metric name is 4000 characters long; at most 256").hasSizeLessThan(300);
  }

  @Test
  @DisplayName("a span with a name or session id longer than 256 characters is refused alone")
  void longSpanIdentifiers() {
    ExportTraceServiceRequest request = ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
        .addScopeSpans(ScopeSpans.newBuilder()
            .addSpans(span(1).setName(LONG))
            .addSpans(span(2).addAttributes(kv("session.id", text(LONG))))
            .addSpans(span(3)))).build();

    RecordBatch batch = DECODER.traces(request);

    assertThat(batch.spans()).extracting(SpanRecord::name).containsExactly("ok");
    assertThat(batch.rejected()).isEqualTo(2);
    assertThat(batch.rejectionMessage()).contains("name is 4000 characters long");
  }

  static Stream<Arguments> implausibleTimes() {
    return Stream.of(
        Arguments.of(LogRecord.newBuilder().addAttributes(kv("event.timestamp", text("9999-12-31T23:59:59Z"))),
            "event.timestamp 9999-12-31T23:59:59Z is outside the plausible range 2000-01-01T00:00:00Z to 2100-01-01T00:00:00Z"),
        Arguments.of(LogRecord.newBuilder().addAttributes(kv("event.timestamp", text("0000-01-01T00:00:00Z"))),
            "event.timestamp 0000-01-01T00:00:00Z is outside"),
        Arguments.of(LogRecord.newBuilder().setTimeUnixNano(-1L), "time_unix_nano 2554-07-21T23:34:33.709551615Z is outside"),
        Arguments.of(LogRecord.newBuilder().setTimeUnixNano(1), "time_unix_nano 1970-01-01T00:00:00.000000001Z is outside"),
        Arguments.of(LogRecord.newBuilder().setTimeUnixNano(T0).setObservedTimeUnixNano(5_000_000_000_000_000_000L),
            "observed_time_unix_nano 2128-06-11T08:53:20Z is outside"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("implausibleTimes")
  @DisplayName("a log record whose time lies outside 2000..2100 is refused alone, naming the field")
  void implausibleEventTimes(LogRecord.Builder bad, String reason) {
    RecordBatch batch = DECODER.logs(logs(Resource.getDefaultInstance(), apiRequest("good", 1),
        bad.addAttributes(kv("session.id", text("bad"))), apiRequest("good", 3)));

    assertThat(batch.events()).extracting(EventRecord::sessionId).containsExactly("good", "good");
    assertThat(batch.rejectionMessage()).contains(reason);
  }

  @Test
  @DisplayName("a plausible event.timestamp still stands in for missing record times")
  void eventTimestampFallback() {
    EventRecord event = DECODER.logs(logs(Resource.getDefaultInstance(),
        LogRecord.newBuilder().addAttributes(kv("event.timestamp", text("2026-01-02T03:04:05.678Z"))))).events().get(0);
    assertThat(event.time()).hasToString("2026-01-02T03:04:05.678Z");
  }

  @Test
  @DisplayName("a data point or span whose time or start time lies outside 2000..2100 is refused alone")
  void implausiblePointAndSpanTimes() {
    Metric points = Metric.newBuilder().setName("m").setGauge(Gauge.newBuilder()
        .addDataPoints(NumberDataPoint.newBuilder().setTimeUnixNano(T0).setStartTimeUnixNano(7).setAsInt(1))
        .addDataPoints(NumberDataPoint.newBuilder().setTimeUnixNano(T0).setAsInt(2))).build();
    RecordBatch metrics = DECODER.metrics(metrics(Resource.getDefaultInstance(), points));
    assertThat(metrics.points()).extracting(MetricPoint::value).containsExactly(2.0);
    assertThat(metrics.rejectionMessage()).contains("start_time_unix_nano 1970-01-01T00:00:00.000000007Z is outside");

    RecordBatch spans = DECODER.traces(ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
        .addScopeSpans(ScopeSpans.newBuilder().addSpans(span(1).setEndTimeUnixNano(-1L)).addSpans(span(2)))).build());
    assertThat(spans.spans()).hasSize(1);
    assertThat(spans.rejectionMessage()).contains("end_time_unix_nano 2554");
  }

  @Test
  @DisplayName("a lone surrogate from OTLP/JSON becomes U+FFFD in every decoded string, so an id is the same wherever it is kept")
  void loneSurrogates() {
    String json = """
        {"resourceLogs":[{"resource":{"attributes":[{"key":"service.namespace","value":{"stringValue":"p\\udc00"}}]},
          "scopeLogs":[{"logRecords":[{"timeUnixNano":"1795411735000000000","body":{"stringValue":"b\\ud800"},
            "attributes":[{"key":"session.id","value":{"stringValue":"s\\ud800-1"}},
                          {"key":"event.name","value":{"stringValue":"api_request"}},
                          {"key":"k\\udfff","value":{"stringValue":"ok \\ud83d\\ude00"}}]}]}]}]}
        """;
    RecordBatch batch = OtlpSignal.LOGS.decode(DECODER, Buffer.buffer(json), OtlpEncoding.JSON);

    EventRecord event = batch.events().get(0);
    assertThat(event.sessionId()).isEqualTo("s\uFFFD-1");
    assertThat(event.origin().resource().getString("service.namespace")).isEqualTo("p\uFFFD");
    assertThat(event.attributes().getString("k\uFFFD")).isEqualTo("ok \uD83D\uDE00");
    assertThat(DecodedStrings.of(batch)).isNotEmpty().noneMatch(RecordChecksTest::hasLoneSurrogate);
  }

  /** Code points of a string: a paired surrogate is one above U+FFFF, a lone one stays in the surrogate range. */
  private static boolean hasLoneSurrogate(String s) {
    return s.codePoints().anyMatch(c -> c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE);
  }

  private static LogRecord.Builder apiRequest(String session, long sequence) {
    return EventHeader.of(session, T0 + sequence, sequence).record("api_request").addAttributes(Otlp.integer("input_tokens", 100));
  }

  private static Span.Builder span(int id) {
    return Span.newBuilder().setName("ok").setStartTimeUnixNano(T0).setEndTimeUnixNano(T0 + 1)
        .setTraceId(ByteString.copyFrom(new byte[16])).setSpanId(ByteString.copyFrom(new byte[] {0, 0, 0, 0, 0, 0, 0, (byte) id}));
  }

  private static Metric sum(String name, double value, boolean monotonic) {
    return Otlp.sum(name, T0, value, monotonic);
  }

  private static Metric gauge(String name, double value) {
    return Otlp.gauge(name, T0, value);
  }

  private static ExportLogsServiceRequest logs(Resource resource, LogRecord.Builder... records) {
    return ExportLogsServiceRequest.newBuilder().addResourceLogs(resourceLogs(resource, records)).build();
  }

  private static ResourceLogs resourceLogs(Resource resource, LogRecord.Builder... records) {
    ScopeLogs.Builder scope = ScopeLogs.newBuilder();
    Stream.of(records).forEach(scope::addLogRecords);
    return ResourceLogs.newBuilder().setResource(resource).addScopeLogs(scope).build();
  }

  private static ExportMetricsServiceRequest metrics(Resource resource, Metric... metrics) {
    return ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder().setResource(resource)
        .addScopeMetrics(ScopeMetrics.newBuilder().addAllMetrics(List.of(metrics)))).build();
  }

  private static KeyValue kv(String key, AnyValue value) {
    return KeyValue.newBuilder().setKey(key).setValue(value).build();
  }

  private static AnyValue text(String value) {
    return AnyValue.newBuilder().setStringValue(value).build();
  }
}
