package dev.contextwatch.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.google.protobuf.ByteString;
import dev.contextwatch.core.config.ReceiverConfig;
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
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** What the decoder stores of content and of oversized attributes, under the receiver configuration. */
class OtlpDecoderStorageTest {
  private static final long T0 = 1_795_411_735_000_000_000L;
  /** Where Claude Code 2.1.197 puts prompts, responses and tool arguments (recorded with OTEL_LOG_USER_PROMPTS and OTEL_LOG_TOOL_DETAILS). */
  private static final List<String> CONTENT_KEYS = List.of("prompt", "response", "tool_parameters", "tool_input");
  private static final Fixtures.Request OPTED_IN = Fixtures.folder("tool-loop-delta-protobuf").requests().get(0);

  @Test
  @DisplayName("by default the recorded prompt, responses and tool parameters are nowhere in the records, only their length and SHA-256")
  void contentRedactedByDefault() throws Exception {
    List<WireContent> content = wireContent();
    assertThat(content).extracting(WireContent::key).containsAll(CONTENT_KEYS);

    RecordBatch batch = decode(TestConfig.receiver(), OPTED_IN);

    List<String> strings = DecodedStrings.of(batch);
    for (WireContent c : content) {
      assertThat(strings).as("stored strings").noneMatch(s -> s.contains(c.value()));
    }
    assertThat(strings).noneMatch(s -> s.contains("Do six steps") || s.contains("echo step") || s.contains("Running step"));
    for (WireContent c : content) {
      assertThat(batch.events().get(c.record()).attributes().getValue(c.key())).as("%s of record %d", c.key(), c.record())
          .isEqualTo(new JsonObject().put("redacted", true).put("length", c.value().length()).put("sha256", sha256(c.value())));
    }
  }

  @Test
  @DisplayName("the redacted length of a prompt is the prompt_length Claude Code reports")
  void lengthMatchesClaudeCode() {
    EventRecord prompt = decode(TestConfig.receiver(), OPTED_IN).events().stream()
        .filter(e -> "user_prompt".equals(e.eventName())).findFirst().orElseThrow();

    assertThat(prompt.attributes().getJsonObject("prompt").getInteger("length"))
        .isEqualTo(Integer.parseInt(prompt.attributes().getString("prompt_length")));
  }

  @Test
  @DisplayName("with storeContent the recorded content is stored verbatim")
  void contentKeptWhenConfigured() throws Exception {
    RecordBatch batch = decode(TestConfig.receiver("storeContent", "true"), OPTED_IN);

    for (WireContent c : wireContent()) {
      assertThat(batch.events().get(c.record()).attributes().getValue(c.key())).isEqualTo(c.value());
    }
  }

  @Test
  @DisplayName("the client's own <REDACTED> placeholder is stored as it came")
  void clientPlaceholderKept() {
    RecordBatch batch = decode(TestConfig.receiver(), Fixtures.folder("single-prompt-delta-protobuf").requests().get(0));

    assertThat(batch.events()).filteredOn(e -> "user_prompt".equals(e.eventName()))
        .extracting(e -> e.attributes().getValue("prompt")).containsExactly("<REDACTED>");
    assertThat(batch.events()).as("nothing cut, so no second copy of the attributes").allMatch(e -> e.sentAttributes() == null);
  }

  @Test
  @DisplayName("dedup keys and decoded fields of every recorded request are the same whatever storeContent and the limits say")
  void keysIndependentOfConfiguration() {
    List<ReceiverConfig> configs = List.of(TestConfig.receiver(), TestConfig.receiver("storeContent", "true"),
        TestConfig.receiver("maxAttributesPerRecord", "1", "maxAttributeValueChars", "16"));
    for (Fixtures.Folder folder : Fixtures.folders()) {
      for (Fixtures.Request request : folder.requests()) {
        List<List<String>> typed = configs.stream().map(config -> typedFields(decode(config, request))).toList();
        assertThat(typed).as(request.file()).allSatisfy(t -> assertThat(t).isEqualTo(typed.get(0)));
      }
    }
  }

  @Test
  @DisplayName("record attributes beyond the limit are dropped and counted; long strings in attributes, resource and body are truncated")
  void limitsOnEvents() {
    ExportLogsServiceRequest request = ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
        .setResource(Resource.newBuilder().addAttributes(text("service.name", "claude-code")).addAttributes(text("big", "r".repeat(5000))))
        .addScopeLogs(ScopeLogs.newBuilder().addLogRecords(LogRecord.newBuilder()
            .setTimeUnixNano(1_795_411_735_000_000_000L)
            .setBody(AnyValue.newBuilder().setStringValue("b".repeat(4100)))
            .addAllAttributes(numbered(200))))).build();

    AtomicReference<RecordBatch> batch = new AtomicReference<>();
    List<String> debug = debugLines(() -> batch.set(new OtlpDecoder(TestConfig.receiver()).logs(request)));

    EventRecord event = batch.get().events().get(0);

