package dev.contextwatch.api;

import static dev.contextwatch.api.Rows.TOTALS;
import static dev.contextwatch.core.db.ReadModels.EVENTS;
import static dev.contextwatch.core.db.ReadModels.SESSIONS_WITH_LEVELS;

import dev.contextwatch.core.model.Synthetic;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.function.Function;

/**
 * The dashboard's analytics ({@link AnalyticsQuery#VIEWS}): cost and cache use over time, the
 * weekday-by-hour heatmap, and the costliest sessions, projects and models, each from one statement
 * over the stored api_request events of the range. Which requests count and what they carry is
 * said once, in {@link #requests}: every view reads that and nothing else.
 */
final class AnalyticsQueries {
  /** What each view adds to a group's totals. */
  private static final String COUNTS = "count(*) AS requests, count(DISTINCT prompt_id) AS prompts";
  /** The column a group's key is, by the query's {@code group} (never a request's text). */
  private static final Map<String, String> KEYS = Map.of("model", "model", "project", "project");

  private final Pool pool;

  AnalyticsQueries(Pool pool) {
    this.pool = pool;
  }

  Future<JsonObject> analytics(AnalyticsQuery query) {
    Future<JsonArray> items = switch (query.view()) {
      case "series" -> series(query);
      case "heatmap" -> select(query, "SELECT extract(isodow FROM time AT TIME ZONE $3)::int AS weekday,"
          + " extract(hour FROM time AT TIME ZONE $3)::int AS hour, " + TOTALS + ", " + COUNTS
          + " FROM requests GROUP BY 1, 2 ORDER BY 1, 2", Tuple.of(query.tz().getId()), AnalyticsQueries::cell);
      case "sessions" -> select(query, "SELECT session_id, min(label) AS label, min(project) AS project,"
          + " mode() WITHIN GROUP (ORDER BY model) AS model, greatest(min(first_seen), $1) AS started,"
          + " least(max(last_seen), $2) AS ended, " + TOTALS + ", " + COUNTS + " FROM requests GROUP BY session_id"
          + costliest(), Tuple.of(query.limit()), AnalyticsQueries::session);
      case "projects" -> groups(query, "project");
      default -> groups(query, "model");
    };
    return items.map(rows -> envelope(query).put("items", rows));
  }

  /**
   * The stored api_request events from {@code $1} to {@code $2} of the sessions {@code synthetic}
   * asks for, each with its session's project, label and wall-clock span: the one place that says
   * which rows the analytics read and where from.
   */
  private static String requests(Synthetic synthetic) {
    return "WITH requests AS (SELECT e.time, e.session_id, e.prompt_id, e.model, s.project, s.label, s.first_seen, s.last_seen,"
        + " e.input_tokens, e.output_tokens, e.cache_read_tokens, e.cache_creation_tokens, e.cost_usd"
        + " FROM " + EVENTS + " e LEFT JOIN " + SESSIONS_WITH_LEVELS + " s USING (session_id)"
        + " WHERE e.event_name = 'api_request' AND e.time >= $1 AND e.time < $2" + synthetic.and("s.synthetic") + ") ";
  }

  /**
   * Per bucket and group: the bucket's size is the one {@link UsageQuery#autoSize} picks for the
   * span of the requests, so an hour of data comes in minutes and a year in months.
   */
  private Future<JsonArray> series(AnalyticsQuery query) {
    return select(query, "SELECT min(time) AS first, max(time) AS last FROM requests", Tuple.tuple(), AnalyticsQueries::span)
        .map(span -> bucketSize(query, span.getJsonObject(0)))
        .compose(size -> select(query, "SELECT date_trunc($4, time, $3) AS bucket, $4 AS size, " + KEYS.get(query.group())
            + " AS key, " + TOTALS + ", " + COUNTS + " FROM requests GROUP BY 1, 3 ORDER BY 1, 3 NULLS LAST",
            Tuple.of(query.tz().getId(), size),
            AnalyticsQueries::bucket));
  }

  private static JsonObject span(Row row) {
    return new JsonObject().put("first", Rows.iso(Rows.instant(row, "first"))).put("last", Rows.iso(Rows.instant(row, "last")));
  }

