package dev.contextwatch.core.model;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/** One OTLP span, with its ids in lowercase hex. */
public record SpanRecord(
    Instant startTime,
    Instant endTime,
    String traceId,
    String spanId,
    String parentSpanId,
    String sessionId,
    String name,
    int kind,
    int statusCode,
    String statusMessage,
    Origin origin,
    JsonObject attributes,
    JsonArray events,
    JsonArray links,
    String dedupKey) {}
