package dev.contextwatch.core.model;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;

/**
 * One OTLP log record. The receiver fills what any client's record has (times, session, event
 * name and sequence, severity, body, ids, origin, attributes, dedup key); the usage columns
 * ({@code promptId} to {@code durationMs}, null when absent) are its client's source adapter's
 * reading of it, filled in the processor. The cost is in micro-dollars (see {@link Costs}).
 * {@code sentAttributes} are the attributes as sent when the receiver's limits cut the stored
 * ones (null when nothing was cut), so that no limit changes what an adapter reads; they are
 * never stored.
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
    String dedupKey,
    JsonObject sentAttributes) {

  /**
   * Beside its session, name and sequence, what tells apart events that carry a sequence number:
   * the dedup key hashes these attributes' values as sent, in this order. Fixed, since every stored
   * event's key was computed from them.
   */
  public static final List<String> SEQUENCED_KEY_ATTRIBUTES = List.of("event.timestamp", "prompt.id");

  /** An event whose stored attributes are the attributes as sent. */
  public EventRecord(Instant time, Instant observedTime, String sessionId, String eventName, Long eventSequence,
      String promptId, String model, Long inputTokens, Long outputTokens, Long cacheReadTokens, Long cacheCreationTokens,
      Long costMicros, Double durationMs, int severityNumber, String severityText, String body, String traceId,
      String spanId, Origin origin, JsonObject attributes, String dedupKey) {
    this(time, observedTime, sessionId, eventName, eventSequence, promptId, model, inputTokens, outputTokens,
        cacheReadTokens, cacheCreationTokens, costMicros, durationMs, severityNumber, severityText, body, traceId, spanId,
        origin, attributes, dedupKey, null);
  }

  /** The same event attributed to a (pseudo-)session by the processor. */
  public EventRecord withSessionId(String newSessionId) {
    return new EventRecord(time, observedTime, newSessionId, eventName, eventSequence, promptId, model, inputTokens,
        outputTokens, cacheReadTokens, cacheCreationTokens, costMicros, durationMs, severityNumber, severityText, body,
        traceId, spanId, origin, attributes, dedupKey, sentAttributes);
  }

  /** The same event with its usage columns as its client's adapter read them. */
  public EventRecord withUsage(String newPromptId, String newModel, Long newInputTokens, Long newOutputTokens,
      Long newCacheReadTokens, Long newCacheCreationTokens, Long newCostMicros, Double newDurationMs) {
    return new EventRecord(time, observedTime, sessionId, eventName, eventSequence, newPromptId, newModel, newInputTokens,
        newOutputTokens, newCacheReadTokens, newCacheCreationTokens, newCostMicros, newDurationMs, severityNumber,
        severityText, body, traceId, spanId, origin, attributes, dedupKey, sentAttributes);
  }

  /** The attributes as the client sent them (content still redacted), whatever the receiver's limits cut. */
  public JsonObject attributesAsSent() {
    return sentAttributes != null ? sentAttributes : attributes;
  }

  /** The cost in dollars, rounded to the micro-dollar; null when the event carries none. */
  public Double costUsd() {
    return costMicros == null ? null : Costs.usd(costMicros);
  }
}
