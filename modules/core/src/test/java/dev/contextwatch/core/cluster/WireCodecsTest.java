package dev.contextwatch.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.contextwatch.core.model.EventRecord;
import dev.contextwatch.core.model.IngestOutcome;
import dev.contextwatch.core.model.MetricPoint;
import dev.contextwatch.core.model.Origin;
import dev.contextwatch.core.model.RecordBatch;
import dev.contextwatch.core.model.SessionDeletion;
import dev.contextwatch.core.model.Signal;
import dev.contextwatch.core.model.SpanRecord;
import dev.contextwatch.core.summary.CloseSession;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class WireCodecsTest {
  private static final Instant T0 = Instant.parse("2026-11-23T05:00:00.123456789Z");
  private static final Origin ORIGIN = new Origin(new JsonObject().put("service.name", "claude-code").put("host.arch", "amd64"),
      "com.anthropic.claude_code.events", "2.1.332");
  private static final Origin OTHER = new Origin(new JsonObject(), null, null);

  /** Every JSON type the decoders make, in an order that is not sorted, nested, with nulls. */
  private static JsonObject attributes() {
    return new JsonObject()
        .put("z.text", "héllo \uD83D\uDE00 \uFFFD")
        .put("a.long", 5L)
        .put("m.int", 7)
        .put("b.double", 0.1)
        .put("b.whole.double", 2.0)
        .put("t", true)
        .put("f", false)
        .put("nothing", null)
        .put("empty", "")
        .put("list", new JsonArray().add(1L).add("x").add(new JsonObject().put("k", 3.5)).addNull())
        .put("kv", new JsonObject().put("inner", new JsonArray()).put("redacted", true).put("length", 12));
  }

  private static EventRecord event(Origin origin) {
    return new EventRecord(T0, T0.plusNanos(1), "session-1", "api_request", 42L, "prompt-1", "claude-opus-4-5", 1L, 2L, 3L,
        4L, 5_000L, 1234.5, 9, "INFO", "claude_code.api_request", "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331",
        origin, attributes(), "key-e1", attributes().put("cut", "as sent"));
  }

  private static EventRecord sparseEvent() {
    return new EventRecord(T0, null, null, null, null, null, null, null, null, null, null, null, null, 0, null, null, null,
        null, OTHER, new JsonObject(), "key-e2");
  }

  private static MetricPoint point(Origin origin) {
    return new MetricPoint(T0, T0.minusSeconds(60), "session-1", "claude_code.token.usage", MetricPoint.MetricType.SUM,
        MetricPoint.Temporality.CUMULATIVE, true, "tokens", 1234.0, 3L,
        new JsonObject().put("bounds", new JsonArray().add(1.0).add("Infinity")), origin, attributes(), "key-p1", 12.5);
  }

  private static MetricPoint sparsePoint() {
    return new MetricPoint(T0, null, null, "g", MetricPoint.MetricType.GAUGE, null, null, null, null, null, null, ORIGIN,
        new JsonObject(), "key-p2", null);
  }

  private static SpanRecord span(Origin origin) {
    return new SpanRecord(T0, T0.plusMillis(1500), "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", null, "session-1",
        "claude_code.llm_request", 1, 2, "failed", origin, attributes(),
        new JsonArray().add(new JsonObject().put("name", "e").put("time", "2026-11-23T05:00:00Z")), new JsonArray(), "key-s1");
  }

  private static <T> T roundTrip(WireCodec<T> codec, T value) {
    Buffer buffer = Buffer.buffer("frame header");
    int position = buffer.length();
    codec.encodeToWire(buffer, value);
    return codec.decodeFromWire(position, buffer);
  }

  @Test
  @DisplayName("a batch holding every kind of record, every field set or null, comes back equal field for field, types and key order kept")
  void recordBatch() {
    RecordBatch batch = new RecordBatch(Signal.LOGS, List.of(event(ORIGIN), sparseEvent(), event(ORIGIN)),
        List.of(point(ORIGIN), sparsePoint()), List.of(span(ORIGIN), span(OTHER)), 3, "3 log records rejected; first: x");

    RecordBatch decoded = roundTrip(WireCodecs.RECORD_BATCH, batch);

    assertThat(decoded).isEqualTo(batch);
    assertThat(decoded.toString()).isEqualTo(batch.toString());
    JsonObject attributes = decoded.events().get(0).attributes();
    assertThat(attributes.fieldNames()).containsExactlyElementsOf(attributes().fieldNames());
    assertThat(attributes.getValue("a.long")).isInstanceOf(Long.class);
    assertThat(attributes.getValue("m.int")).isInstanceOf(Integer.class);
    assertThat(attributes.getValue("b.whole.double")).isInstanceOf(Double.class);
    assertThat(attributes.getJsonArray("list").getValue(0)).isInstanceOf(Long.class);
    assertThat(decoded.events().get(0).origin()).as("records of one scope share their origin")
        .isSameAs(decoded.events().get(2).origin()).isSameAs(decoded.spans().get(0).origin());
  }

  @Test
  @DisplayName("the replies and requests beside the batch come back equal")
  void smallMessages() {
    assertThat(roundTrip(WireCodecs.INGEST_OUTCOME, new IngestOutcome(2, "2 data points rejected; first: y")))
        .isEqualTo(new IngestOutcome(2, "2 data points rejected; first: y"));
    assertThat(roundTrip(WireCodecs.INGEST_OUTCOME, IngestOutcome.ALL_STORED)).isEqualTo(IngestOutcome.ALL_STORED);
    assertThat(roundTrip(WireCodecs.CLOSE_SESSION, new CloseSession("s-é"))).isEqualTo(new CloseSession("s-é"));
    assertThat(roundTrip(WireCodecs.CLOSE_SESSION, new CloseSession(null))).isEqualTo(new CloseSession(null));
    assertThat(roundTrip(WireCodecs.SESSION_DELETION, new SessionDeletion(List.of("a", "", "c"))))
        .isEqualTo(new SessionDeletion(List.of("a", "", "c")));
  }

  @Test
  @DisplayName("a message written in another wire format is refused by name, not misread")
  void otherFormat() {
    Buffer buffer = Buffer.buffer();
    WireCodecs.CLOSE_SESSION.encodeToWire(buffer, new CloseSession("s"));
    buffer.setByte(0, (byte) 9);
    assertThatThrownBy(() -> WireCodecs.CLOSE_SESSION.decodeFromWire(0, buffer))
        .hasMessageContaining("wire-close-session").hasMessageContaining("wire format 9");
  }
}
