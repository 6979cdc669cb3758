package dev.contextwatch.api;

import dev.contextwatch.core.model.SessionStatus;

import dev.contextwatch.core.config.SessionConfig;
import dev.contextwatch.core.model.Costs;
import dev.contextwatch.core.model.WebhookDelivery;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.data.Numeric;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;

/** The JSON of the rows the API reads. Times are ISO-8601 strings or null. */
final class Rows {
  /** The columns {@link #session} reads, from {@link dev.contextwatch.core.db.ReadModels#SESSIONS_WITH_LEVELS}. */
  static final String SESSION_COLUMNS =
      "session_id, project, label, run_id, parent_session_id, synthetic, first_seen, last_seen, last_received_at, closed_at, summary, level,"
      + " waiting_since";

  /** A row's cost as every sum adds it: rounded to the micro-dollar, null when not finite. */
  static final String FINITE_COST = "CASE WHEN cost_usd > '-Infinity' AND cost_usd < 'Infinity' THEN round(cost_usd::numeric, 6) END";
  /**
   * Token and cost sums over a group of rows, as {@link #totals} reads them. The sums are numeric
   * (a sum of bigints can pass the largest bigint); each cost is rounded to the micro-dollar before
   * it is added, so a sum is exact (an older version stored costs such as 0.027825000000000003),
   * and only finite costs are added (a NaN or an infinity in one row would make every sum
   * meaningless): stored data never makes them fail.
   */
  static final String TOTALS = "sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens, "
      + "sum(cache_read_tokens) AS cache_read_tokens, sum(cache_creation_tokens) AS cache_creation_tokens, "
      + "sum(" + FINITE_COST + ") AS cost_usd";
  private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);
  private static final BigDecimal LONG_MIN = BigDecimal.valueOf(Long.MIN_VALUE);

  static final String EVENT_COLUMNS = "time, event_name, event_sequence, prompt_id, model, input_tokens, output_tokens, "
      + "cache_read_tokens, cache_creation_tokens, cost_usd, duration_ms, attributes";

  static final String CHECKPOINT_COLUMNS = "id, session_id, project, run_id, model, level, epoch, context_tokens, "
      + "percent_of_threshold, threshold, context_window, requests_left, minutes_left, totals, last_prompt_id, samples, created_at";

  private Rows() {}

  static JsonObject checkpoint(Row row) {
    return new JsonObject()
        .put("id", row.getLong("id"))
        .put("sessionId", row.getString("session_id"))
        .put("project", row.getString("project"))
        .put("runId", row.getString("run_id"))
        .put("model", row.getString("model"))
        .put("level", row.getString("level"))
        .put("epoch", row.getInteger("epoch"))
        .put("contextTokens", row.getLong("context_tokens"))
        .put("percentOfThreshold", row.getDouble("percent_of_threshold"))
        .put("threshold", row.getLong("threshold"))
        .put("window", row.getLong("context_window"))
        .put("requestsLeft", row.getDouble("requests_left"))
        .put("minutesLeft", row.getDouble("minutes_left"))
        .put("totals", row.getValue("totals"))
        .put("lastPromptId", row.getString("last_prompt_id"))
        .put("samples", row.getValue("samples"))
        .put("time", iso(instant(row, "created_at")));
  }

  static JsonObject delivery(Row row) {
    return delivery(WebhookDelivery.of(row));
  }

  static JsonObject delivery(WebhookDelivery delivery) {
    return new JsonObject()
        .put("id", delivery.id().toString())
        .put("endpoint", delivery.endpoint())
        .put("event", delivery.eventType())
        .put("sessionId", delivery.sessionId())
        .put("project", delivery.project())
        .put("status", delivery.status())
        .put("attempts", delivery.attempts())
        .put("nextAttemptAt", iso(delivery.nextAttemptAt()))
        .put("lastError", delivery.lastError())
        .put("lastStatusCode", delivery.lastStatusCode())
        .put("createdAt", iso(delivery.createdAt()))
        .put("deliveredAt", iso(delivery.deliveredAt()))
        .put("payload", delivery.payload());
  }


  /**
   * The stored summary with the typed columns put over it, the status as of {@code now}, and the
   * context level the checkpoint verticle assigned (ok until it assigned one).
   */
  static JsonObject session(Row row, Instant now, SessionConfig config) {
    JsonObject json = row.getValue("summary") instanceof JsonObject summary ? summary : new JsonObject();
    Instant lastReceivedAt = instant(row, "last_received_at");
    Instant closedAt = instant(row, "closed_at");
    return json.put("sessionId", row.getString("session_id"))
        .put("status", SessionStatus.of(lastReceivedAt, closedAt, instant(row, "waiting_since"), now, config).label())
        .put("project", row.getString("project"))
        .put("label", row.getString("label"))
        .put("runId", row.getString("run_id"))
        .put("parentSessionId", row.getString("parent_session_id"))
        .put("synthetic", row.getBoolean("synthetic"))
        .put("firstSeen", iso(instant(row, "first_seen")))
        .put("lastSeen", iso(instant(row, "last_seen")))
        .put("lastReceivedAt", iso(lastReceivedAt))
        .put("closedAt", iso(closedAt))
        .put("level", row.getString("level") == null ? "ok" : row.getString("level"));
  }

  /**
   * A run, from {@code Queries.runColumns}: its sessions by status, its status ({@code running}
   * while a session is active or waiting for a person, {@code idle} while none is but one may still resume, {@code finished}
   * once every one is stale or closed), and its time span: first seen to last activity, up to now
   * while it runs. Its totals are {@link #runTotals}.
   */
  static JsonObject run(Row row, Instant now) {
    JsonObject statuses = new JsonObject();
    for (SessionStatus status : SessionStatus.values()) {
      statuses.put(status.label(), row.getLong(status.label()));
    }
    long moving = statuses.getLong("active") + statuses.getLong("waiting");
    String status = moving > 0 ? "running" : statuses.getLong("idle") > 0 ? "idle" : "finished";
    Instant firstSeen = instant(row, "first_seen");
    Instant lastReceivedAt = instant(row, "last_received_at");
    Instant end = "running".equals(status) ? now : lastReceivedAt;
    return new JsonObject()
        .put("sessions", row.getLong("sessions"))
        .put("project", row.getString("project"))
        .put("status", status)
        .put("statuses", statuses)
        .put("firstSeen", iso(firstSeen))
        .put("lastReceivedAt", iso(lastReceivedAt))
        .put("durationSeconds", firstSeen == null || end == null ? null : Math.max(0, Duration.between(firstSeen, end).toMillis() / 1000.0));
  }

  /** A run's token and cost totals and its API requests. */
  static JsonObject runTotals(Row row) {
    return totals(row).put("apiRequests", saturatedSum(row, "api_requests"));
  }

  static JsonObject totals(Row row) {
    return new JsonObject()
        .put("inputTokens", saturatedSum(row, "input_tokens"))
        .put("outputTokens", saturatedSum(row, "output_tokens"))
        .put("cacheReadTokens", saturatedSum(row, "cache_read_tokens"))
        .put("cacheCreationTokens", saturatedSum(row, "cache_creation_tokens"))
        .put("costUsd", finiteSum(row, "cost_usd"))
        .put("costMicros", microsSum(row, "cost_usd"));
  }

  /** A numeric sum as a long, held at the largest (or smallest) long beyond it; null for a sum of nothing. */
  static Long saturatedSum(Row row, String column) {
    Numeric sum = row.getNumeric(column);
    if (sum == null) {
      return null;
    }
    return saturated(sum.bigDecimalValue());
  }

  /** A number as a long, held at the largest (or smallest) long beyond it. */
  static long saturated(BigDecimal value) {
    return value.compareTo(LONG_MAX) > 0 ? Long.MAX_VALUE : value.compareTo(LONG_MIN) < 0 ? Long.MIN_VALUE : value.longValue();
  }

  /** A numeric sum of finite doubles as a double, held at the largest finite double beyond it. */
  private static Double finiteSum(Row row, String column) {
    Numeric sum = row.getNumeric(column);
    if (sum == null) {
      return null;
    }
    double value = sum.doubleValue();
    return Double.isInfinite(value) ? Math.copySign(Double.MAX_VALUE, value) : value;
  }

  /** A numeric sum of dollars in micro-dollars, held at the ends of a long's range; null for a sum of nothing. */
  private static Long microsSum(Row row, String column) {
    Numeric sum = row.getNumeric(column);
    return sum == null ? null : Costs.micros(sum.bigDecimalValue());
  }

  /**
   * An event; its cost rounded to the micro-dollar (older versions stored the client's cost_usd as
   * it came, a NaN even), null when there is none or it is not finite.
   */
  static JsonObject event(Row row) {
    Double stored = row.getDouble("cost_usd");
    Double cost = stored != null && Double.isFinite(stored) ? stored : null;
    return new JsonObject()
        .put("time", iso(instant(row, "time")))
        .put("name", row.getString("event_name"))
        .put("sequence", row.getLong("event_sequence"))
        .put("promptId", row.getString("prompt_id"))
        .put("model", row.getString("model"))
        .put("inputTokens", row.getLong("input_tokens"))
        .put("outputTokens", row.getLong("output_tokens"))
        .put("cacheReadTokens", row.getLong("cache_read_tokens"))
        .put("cacheCreationTokens", row.getLong("cache_creation_tokens"))
        .put("costUsd", cost == null ? null : Costs.rounded(cost))
        .put("costMicros", cost == null ? null : Costs.micros(cost))
        .put("durationMs", row.getDouble("duration_ms"))
        .put("attributes", row.getValue("attributes"));
  }

  static JsonObject contextSample(Row row) {
    return new JsonObject()
        .put("time", iso(instant(row, "time")))
        .put("tokens", row.getLong("prompt_tokens"))
        .put("model", row.getString("model"))
        .put("compacted", row.getBoolean("compacted"));
  }

  static Instant instant(Row row, String column) {
    OffsetDateTime value = row.getOffsetDateTime(column);
    return value == null ? null : value.toInstant();
  }

  static String iso(Instant instant) {
    return instant == null ? null : instant.toString();
  }
}
