package dev.contextwatch.api;

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
import io.vertx.sqlclient.data.Numeric;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Burn rate: tokens and dollars per hour over the last ten minutes ("now") and the last hour, and
 * today's use projected to midnight at the last hour's rate, for the fleet, each project and each
 * session. Counted from the stored api_request events, as totals and reports are, in one statement
 * (grouping sets), so the fleet's figures are the database's own sums.
 */
final class BurnRateQueries {
  /** The windows as the columns' prefixes. */
  private static final String NOW = "now";
  private static final String HOUR = "hour";
  private static final String DAY = "day";
  private static final BigDecimal MILLIS_PER_HOUR = BigDecimal.valueOf(Duration.ofHours(1).toMillis());
  private static final String PROJECT_OF = "SELECT project FROM " + SESSIONS_WITH_LEVELS + " WHERE session_id = $1";
  /** grouping(project, session_id) of each grouping set's rows. */
  private static final int SESSION_ROW = 0;
  private static final int PROJECT_ROW = 1;
  /** The fastest first: by the last hour's cost, then the last ten minutes', then today's. */
  private static final Comparator<JsonObject> FASTEST = Comparator.<JsonObject>comparingDouble(o -> costPerHour(o, "lastHour"))
      .thenComparingDouble(o -> costPerHour(o, "now"))
      .thenComparingDouble(o -> o.getJsonObject("today").getDouble("costUsd"))
      .thenComparingLong(o -> o.getJsonObject("lastHour").getLong("tokensPerHour"))
      .reversed();

  private final Pool pool;

  BurnRateQueries(Pool pool) {
    this.pool = pool;
  }

  /** {@code {"at", "tz", "synthetic", "windows", "fleet": rates, "projects": [...], "sessions": [the limit fastest]}}. */
  Future<JsonObject> fleet(BurnRateQuery query) {
    Sql sql = new Sql();
    String statement = statement(query, sql, query.synthetic().condition("s.synthetic"));
    return pool.preparedQuery(statement).execute(sql.params()).map(rows -> fleetAnswer(query, rows));
  }

  /** {@code {"sessionId", "project", "at", "tz", "windows", "rates"}}; a 404 for an unknown session. */
  Future<JsonObject> session(String id, BurnRateQuery query) {
    return pool.preparedQuery(PROJECT_OF).execute(Tuple.of(id)).compose(projects -> {
      if (projects.size() == 0) {
        return Future.failedFuture(ApiException.notFound("no session with id '" + id + "'"));
      }
      Sql sql = new Sql();
      String statement = statement(query, sql, "session_id = " + sql.bind(id));
      return pool.preparedQuery(statement).execute(sql.params())
          .map(rows -> new JsonObject().put("sessionId", id).put("project", projects.iterator().next().getString("project"))
              .mergeIn(header(query)).put("rates", rates(fleetRow(rows), query)));
    });
  }

  /** The session's dollars per hour over the last hour before {@code at}; a 404 for an unknown session. */
  Future<Double> lastHourCostPerHour(String id, Instant at) {
    BurnRateQuery query = new BurnRateQuery(at, ZoneOffset.UTC, Synthetic.INCLUDE, 1);
    return session(id, query).map(burn -> burn.getJsonObject("rates").getJsonObject("lastHour").getDouble("costUsdPerHour"));
  }

  /**
   * Each window's sums per session, per project and over all: the events from the earliest window's
   * start up to {@code at} (excluded), each sum filtered to its window.
   */
  private static String statement(BurnRateQuery query, Sql sql, String condition) {
    String columns = window(NOW, sql.bind(utc(query.at().minus(BurnRateQuery.NOW)))) + ", "
        + window(HOUR, sql.bind(utc(query.at().minus(BurnRateQuery.LAST_HOUR)))) + ", "
        + window(DAY, sql.bind(utc(query.dayStart())));
    sql.where("event_name = 'api_request'")
        .where("time >= " + sql.bind(utc(query.scanFrom())))
        .where("time < " + sql.bind(utc(query.at())))
        .whereNotNull(condition);
    String events = "SELECT session_id, s.project, time, coalesce(input_tokens, 0) + coalesce(output_tokens, 0)"
        + " + coalesce(cache_read_tokens, 0) + coalesce(cache_creation_tokens, 0) AS tokens,"
        + " " + Rows.FINITE_COST + " AS cost"
        + " FROM " + EVENTS + " events LEFT JOIN (SELECT session_id, project, synthetic FROM " + SESSIONS_WITH_LEVELS
        + ") s USING (session_id)" + sql.whereClause();
    return "SELECT grouping(project, session_id) AS grouped, project, session_id, " + columns + " FROM (" + events + ") burn"
        + " GROUP BY GROUPING SETS ((project, session_id), (project), ())";
  }

  /** The sums of one window, from {@code start} on. */
  private static String window(String prefix, String start) {
    String filter = " FILTER (WHERE time >= " + start + ")";
    return "sum(tokens)" + filter + " AS " + prefix + "_tokens, sum(cost)" + filter + " AS " + prefix + "_cost, count(*)" + filter
        + " AS " + prefix + "_requests";
  }