  private static String bucketSize(AnalyticsQuery query, JsonObject span) {
    Instant first = span.getInstant("first");
    Instant last = span.getInstant("last");
    return UsageQuery.autoSize(first == null ? Duration.between(query.from(), query.to()) : Duration.between(first, last));
  }

  /** The costliest groups of {@code key}, with their sessions. */
  private Future<JsonArray> groups(AnalyticsQuery query, String key) {
    return select(query, "SELECT " + key + " AS key, " + TOTALS + ", " + COUNTS + ", count(DISTINCT session_id) AS sessions"
        + " FROM requests GROUP BY 1"
        + costliest(), Tuple.of(query.limit()), row -> group(row).put("sessions", row.getLong("sessions")));
  }

  /** Costliest first; ties (and groups without a cost) in a stable order; at most {@code $3}. */
  private static String costliest() {
    // a bare name in ORDER BY is the output column: the group's summed cost, not a request's
    return " ORDER BY cost_usd DESC NULLS LAST, 1 NULLS LAST LIMIT $3";
  }

  /** {@code select} over {@link #requests}, with {@code $1} from, {@code $2} to and then {@code more}. */
  private Future<JsonArray> select(AnalyticsQuery query, String select, Tuple more, Function<Row, Object> item) {
    Tuple params = Tuple.of(query.from().atOffset(ZoneOffset.UTC), query.to().atOffset(ZoneOffset.UTC));
    for (int i = 0; i < more.size(); i++) {
      params.addValue(more.getValue(i));
    }
    return pool.preparedQuery(requests(query.synthetic()) + select).execute(params).map(rows -> items(rows, item));
  }

  private static JsonArray items(RowSet<Row> rows, Function<Row, Object> item) {
    JsonArray items = new JsonArray();
    for (Row row : rows) {
      items.add(item.apply(row));
    }
    return items;
  }

  private static JsonObject envelope(AnalyticsQuery query) {
    return new JsonObject()
        .put("view", query.view())
        .put("from", query.from().toString())
        .put("to", query.to().toString())
        .put("tz", query.tz().getId())
        .put("group", query.group())
        .put("synthetic", query.synthetic().label());
  }

  private static JsonObject bucket(Row row) {
    return new JsonObject().put("time", Rows.iso(Rows.instant(row, "bucket"))).put("bucket", row.getString("size"))
        .mergeIn(group(row));
  }

  private static JsonObject cell(Row row) {
    return new JsonObject().put("weekday", row.getInteger("weekday")).put("hour", row.getInteger("hour")).mergeIn(usage(row));
  }

  private static JsonObject session(Row row) {
    Instant started = Rows.instant(row, "started");
    Instant ended = Rows.instant(row, "ended");
    return new JsonObject()
        .put("sessionId", row.getString("session_id"))
        .put("label", row.getString("label"))
        .put("project", row.getString("project"))
        .put("model", row.getString("model"))
        .put("started", Rows.iso(started))
        .put("ended", Rows.iso(ended))
        .put("durationSeconds", Math.max(0, Duration.between(started, ended).toMillis()) / 1000.0)
        .mergeIn(usage(row));
  }

  private static JsonObject group(Row row) {
    return new JsonObject().put("key", row.getString("key")).mergeIn(usage(row));
  }

  /**
   * A group's totals, requests and distinct prompts, and what follows from them: cost per request
   * and per prompt, and the cache hit ratio (cache read over all input: fresh, cache read and cache
   * creation); null where the divisor is zero.
   */
  private static JsonObject usage(Row row) {
    JsonObject usage = Rows.totals(row).put("requests", row.getLong("requests")).put("prompts", row.getLong("prompts"));
    long read = orZero(usage.getLong("cacheReadTokens"));
    long input = orZero(usage.getLong("inputTokens")) + read + orZero(usage.getLong("cacheCreationTokens"));
    double cost = usage.getDouble("costUsd") == null ? 0 : usage.getDouble("costUsd");
    return usage
        .put("totalTokens", input + orZero(usage.getLong("outputTokens")))
        .put("costPerRequest", ratio(cost, usage.getLong("requests")))
        .put("costPerPrompt", ratio(cost, usage.getLong("prompts")))
        .put("cacheHitRatio", ratio(read, input));
  }

  private static Double ratio(double part, long whole) {
    return whole == 0 ? null : part / whole;
  }

  private static long orZero(Long value) {
    return value == null ? 0 : value;
  }
}
