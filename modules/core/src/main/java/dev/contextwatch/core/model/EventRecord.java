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
    String dedupKey) {}
