package dev.contextwatch.core.model;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * One OTLP log record. Claude Code sends its events as log records; the fields that matter for
 * totals are lifted out of the attributes into typed fields (null when absent). The cost is in
 * micro-dollars (see {@link Costs}).
 */
public record EventRecord(
    Instant time,
    Instant observedTime,
    String sessionId,
    String eventName,
    Long eventSequence,
    String promptId,
    String model,
    Long inputTokens,
    Long outputTokens,
    Long cacheReadTokens,
    Long cacheCreationTokens,
    Long costMicros,
    Double durationMs,
    int severityNumber,
    String severityText,
    String body,
    String traceId,
    String spanId,
    Origin origin,
    JsonObject attributes,
    String dedupKey) {

  /** The same event attributed to a (pseudo-)session by the processor. */
  public EventRecord withSessionId(String newSessionId) {
    return new EventRecord(time, observedTime, newSessionId, eventName, eventSequence, promptId, model, inputTokens,
        outputTokens, cacheReadTokens, cacheCreationTokens, costMicros, durationMs, severityNumber, severityText, body,
        traceId, spanId, origin, attributes, dedupKey);
  }

  /** The cost in dollars, rounded to the micro-dollar; null when the event carries none. */
  public Double costUsd() {
    return costMicros == null ? null : Costs.usd(costMicros);
  }
}
