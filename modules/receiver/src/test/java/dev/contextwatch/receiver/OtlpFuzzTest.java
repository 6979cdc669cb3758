package dev.contextwatch.receiver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.contextwatch.core.model.EventRecord;
import dev.contextwatch.core.model.MetricPoint;
import dev.contextwatch.core.model.RecordBatch;
import dev.contextwatch.core.model.SpanRecord;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Fuzz targets for every path request bytes take into the receiver. The property: whatever the
 * bytes, the answer is a batch PostgreSQL can store within the configured limits, or an
 * {@link OtlpException} with 400 or 413; no other exception, no unbounded allocation. Without
 * JAZZER_FUZZ each target replays its seeds and earlier findings from
 * {@code OtlpFuzzTestInputs/<method>/}; with it, Jazzer fuzzes one target (docs/fuzzing.md).
 */
class OtlpFuzzTest {
  private static final int MAX_ATTRIBUTES = 8;
  private static final int MAX_VALUE_CHARS = 64;
  /** Small, so that the fuzzer can reach the limit with a gzip bomb. */
  private static final int MAX_INFLATED_BYTES = 1 << 16;
  /** "…[truncated N chars]" for any N a request can produce. */
  private static final int MARKER_CHARS = 40;
  private static final OtlpDecoder DECODER = new OtlpDecoder(TestConfig.receiver(
      "maxAttributesPerRecord", Integer.toString(MAX_ATTRIBUTES), "maxAttributeValueChars", Integer.toString(MAX_VALUE_CHARS)));

  @FuzzTest(maxDuration = "10s")
  void logsProtobuf(byte[] body) {
    assertDecodedOrRefused(OtlpSignal.LOGS, OtlpEncoding.PROTOBUF, body);
  }

  @FuzzTest(maxDuration = "10s")
  void metricsProtobuf(byte[] body) {
    assertDecodedOrRefused(OtlpSignal.METRICS, OtlpEncoding.PROTOBUF, body);
  }

  @FuzzTest(maxDuration = "10s")
  void tracesProtobuf(byte[] body) {
    assertDecodedOrRefused(OtlpSignal.TRACES, OtlpEncoding.PROTOBUF, body);
  }

  @FuzzTest(maxDuration = "10s")
  void logsJson(byte[] body) {
    assertDecodedOrRefused(OtlpSignal.LOGS, OtlpEncoding.JSON, body);
  }

  @FuzzTest(maxDuration = "10s")
  void metricsJson(byte[] body) {
    assertDecodedOrRefused(OtlpSignal.METRICS, OtlpEncoding.JSON, body);
  }

  @FuzzTest(maxDuration = "10s")
  void tracesJson(byte[] body) {
    assertDecodedOrRefused(OtlpSignal.TRACES, OtlpEncoding.JSON, body);
  }

  /** A gzip body as the HTTP receiver takes it: inflated within the limit, then decoded. */
  @FuzzTest(maxDuration = "10s")
  void gzipLogs(byte[] body) {
    Buffer inflated;
    try {
      inflated = Bodies.gunzip(Buffer.buffer(body), MAX_INFLATED_BYTES);
    } catch (OtlpException e) {
      assertClientError(e);
      return;
    }
    assertThat(inflated.length()).isLessThanOrEqualTo(MAX_INFLATED_BYTES);
    assertDecodedOrRefused(OtlpSignal.LOGS, OtlpEncoding.PROTOBUF, inflated.getBytes());
  }

  static void assertDecodedOrRefused(OtlpSignal signal, OtlpEncoding encoding, byte[] body) {
    RecordBatch batch;
    try {
      batch = signal.decode(DECODER, Buffer.buffer(body), encoding);
    } catch (OtlpException e) {
      assertClientError(e);
      return;
    }
    assertStorable(batch);
  }

  private static void assertClientError(OtlpException e) {
    assertThat(e.status).as(e.getMessage()).isIn(400, 413);
  }

  /** What PostgreSQL and the processor need of a batch, and what the limits promise. */
  private static void assertStorable(RecordBatch batch) {
    assertThat(DecodedStrings.of(batch)).as("no text may hold U+0000").noneMatch(s -> s.indexOf('\0') >= 0);
    List<JsonObject> maps = new ArrayList<>();
    List<String> values = new ArrayList<>();
    attributeColumns(batch).forEach(attributes -> collect(attributes, maps, values));
    assertThat(maps).as("attributes kept per map").allMatch(m -> m.size() <= MAX_ATTRIBUTES + 1);
    assertThat(values).as("attribute values").allMatch(v -> v.length() <= MAX_VALUE_CHARS + MARKER_CHARS);
    for (EventRecord e : batch.events()) {
      assertThat(Stream.of(e.costUsd(), e.durationMs())).as("typed numbers").allMatch(n -> n == null || Double.isFinite(n));
      assertThat(e.body() == null ? 0 : e.body().length()).as("body").isLessThanOrEqualTo(MAX_VALUE_CHARS + MARKER_CHARS);
    }
    for (Object json : jsonColumns(batch)) {
      String encoded = json.toString();
      assertThat(encoded).as("jsonb cannot hold \\u0000").doesNotContain("\\u0000");
      assertThatCode(() -> Json.decodeValue(encoded)).as("strict JSON").doesNotThrowAnyException();
    }
    assertThat(Stream.of(batch.events().stream().map(EventRecord::dedupKey), batch.points().stream().map(MetricPoint::dedupKey),
        batch.spans().stream().map(SpanRecord::dedupKey)).flatMap(s -> s)).allMatch(k -> k.matches("[0-9a-f]{32}"));
  }

  /** The stored JSON columns of every record. */
  private static List<Object> jsonColumns(RecordBatch batch) {
    List<Object> columns = new ArrayList<>();
    batch.events().forEach(e -> columns.addAll(List.of(e.attributes(), e.origin().resource())));
    batch.points().forEach(p -> columns.addAll(Stream.of(p.attributes(), p.origin().resource(), p.data()).filter(c -> c != null).toList()));
    batch.spans().forEach(s -> columns.addAll(List.of(s.attributes(), s.origin().resource(), s.events(), s.links())));
    return columns;
  }

  /** The attribute maps the limits apply to: of records, resources, span events and links. */
  private static List<JsonObject> attributeColumns(RecordBatch batch) {
    List<JsonObject> columns = new ArrayList<>();
    batch.events().forEach(e -> columns.addAll(List.of(e.attributes(), e.origin().resource())));
    batch.points().forEach(p -> columns.addAll(List.of(p.attributes(), p.origin().resource())));
    for (SpanRecord s : batch.spans()) {
      columns.addAll(List.of(s.attributes(), s.origin().resource()));
      Stream.concat(s.events().stream(), s.links().stream()).forEach(o -> columns.add(((JsonObject) o).getJsonObject("attributes")));
    }
    return columns;
  }

  /** The maps (nested key-value lists included) and string values inside an attribute map. */
  private static void collect(Object json, List<JsonObject> maps, List<String> values) {
    if (json instanceof JsonObject object) {
      maps.add(object);
      object.forEach(e -> collect(e.getValue(), maps, values));
    } else if (json instanceof JsonArray array) {
      array.forEach(v -> collect(v, maps, values));
    } else if (json instanceof String text) {
      values.add(text);
    }
  }
}
