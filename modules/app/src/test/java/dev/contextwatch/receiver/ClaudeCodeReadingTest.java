package dev.contextwatch.receiver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.contextwatch.core.config.ConfigLoader;
import dev.contextwatch.core.config.ReceiverConfig;
import dev.contextwatch.core.model.EventRecord;
import dev.contextwatch.core.model.MetricPoint;
import dev.contextwatch.core.model.RecordBatch;
import dev.contextwatch.core.model.Rejections;
import dev.contextwatch.processor.source.Reading;
import dev.contextwatch.processor.source.SourceAdapters;
import dev.contextwatch.testkit.Fixtures;
import dev.contextwatch.telemetry.EventHeader;
import dev.contextwatch.telemetry.Otlp;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Claude Code's records as the pipeline keeps them: decoded by the receiver, which knows no client,
 * then read by Claude Code's source adapter in the processor, which fills the usage columns and
 * refuses, one by one, records whose usage fields would poison or overflow a total. (The receiver's
 * own checks are in RecordChecksTest; the whole path, partial success included, in PoisonRecordsTest.)
 */
class ClaudeCodeReadingTest {
  private static final OtlpDecoder DECODER = new OtlpDecoder(receiver());
  private static final SourceAdapters ADAPTERS = SourceAdapters.known();
  private static final long T0 = 1_795_411_735_000_000_000L;
  private static final String LONG = "x".repeat(4000);

  /** What the processor keeps of a decoded batch, and the partial success of what it and the receiver refused. */
  private record Read(List<EventRecord> events, List<MetricPoint> points, long rejected, String rejectionMessage) {}

  private static Read read(RecordBatch batch) {
    Rejections refusedEvents = new Rejections("log records");
    Rejections refusedPoints = new Rejections("data points");
    List<EventRecord> events = new ArrayList<>();
    for (EventRecord event : batch.events()) {
      Reading reading = ADAPTERS.read(event);
      if (reading.refused()) {
        refusedEvents.add(reading.refusal());
      } else {
        events.add(reading.event());
      }
    }
    List<MetricPoint> points = batch.points().stream().filter(p -> ADAPTERS.refusal(p) == null).toList();
    batch.points().stream().map(ADAPTERS::refusal).filter(r -> r != null).forEach(refusedPoints::add);
    String message = Stream.of(batch.rejectionMessage(), refusedEvents.message(), refusedPoints.message())
        .filter(m -> m != null).reduce((a, b) -> a + "; " + b).orElse(null);
    return new Read(events, points, batch.rejected() + refusedEvents.count() + refusedPoints.count(), message);
  }