  private static JsonObject fleetAnswer(BurnRateQuery query, RowSet<Row> rows) {
    List<JsonObject> projects = new ArrayList<>();
    List<JsonObject> sessions = new ArrayList<>();
    for (Row row : rows) {
      switch (row.getInteger("grouped")) {
        case SESSION_ROW -> sessions.add(new JsonObject().put("sessionId", row.getString("session_id"))
            .put("project", row.getString("project")).mergeIn(rates(row, query)));
        case PROJECT_ROW -> projects.add(new JsonObject().put("project", row.getString("project")).mergeIn(rates(row, query)));
        default -> { }
      }
    }
    projects.sort(FASTEST);
    sessions.sort(FASTEST);
    return header(query).put("synthetic", query.synthetic().label())
        .put("fleet", rates(fleetRow(rows), query))
        .put("projects", new JsonArray(new ArrayList<>(projects)))
        .put("sessions", new JsonArray(new ArrayList<>(sessions.subList(0, Math.min(query.limit(), sessions.size())))));
  }

  /** The row over every event (the empty grouping set, there even when no event is). */
  private static Row fleetRow(RowSet<Row> rows) {
    for (Row row : rows) {
      if (row.getInteger("grouped") > PROJECT_ROW) {
        return row;
      }
    }
    throw new IllegalStateException("the burn-rate statement returned no total row");
  }

  private static JsonObject header(BurnRateQuery query) {
    return new JsonObject()
        .put("at", query.at().toString())
        .put("tz", query.tz().getId())
        .put("windows", new JsonObject()
            .put("now", span(query.at().minus(BurnRateQuery.NOW), query.at()))
            .put("lastHour", span(query.at().minus(BurnRateQuery.LAST_HOUR), query.at()))
            .put("today", span(query.dayStart(), query.dayEnd()).put("day", query.day().toString())
                .put("hoursLeft", hoursLeft(query).doubleValue())));
  }

  private static JsonObject span(Instant from, Instant to) {
    return new JsonObject().put("from", from.toString()).put("to", to.toString());
  }

  /** The hours from {@code at} to the end of its day. */
  private static BigDecimal hoursLeft(BurnRateQuery query) {
    return millisLeft(query).divide(MILLIS_PER_HOUR, 6, RoundingMode.HALF_EVEN);
  }

  private static BigDecimal millisLeft(BurnRateQuery query) {
    return BigDecimal.valueOf(Duration.between(query.at(), query.dayEnd()).toMillis());
  }

  /** {@code {"now", "lastHour": {sums, "tokensPerHour", "costUsdPerHour"}, "today": {sums, "projectedTokens", "projectedCostUsd"}}}. */
  private static JsonObject rates(Row row, BurnRateQuery query) {
    BigDecimal hourTokens = sum(row, HOUR + "_tokens");
    BigDecimal hourCost = sum(row, HOUR + "_cost");
    // the last hour's sum is its rate per hour: at that rate, the rest of the day adds sum x hours left
    BigDecimal share = millisLeft(query);
    BigDecimal projectedTokens = sum(row, DAY + "_tokens").add(hourTokens.multiply(share).divide(MILLIS_PER_HOUR, 0, RoundingMode.HALF_UP));
    BigDecimal projectedCost = sum(row, DAY + "_cost").add(hourCost.multiply(share).divide(MILLIS_PER_HOUR, 6, RoundingMode.HALF_EVEN));
    return new JsonObject()
        .put("now", rate(row, NOW, BurnRateQuery.NOW))
        .put("lastHour", rate(row, HOUR, BurnRateQuery.LAST_HOUR))
        .put("today", sums(row, DAY)
            .put("projectedTokens", Rows.saturated(projectedTokens))
            .put("projectedCostUsd", projectedCost.doubleValue()));
  }

  /** A window's sums and its rate per hour: the sums times the hours per window (6 for ten minutes, 1 for an hour). */
  private static JsonObject rate(Row row, String prefix, Duration window) {
    BigDecimal perHour = MILLIS_PER_HOUR.divide(BigDecimal.valueOf(window.toMillis()));
    return sums(row, prefix)
        .put("tokensPerHour", Rows.saturated(sum(row, prefix + "_tokens").multiply(perHour)))
        .put("costUsdPerHour", sum(row, prefix + "_cost").multiply(perHour).doubleValue());
  }

  private static JsonObject sums(Row row, String prefix) {
    return new JsonObject()
        .put("tokens", Rows.saturated(sum(row, prefix + "_tokens")))
        .put("costUsd", sum(row, prefix + "_cost").doubleValue())
        .put("requests", row.getLong(prefix + "_requests"));
  }

  /** A numeric sum, zero for a sum of nothing. */
  private static BigDecimal sum(Row row, String column) {
    Numeric value = row.getNumeric(column);
    return value == null ? BigDecimal.ZERO : value.bigDecimalValue();
  }

  private static double costPerHour(JsonObject subject, String window) {
    return subject.getJsonObject(window).getDouble("costUsdPerHour");
  }

  private static Object utc(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }
}
