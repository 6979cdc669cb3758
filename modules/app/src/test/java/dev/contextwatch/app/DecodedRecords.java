package dev.contextwatch.app;

import dev.contextwatch.core.model.EventRecord;
import dev.contextwatch.core.model.MetricPoint;
import dev.contextwatch.core.model.Origin;
import dev.contextwatch.core.model.RecordBatch;
import dev.contextwatch.core.model.Signal;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;

/** Records as the receiver decodes them, for tests that hand them to the processor directly. */
final class DecodedRecords {
  static final Instant T0 = Instant.parse("2026-11-23T05:00:00Z");
  private static final Origin ORIGIN = new Origin(new JsonObject().put("service.name", "claude-code"), "claude_code", "2.1.0");

  private DecodedRecords() {}

  static RecordBatch logs(EventRecord... events) {
    return new RecordBatch(Signal.LOGS, List.of(events), List.of(), List.of(), 0, null);
  }

  static RecordBatch metrics(MetricPoint... points) {
    return new RecordBatch(Signal.METRICS, List.of(), List.of(points), List.of(), 0, null);
  }

  /** A main-thread api_request with these input tokens and cost (micro-dollars), {@code sequence} seconds into the session. */
  static EventRecord apiRequest(String session, long sequence, Long inputTokens, Long costMicros) {
    return event(session, sequence, "api_request", inputTokens, costMicros, new JsonObject().put("model", "claude-sonnet-4-5"));
  }

  static EventRecord toolResult(String session, long sequence, String tool) {
    return event(session, sequence, "tool_result", null, null, new JsonObject().put("tool_name", tool).put("success", "true"));
  }

  static EventRecord event(String session, long sequence, String name, Long inputTokens, Long costMicros, JsonObject attributes) {
    return new EventRecord(T0.plusSeconds(sequence), T0.plusSeconds(sequence), session, name, sequence, "prompt-1",
        "api_request".equals(name) ? "claude-sonnet-4-5" : null, inputTokens, inputTokens == null ? null : 0L,
        inputTokens == null ? null : 0L, inputTokens == null ? null : 0L, costMicros, null, 9, "INFO", "claude_code." + name,
        null, null, ORIGIN, attributes.copy().put("session.id", session).put("event.name", name), session + "/" + name + "/" + sequence);
  }

  /** A DELTA claude_code.cost.usage point. */
  static MetricPoint costPoint(String session, long sequence, double value) {
    return new MetricPoint(T0.plusSeconds(sequence), T0.plusSeconds(sequence - 1), session, "claude_code.cost.usage",
        MetricPoint.MetricType.SUM, MetricPoint.Temporality.DELTA, true, "USD", value, null, null, ORIGIN,
        new JsonObject().put("session.id", session).put("model", "claude-sonnet-4-5"), session + "/cost/" + sequence, null);
  }
}
