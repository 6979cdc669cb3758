package dev.contextwatch.persistence;

import static dev.contextwatch.persistence.BulkInsert.SqlType.BOOL;
import static dev.contextwatch.persistence.BulkInsert.SqlType.FLOAT8;
import static dev.contextwatch.persistence.BulkInsert.SqlType.INT4;
import static dev.contextwatch.persistence.BulkInsert.SqlType.INT8;
import static dev.contextwatch.persistence.BulkInsert.SqlType.JSONB;
import static dev.contextwatch.persistence.BulkInsert.SqlType.TEXT;
import static dev.contextwatch.persistence.BulkInsert.SqlType.TIMESTAMPTZ;

import dev.contextwatch.core.json.JsonText;
import dev.contextwatch.core.model.EventRecord;
import dev.contextwatch.core.model.MetricPoint;
import dev.contextwatch.core.model.SpanRecord;
import dev.contextwatch.core.model.StoreBatch.ContextSample;
import dev.contextwatch.core.model.StoreBatch.SeriesState;
import dev.contextwatch.core.model.StoreBatch.SessionRow;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Locale;

/**
 * How each record and state type maps onto its table (see the migrations). Every record of one OTLP
 * scope block shares one origin, so its resource is encoded, sent and parsed into jsonb once per
 * statement, not once per row.
 * JSON columns are written by {@link JsonText}: the same text as {@code encode()}, without databind.
 */
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
      .sharedColumn("resource", JSONB, e -> e.origin().resource(), e -> json(e.origin().resource()))
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
      .sharedColumn("resource", JSONB, p -> p.origin().resource(), p -> json(p.origin().resource()))
      .column("scope_name", TEXT, p -> p.origin().scopeName())
      .column("scope_version", TEXT, p -> p.origin().scopeVersion())
      .column("attributes", JSONB, p -> json(p.attributes()))
      .column("dedup_key", TEXT, MetricPoint::dedupKey)
      .column("delta", FLOAT8, MetricPoint::delta)
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
      .sharedColumn("resource", JSONB, s -> s.origin().resource(), s -> json(s.origin().resource()))
      .column("scope_name", TEXT, s -> s.origin().scopeName())
      .column("scope_version", TEXT, s -> s.origin().scopeVersion())
      .column("attributes", JSONB, s -> json(s.attributes()))
      .column("events", JSONB, s -> json(s.events()))
      .column("links", JSONB, s -> json(s.links()))
      .column("dedup_key", TEXT, SpanRecord::dedupKey)
      .build();

  static final BulkInsert<ContextSample> CONTEXT_SAMPLES = BulkInsert.<ContextSample>into("context_samples")
      .column("time", TIMESTAMPTZ, c -> utc(c.time()))
      .column("session_id", TEXT, ContextSample::sessionId)
      .column("prompt_tokens", INT8, ContextSample::promptTokens)
      .column("model", TEXT, ContextSample::model)
      .column("prompt_id", TEXT, ContextSample::promptId)
      .column("compacted", BOOL, ContextSample::compacted)
      .column("dedup_key", TEXT, ContextSample::dedupKey)
      .build();

  static final BulkInsert<SeriesState> METRIC_SERIES = BulkInsert.<SeriesState>into("metric_series")
      .column("series_key", TEXT, SeriesState::seriesKey)
      .column("session_id", TEXT, SeriesState::sessionId)
      .column("metric_name", TEXT, SeriesState::metricName)
      .column("start_time_unix_ns", INT8, SeriesState::startTimeUnixNs)
      .column("last_time_unix_ns", INT8, SeriesState::lastTimeUnixNs)
      .column("last_value", FLOAT8, SeriesState::lastValue)
      .column("updated_at", TIMESTAMPTZ, s -> OffsetDateTime.now(ZoneOffset.UTC))
      .upsertOn("series_key")
      .build();

  static final BulkInsert<SessionRow> SESSIONS = BulkInsert.<SessionRow>into("sessions")
      .column("session_id", TEXT, SessionRow::sessionId)
      .column("pseudo", BOOL, SessionRow::pseudo)
      .column("synthetic", BOOL, SessionRow::synthetic)
      .column("service_name", TEXT, SessionRow::serviceName)
      .column("project", TEXT, SessionRow::project)
      .column("label", TEXT, SessionRow::label)
      .column("user_id", TEXT, SessionRow::userId)
      .column("client_version", TEXT, SessionRow::clientVersion)
      .column("run_id", TEXT, SessionRow::runId)
      .column("parent_session_id", TEXT, SessionRow::parentSessionId)
      .column("first_seen", TIMESTAMPTZ, s -> utc(s.firstSeen()))
      .column("last_seen", TIMESTAMPTZ, s -> utc(s.lastSeen()))
      .column("last_received_at", TIMESTAMPTZ, s -> utc(s.lastReceivedAt()))
      .column("closed_at", TIMESTAMPTZ, s -> utc(s.closedAt()))
      .column("input_tokens", INT8, SessionRow::inputTokens)
      .column("output_tokens", INT8, SessionRow::outputTokens)
      .column("cache_read_tokens", INT8, SessionRow::cacheReadTokens)
      .column("cache_creation_tokens", INT8, SessionRow::cacheCreationTokens)
      .column("cost_usd", FLOAT8, SessionRow::costUsd)
      .column("api_requests", INT8, SessionRow::apiRequests)
      .column("api_errors", INT8, SessionRow::apiErrors)
      .column("context_tokens", INT8, SessionRow::contextTokens)
      .column("context_window", INT8, SessionRow::contextWindow)
      .column("compact_threshold", INT8, SessionRow::compactThreshold)
      .column("context_peak", INT8, SessionRow::contextPeak)
      .column("compactions", INT4, SessionRow::compactions)
      .column("requests_left", FLOAT8, SessionRow::requestsLeft)
      .column("summary", JSONB, s -> json(s.summary()))
      .column("version", INT8, s -> s.basedOnVersion() + 1)
      .column("waiting_since", TIMESTAMPTZ, s -> utc(s.waitingSince()))
      .upsertOn("session_id")
      .versionedBy("version")
      .build();

  private RecordTables() {}

  private static OffsetDateTime utc(Instant instant) {
    return instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
  }

  private static String json(JsonObject json) {
    return json == null ? null : JsonText.encode(json);
  }

  private static String json(JsonArray json) {
    return JsonText.encode(json);
  }

  private static String lower(Enum<?> value) {
    return value == null ? null : value.name().toLowerCase(Locale.ROOT);
  }
}