    assertThat(new ArrayList<>(event.attributes().fieldNames()))
        .containsExactlyElementsOf(Stream.concat(IntStream.range(0, 128).mapToObj(i -> "k" + i), Stream.of(StoredValues.DROPPED_ATTRIBUTES)).toList());
    assertThat(event.attributes().getLong(StoredValues.DROPPED_ATTRIBUTES)).isEqualTo(72);
    assertThat(event.origin().resource().getString("big")).isEqualTo("r".repeat(4096) + "…[truncated 904 chars]");
    assertThat(event.origin().resource().getString("service.name")).isEqualTo("claude-code");
    assertThat(event.body()).isEqualTo("b".repeat(4096) + "…[truncated 4 chars]");
    assertThat(event.sentAttributes().size()).as("the attributes as sent, for the client's adapter to read").isEqualTo(200);
    assertThat(debug).containsExactly("event=attributes_limited signal=LOGS records=1 dropped_attributes=72 truncated_values=2");
  }

  @Test
  @DisplayName("a structured body is stored as its JSON text, held to the same length limit")
  void structuredBody() {
    AnyValue body = AnyValue.newBuilder().setKvlistValue(io.opentelemetry.proto.common.v1.KeyValueList.newBuilder()
        .addAllValues(numbered(3)).addValues(text("long", "z".repeat(20)))).build();
    ExportLogsServiceRequest request = ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
        .addScopeLogs(ScopeLogs.newBuilder().addLogRecords(LogRecord.newBuilder().setTimeUnixNano(T0).setBody(body)))).build();

    String stored = new OtlpDecoder(TestConfig.receiver("maxAttributeValueChars", "16")).logs(request).events().get(0).body();

    assertThat(stored).startsWith("{\"k0\":\"v0\",\"k1\":").matches(".{16}…\\[truncated \\d+ chars]");
  }

  @Test
  @DisplayName("the limits apply to data points, spans and span events alike")
  void limitsOnPointsAndSpans() {
    OtlpDecoder decoder = new OtlpDecoder(TestConfig.receiver("maxAttributesPerRecord", "2", "maxAttributeValueChars", "16"));
    ExportMetricsServiceRequest metrics = ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
        .addScopeMetrics(ScopeMetrics.newBuilder().addMetrics(Metric.newBuilder().setName("m").setGauge(Gauge.newBuilder()
            .addDataPoints(NumberDataPoint.newBuilder().setTimeUnixNano(T0).setAsInt(1).addAllAttributes(numbered(5))))))).build();
    ExportTraceServiceRequest traces = ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
        .addScopeSpans(ScopeSpans.newBuilder().addSpans(Span.newBuilder()
            .setTraceId(ByteString.copyFrom(new byte[16])).setSpanId(ByteString.copyFrom(new byte[8]))
            .addAttributes(text("command", "x".repeat(20)))
            .addEvents(Span.Event.newBuilder().setName("e").addAllAttributes(numbered(3)))))).build();

    MetricPoint point = decoder.metrics(metrics).points().get(0);
    SpanRecord span = decoder.traces(traces).spans().get(0);

    assertThat(point.attributes().getLong(StoredValues.DROPPED_ATTRIBUTES)).isEqualTo(3);
    assertThat(span.attributes().getString("command")).isEqualTo("x".repeat(16) + "…[truncated 4 chars]");
    assertThat(span.events().getJsonObject(0).getJsonObject("attributes").getLong(StoredValues.DROPPED_ATTRIBUTES)).isEqualTo(1);
  }

  /** One content attribute as the client sent it: which log record of the request, its key and its text. */
  private record WireContent(int record, String key, String value) {}

  private static List<WireContent> wireContent() throws Exception {
    List<LogRecord> records = ExportLogsServiceRequest.parseFrom(OPTED_IN.body().getBytes()).getResourceLogsList().stream()
        .flatMap(r -> r.getScopeLogsList().stream()).flatMap(s -> s.getLogRecordsList().stream()).toList();
    List<WireContent> content = new ArrayList<>();
    for (int i = 0; i < records.size(); i++) {
      for (KeyValue kv : records.get(i).getAttributesList()) {
        if (CONTENT_KEYS.contains(kv.getKey()) && !kv.getValue().getStringValue().equals("<REDACTED>")) {
          content.add(new WireContent(i, kv.getKey(), kv.getValue().getStringValue()));
        }
      }
    }
    return content;
  }

  private static List<String> typedFields(RecordBatch batch) {
    Function<EventRecord, String> event = e -> String.join("|", e.dedupKey(), e.sessionId(), e.eventName(),
        String.valueOf(e.eventSequence()));
    Function<MetricPoint, String> point = p -> String.join("|", p.dedupKey(), p.sessionId(), p.metricName(), String.valueOf(p.value()));
    return Stream.concat(batch.events().stream().map(event), batch.points().stream().map(point)).toList();
  }

  private static RecordBatch decode(ReceiverConfig config, Fixtures.Request request) {
    OtlpSignal signal = Stream.of(OtlpSignal.values()).filter(s -> s.path.equals(request.path())).findFirst().orElseThrow();
    return signal.decode(new OtlpDecoder(config), request.body(), OtlpEncoding.of(request.contentType()));
  }

  /** The decoder's debug lines while {@code action} runs. */
  private static List<String> debugLines(Runnable action) {
    Logger logger = (Logger) LoggerFactory.getLogger(OtlpDecoder.class);
    Level level = logger.getLevel();
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    logger.setLevel(Level.DEBUG);
    try {
      action.run();
    } finally {
      logger.detachAppender(appender);
      logger.setLevel(level);
    }
    return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
  }

  private static List<KeyValue> numbered(int count) {
    return IntStream.range(0, count).mapToObj(i -> text("k" + i, "v" + i)).toList();
  }

  private static KeyValue text(String key, String value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }

  private static String sha256(String text) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
  }
}
