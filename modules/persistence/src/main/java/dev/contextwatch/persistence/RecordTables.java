package dev.contextwatch.persistence;

import static dev.contextwatch.persistence.BulkInsert.SqlType.BOOL;
import static dev.contextwatch.persistence.BulkInsert.SqlType.FLOAT8;
import static dev.contextwatch.persistence.BulkInsert.SqlType.INT4;
import static dev.contextwatch.persistence.BulkInsert.SqlType.INT8;
import static dev.contextwatch.persistence.BulkInsert.SqlType.JSONB;
import static dev.contextwatch.persistence.BulkInsert.SqlType.TEXT;
import static dev.contextwatch.persistence.BulkInsert.SqlType.TIMESTAMPTZ;

import dev.contextwatch.core.model.EventRecord;
import dev.contextwatch.core.model.MetricPoint;
import dev.contextwatch.core.model.SpanRecord;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Locale;

/** How each record type maps onto its table (see V1__records.sql). */
final class RecordTables {
  static final BulkInsert<EventRecord> EVENTS = BulkInsert.<EventRecord>into("events")
      .column("time", TIMESTAMPTZ, e -> utc(e.time()))
      .column("observed_time", TIMESTAMPTZ, e -> utc(e.observedTime()))
      .column("session_id", TEXT, EventRecord::sessionId)
      .column("event_name", TEXT, EventRecord::eventName)
      .column("event_sequence", INT8, EventRecord::eventSequence)
      .column("prompt_id", TEXT, EventRecord::promptId)
      .column("model", TEXT, EventRecord::model)
      .column("input_tokens", INT8, EventRecord::inputTokens)
      .column("output_tokens", INT8, EventRecord::outputTokens)
      .column("cache_read_tokens", INT8, EventRecord::cacheReadTokens)
      .column("cache_creation_tokens", INT8, EventRecord::cacheCreationTokens)
      .column("cost_usd", FLOAT8, EventRecord::costUsd)
      .column("duration_ms", FLOAT8, EventRecord::durationMs)
      .column("severity_number", INT4, EventRecord::severityNumber)
      .column("severity_text", TEXT, EventRecord::severityText)
      .column("body", TEXT, EventRecord::body)
      .column("trace_id", TEXT, EventRecord::traceId)
      .column("span_id", TEXT, EventRecord::spanId)
      .column("resource", JSONB, e -> json(e.origin().resource()))
      .column("scope_name", TEXT, e -> e.origin().scopeName())
      .column("scope_version", TEXT, e -> e.origin().scopeVersion())
      .column("attributes", JSONB, e -> json(e.attributes()))
      .column("dedup_key", TEXT, EventRecord::dedupKey)
      .build();

  static final BulkInsert<MetricPoint> METRIC_POINTS = BulkInsert.<MetricPoint>into("metric_points")
      .column("time", TIMESTAMPTZ, p -> utc(p.time()))
      .column("start_time", TIMESTAMPTZ, p -> utc(p.startTime()))
      .column("session_id", TEXT, MetricPoint::sessionId)
      .column("metric_name", TEXT, MetricPoint::metricName)
      .column("metric_type", TEXT, p -> lower(p.type()))
      .column("temporality", TEXT, p -> lower(p.temporality()))
      .column("is_monotonic", BOOL, MetricPoint::monotonic)
      .column("unit", TEXT, MetricPoint::unit)
      .column("value", FLOAT8, MetricPoint::value)
      .column("count", INT8, MetricPoint::count)
      .column("data", JSONB, p -> json(p.data()))
      .column("resource", JSONB, p -> json(p.origin().resource()))
      .column("scope_name", TEXT, p -> p.origin().scopeName())
      .column("scope_version", TEXT, p -> p.origin().scopeVersion())
      .column("attributes", JSONB, p -> json(p.attributes()))
      .column("dedup_key", TEXT, MetricPoint::dedupKey)
      .build();

  static final BulkInsert<SpanRecord> SPANS = BulkInsert.<SpanRecord>into("spans")
      .column("time", TIMESTAMPTZ, s -> utc(s.startTime()))
      .column("end_time", TIMESTAMPTZ, s -> utc(s.endTime()))
      .column("trace_id", TEXT, SpanRecord::traceId)
      .column("span_id", TEXT, SpanRecord::spanId)
      .column("parent_span_id", TEXT, SpanRecord::parentSpanId)
      .column("session_id", TEXT, SpanRecord::sessionId)
      .column("name", TEXT, SpanRecord::name)
      .column("kind", INT4, SpanRecord::kind)
      .column("status_code", INT4, SpanRecord::statusCode)
      .column("status_message", TEXT, SpanRecord::statusMessage)
      .column("resource", JSONB, s -> json(s.origin().resource()))
      .column("scope_name", TEXT, s -> s.origin().scopeName())
      .column("scope_version", TEXT, s -> s.origin().scopeVersion())
      .column("attributes", JSONB, s -> json(s.attributes()))
      .column("events", JSONB, s -> json(s.events()))
      .column("links", JSONB, s -> json(s.links()))
      .column("dedup_key", TEXT, SpanRecord::dedupKey)
      .build();

  private RecordTables() {}

  private static OffsetDateTime utc(Instant instant) {
    return instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
  }

  private static String json(JsonObject json) {
    return json == null ? null : json.encode();
  }

  private static String json(JsonArray json) {
    return json.encode();
  }

  private static String lower(Enum<?> value) {
    return value == null ? null : value.name().toLowerCase(Locale.ROOT);
  }
}
