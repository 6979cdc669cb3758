package dev.contextwatch.core.model;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * One OTLP log record. Claude Code sends its events as log records; the fields that matter for
 * totals are lifted out of the attributes into typed fields (null when absent).
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
    Double costUsd,
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
        outputTokens, cacheReadTokens, cacheCreationTokens, costUsd, durationMs, severityNumber, severityText, body,
        traceId, spanId, origin, attributes, dedupKey);
  }
}