  static Stream<Fixtures.Folder> folders() {
    return Fixtures.folders().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("folders")
  @DisplayName("the api_request events of every recorded run add up to the CLI's own totals")
  void recordedRunsAddUp(Fixtures.Folder folder) {
    List<EventRecord> events = new ArrayList<>();
    for (Fixtures.Request request : folder.requests()) {
      Read batch = read(decode(DECODER, request));
      assertThat(batch.rejected()).as("rejected in %s", request.file()).isZero();
      events.addAll(batch.events());
    }
    JsonObject cli = folder.cliResult();
    JsonObject usage = cli.getJsonObject("usage");
    List<EventRecord> requests = events.stream()
        .filter(e -> "api_request".equals(e.eventName()) && cli.getString("session_id").equals(e.sessionId()))
        .toList();
    assertThat(requests).isNotEmpty();
    assertThat(requests.stream().mapToLong(EventRecord::inputTokens).sum()).isEqualTo(usage.getLong("input_tokens"));
    assertThat(requests.stream().mapToLong(EventRecord::outputTokens).sum()).isEqualTo(usage.getLong("output_tokens"));
    assertThat(requests.stream().mapToLong(EventRecord::cacheReadTokens).sum()).isEqualTo(usage.getLong("cache_read_input_tokens"));
    assertThat(requests.stream().mapToLong(EventRecord::cacheCreationTokens).sum())
        .isEqualTo(usage.getLong("cache_creation_input_tokens"));
    assertThat(requests).allSatisfy(e -> assertThat(e.costMicros()).as("cost_usd_micros of every request").isNotNull()
        .isEqualTo(((Number) e.attributes().getValue("cost_usd_micros")).longValue()));
    assertThat(requests.stream().mapToLong(EventRecord::costMicros).sum() / 1e6).isCloseTo(cli.getDouble("total_cost_usd"), within(1e-9));
  }

  @Test
  @DisplayName("dedup keys and usage columns of every recorded request are the same whatever storeContent and the limits say")
  void keysIndependentOfConfiguration() {
    List<OtlpDecoder> decoders = List.of(new OtlpDecoder(receiver()), new OtlpDecoder(receiver("storeContent", "true")),
        new OtlpDecoder(receiver("maxAttributesPerRecord", "1", "maxAttributeValueChars", "16")));
    for (Fixtures.Folder folder : Fixtures.folders()) {
      for (Fixtures.Request request : folder.requests()) {
        List<List<String>> typed = decoders.stream().map(decoder -> typedFields(read(decode(decoder, request)))).toList();
        assertThat(typed).as(request.file()).allSatisfy(t -> assertThat(t).isEqualTo(typed.get(0)));
      }
    }
  }

  @Test
  @DisplayName("numbers are read whether they arrive as int, double or string")
  void tolerantNumbers() {
    String json = """
        {"resourceLogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":"1795411735263000000",
          "body":{"stringValue":"claude_code.api_request"},
          "attributes":[
            {"key":"session.id","value":{"stringValue":"s-2"}},
            {"key":"event.name","value":{"stringValue":"api_request"}},
            {"key":"event.sequence","value":{"intValue":"7"}},
            {"key":"input_tokens","value":{"stringValue":"500"}},
            {"key":"output_tokens","value":{"doubleValue":60.0}},
            {"key":"cache_read_tokens","value":{"intValue":16000}},
            {"key":"cost_usd","value":{"intValue":0}},
            {"key":"duration_ms","value":{"stringValue":"61.5"}}]}]}]}]}
        """;
    EventRecord event = read(OtlpSignal.LOGS.decode(DECODER, Buffer.buffer(json), OtlpEncoding.JSON)).events().get(0);
    assertThat(event.inputTokens()).isEqualTo(500L);
    assertThat(event.outputTokens()).isEqualTo(60L);
    assertThat(event.cacheReadTokens()).isEqualTo(16000L);
    assertThat(event.cacheCreationTokens()).isNull();
    assertThat(event.costUsd()).isEqualTo(0.0);
    assertThat(event.durationMs()).isEqualTo(61.5);
  }

  @Test
  @DisplayName("the cost is cost_usd_micros when sent (int, JSON number or string; it wins over cost_usd), else cost_usd rounded once to the micro-dollar")
  void costInMicros() {
    assertThat(cost("{\"key\":\"cost_usd\",\"value\":{\"doubleValue\":0.027825000000000003}}",
        "{\"key\":\"cost_usd_micros\",\"value\":{\"intValue\":27825}}").costMicros()).isEqualTo(27_825L);
    assertThat(cost("{\"key\":\"cost_usd_micros\",\"value\":{\"intValue\":\"20325\"}}").costMicros()).isEqualTo(20_325L);
    assertThat(cost("{\"key\":\"cost_usd_micros\",\"value\":{\"stringValue\":\"35325\"}}").costMicros()).isEqualTo(35_325L);
    assertThat(cost("{\"key\":\"cost_usd\",\"value\":{\"doubleValue\":0.5}}",
        "{\"key\":\"cost_usd_micros\",\"value\":{\"intValue\":499999}}").costMicros()).as("the client's micro-dollars win").isEqualTo(499_999L);
    EventRecord dollarsOnly = cost("{\"key\":\"cost_usd\",\"value\":{\"doubleValue\":0.22094999999999998}}");
    assertThat(dollarsOnly.costMicros()).isEqualTo(220_950L);
    assertThat(dollarsOnly.costUsd()).isEqualTo(0.22095);
    assertThat(cost("{\"key\":\"cost_usd\",\"value\":{\"doubleValue\":0.0000004}}").costMicros()).isZero();
    assertThat(cost("{\"key\":\"cost_usd_micros\",\"value\":{\"stringValue\":\"n/a\"}}",
        "{\"key\":\"cost_usd\",\"value\":{\"doubleValue\":0.1}}").costMicros()).as("unreadable micros: the dollars").isEqualTo(100_000L);
    assertThat(cost().costMicros()).isNull();
  }

  /** An api_request event over OTLP/JSON with these cost attributes. */
  private static EventRecord cost(String... attributes) {
    String json = """
        {"resourceLogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":"1795411735263000000",
          "attributes":[{"key":"session.id","value":{"stringValue":"s-3"}},{"key":"event.name","value":{"stringValue":"api_request"}}%s]}]}]}]}
        """.formatted(attributes.length == 0 ? "" : "," + String.join(",", attributes));
    return read(OtlpSignal.LOGS.decode(DECODER, Buffer.buffer(json), OtlpEncoding.JSON)).events().get(0);
  }

  static Stream<Arguments> badEventNumbers() {
    return Stream.of(
        Arguments.of("cost_usd", AnyValue.newBuilder().setDoubleValue(Double.NaN).build(), "cost_usd must be a finite number, got NaN"),
        Arguments.of("cost_usd", text("Infinity"), "cost_usd must be a finite number, got Infinity"),
        Arguments.of("duration_ms", AnyValue.newBuilder().setDoubleValue(Double.NEGATIVE_INFINITY).build(), "duration_ms must be a finite"),
        Arguments.of("input_tokens", text("NaN"), "input_tokens must be a finite number"),
        Arguments.of("input_tokens", AnyValue.newBuilder().setIntValue(-5).build(), "input_tokens must not be negative, got -5"),
        Arguments.of("cost_usd", AnyValue.newBuilder().setDoubleValue(-0.25).build(), "cost_usd must not be negative, got -0.25"),
        Arguments.of("duration_ms", text("-1"), "duration_ms must not be negative"),
        Arguments.of("output_tokens", text("9e18"), "output_tokens is 9.0E18; at most 1000000000000 tokens per record"),
        Arguments.of("cache_read_tokens", AnyValue.newBuilder().setDoubleValue(1e30).build(), "cache_read_tokens is 1.0E30"),
        Arguments.of("cache_creation_tokens", AnyValue.newBuilder().setIntValue(1_000_000_000_001L).build(), "at most 1000000000000 tokens"),
        Arguments.of("cost_usd", AnyValue.newBuilder().setIntValue(2_000_000).build(), "cost_usd is 2000000; at most 1000000 USD per record"),
        Arguments.of("cost_usd_micros", AnyValue.newBuilder().setIntValue(-5).build(), "cost_usd_micros must not be negative, got -5"),
        Arguments.of("cost_usd_micros", text("NaN"), "cost_usd_micros must be a finite number, got NaN"),
        Arguments.of("cost_usd_micros", AnyValue.newBuilder().setIntValue(2_000_000_000_000L).build(),
            "cost_usd_micros is 2000000000000; at most 1000000000000 micro-dollars per record"));
  }

  @ParameterizedTest(name = "{0} = {1}")
  @MethodSource("badEventNumbers")
  @DisplayName("an event whose token count, cost or duration is not finite, negative or absurd is refused alone, naming the field")
  void badEventNumbersRefused(String key, AnyValue value, String reason) {
    Read batch = read(DECODER.logs(logs(apiRequest("good", 1), apiRequest("bad", 2).addAttributes(kv(key, value)),
        apiRequest("good", 3))));

    assertThat(batch.events()).extracting(EventRecord::eventSequence).containsExactly(1L, 3L);
    assertThat(batch.rejected()).isEqualTo(1);
    assertThat(batch.rejectionMessage()).startsWith("1 log records rejected; first: ").contains(reason);
  }

  @Test
  @DisplayName("numbers are still read as int, double or string, up to the bounds themselves")
  void boundsInclusive() {
    EventRecord event = read(DECODER.logs(logs(apiRequest("s", 1)
        .addAttributes(kv("input_tokens", text("1000000000000")))
        .addAttributes(kv("output_tokens", AnyValue.newBuilder().setDoubleValue(12.0).build()))
        .addAttributes(kv("cache_read_tokens", AnyValue.newBuilder().setIntValue(0).build()))
        .addAttributes(kv("cost_usd", text(" 1000000 ")))
        .addAttributes(kv("duration_ms", text("not a number")))))).events().get(0);

    assertThat(event.inputTokens()).isEqualTo(1_000_000_000_000L);
    assertThat(event.outputTokens()).isEqualTo(12L);
    assertThat(event.cacheReadTokens()).isZero();
    assertThat(event.costUsd()).isEqualTo(1_000_000.0);
    assertThat(event.durationMs()).isNull();
  }

  static Stream<Arguments> longIdentifiers() {
    return Stream.of(
        Arguments.of("prompt.id", LONG, "prompt.id is 4000 characters long"),
        Arguments.of("model", LONG, "model is 4000 characters long"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("longIdentifiers")
  @DisplayName("an event with an identifier longer than 256 characters is refused alone, naming the field and the limit")
  void longEventIdentifiers(String key, String value, String reason) {
    Read batch = read(DECODER.logs(logs(apiRequest("good", 1), apiRequest("good", 2).addAttributes(kv(key, text(value))),
        apiRequest("good", 3))));

    assertThat(batch.events()).extracting(EventRecord::eventSequence).containsExactly(1L, 3L);
    assertThat(batch.rejectionMessage()).contains(reason);
  }

  static Stream<Arguments> badPoints() {
    return Stream.of(
        Arguments.of(sum("claude_code.token.usage", 9e18, true), "value is 9.0E18; at most 1000000000000 tokens per record"),
        Arguments.of(sum("claude_code.cost.usage", 5e6, false), "value is 5000000; at most 1000000 USD per record"),
        Arguments.of(sum("claude_code.lines_of_code.count", -3, false), "'claude_code.lines_of_code.count': value must not be negative"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("badPoints")
  @DisplayName("a point of a Claude Code counter that is negative or absurd is refused alone")
  void badPointsRefused(Metric bad) {
    Read batch = read(DECODER.metrics(metrics(sum("claude_code.token.usage", 10, true), bad, gauge("temperature", -4))));

    assertThat(batch.points()).extracting(MetricPoint::metricName).containsExactly("claude_code.token.usage", "temperature");
    assertThat(batch.rejected()).isEqualTo(1);
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("badPoints")
  @DisplayName("the partial success names the metric and what is wrong with its point")
  void badPointsNamed(Metric bad, String reason) {
    assertThat(read(DECODER.metrics(metrics(bad))).rejectionMessage()).startsWith("1 data points rejected; first: ").contains(reason);
  }

  private static List<String> typedFields(Read batch) {
    Function<EventRecord, String> event = e -> String.join("|", e.dedupKey(), e.sessionId(), e.eventName(),
        String.valueOf(e.eventSequence()), e.promptId(), e.model(), String.valueOf(e.inputTokens()), String.valueOf(e.costUsd()));
    Function<MetricPoint, String> point = p -> String.join("|", p.dedupKey(), p.sessionId(), p.metricName(), String.valueOf(p.value()));
    return Stream.concat(batch.events().stream().map(event), batch.points().stream().map(point)).toList();
  }

  private static RecordBatch decode(OtlpDecoder decoder, Fixtures.Request request) {
    OtlpSignal signal = Stream.of(OtlpSignal.values()).filter(s -> s.path.equals(request.path())).findFirst().orElseThrow();
    return signal.decode(decoder, request.body(), OtlpEncoding.of(request.contentType()));
  }

  /** The defaults with some keys overridden, e.g. {@code receiver("storeContent", "true")}. */
  private static ReceiverConfig receiver(String... keysAndValues) {
    Map<String, String> env = new HashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      env.put(ConfigLoader.envName(keysAndValues[i]), keysAndValues[i + 1]);
    }
    return ConfigLoader.load(null, env).receiver();
  }

  private static LogRecord.Builder apiRequest(String session, long sequence) {
    return EventHeader.of(session, T0 + sequence, sequence).record("api_request").addAttributes(Otlp.integer("input_tokens", 100));
  }

  private static Metric sum(String name, double value, boolean monotonic) {
    return Otlp.sum(name, T0, value, monotonic);
  }

  private static Metric gauge(String name, double value) {
    return Otlp.gauge(name, T0, value);
  }

  private static ExportLogsServiceRequest logs(LogRecord.Builder... records) {
    ScopeLogs.Builder scope = ScopeLogs.newBuilder();
    Stream.of(records).forEach(scope::addLogRecords);
    return ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder().addScopeLogs(scope)).build();
  }

  private static ExportMetricsServiceRequest metrics(Metric... metrics) {
    return ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
        .addScopeMetrics(ScopeMetrics.newBuilder().addAllMetrics(List.of(metrics)))).build();
  }

  private static KeyValue kv(String key, AnyValue value) {
    return KeyValue.newBuilder().setKey(key).setValue(value).build();
  }

  private static AnyValue text(String value) {
    return AnyValue.newBuilder().setStringValue(value).build();
  }
}
