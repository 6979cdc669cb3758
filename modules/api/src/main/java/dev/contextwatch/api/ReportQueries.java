package dev.contextwatch.api;

import static dev.contextwatch.core.db.ReadModels.SESSIONS_WITH_LEVELS;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.util.Map;

/**
 * ccusage-style reports: the stored api_request events' usage columns (what every session's totals
 * are made of) summed per day, week, month, session, project or model, and over them all, in one
 * statement (grouping sets), so the total row is the database's own sum. They are read from the
 * usage rollup ({@link UsageRows}): a year costs its quarter hours, not its events, and a report
 * still covers what retention deleted from the events.
 */
final class ReportQueries {
  /** Where a grouping's value comes from: the event itself or its session. */
  private static final Map<String, String> COLUMNS = Map.of("session", "events.session_id", "project", "s.project",
      "model", "events.model", "user", "s.user_id", "label", "s.label");
  /** The report's columns after its key (and its {@code by} column), in order. */
  static final String[] FIGURES = {"inputTokens", "outputTokens", "cacheCreationTokens", "cacheReadTokens", "totalTokens",
      "costUsd", "requests"};

  private final Pool pool;

  ReportQueries(Pool pool) {
    this.pool = pool;
  }

  /**
   * {@code {"report", "key" (the name of the rows' key), "since", "until", "tz", "weekStart", "by", "synthetic", "rows": [{key, by?,
   * figures...}], "total": {figures...}}}, rows by key then {@code by}.
   */
  Future<JsonObject> report(ReportQuery query) {
    Sql sql = new Sql();
    String key = keyColumn(query, sql);
    String by = query.by() == null ? "NULL::text" : COLUMNS.get(query.by());
    String rows = "SELECT " + key + " AS key, " + by + " AS grp, events.* FROM "
        + UsageRows.rolledUp(sql, query.from(), query.to(), query.synthetic()) + " LEFT JOIN (SELECT"
        + " session_id, project, user_id, label FROM " + SESSIONS_WITH_LEVELS + ") s USING (session_id)";
    String statement = "SELECT key, grp, grouping(key, grp) = 3 AS total, " + UsageRows.SUMS + " FROM ("
        + rows + ") events GROUP BY GROUPING SETS ((key, grp), ()) ORDER BY total, key NULLS LAST, grp NULLS LAST";
    return pool.preparedQuery(statement).execute(sql.params()).map(result -> answer(query, result));
  }

  /** The key of the report's rows: a local day, week start or month in the query's zone, or a column. */
  private static String keyColumn(ReportQuery query, Sql sql) {
    return switch (query.report()) {
      case "daily" -> "to_char(time AT TIME ZONE " + sql.bind(query.tz().getId()) + ", 'YYYY-MM-DD')";
      case "monthly" -> "to_char(time AT TIME ZONE " + sql.bind(query.tz().getId()) + ", 'YYYY-MM')";
      case "weekly" -> {
        String local = "(time AT TIME ZONE " + sql.bind(query.tz().getId()) + ")";
        yield "to_char(" + local + "::date - (extract(isodow FROM " + local + ")::int - "
            + sql.bind(query.weekStart().getValue()) + " + 7) % 7, 'YYYY-MM-DD')";
      }
      default -> COLUMNS.get(query.report());
    };
  }

  private static JsonObject answer(ReportQuery query, Iterable<Row> result) {
    JsonArray rows = new JsonArray();
    JsonObject total = figures(null);
    for (Row row : result) {
      if (row.getBoolean("total")) {
        total = figures(row);
      } else {
        JsonObject line = new JsonObject().put(query.key(), row.getString("key"));
        if (query.by() != null) {
          line.put(query.by(), row.getString("grp"));
        }
        rows.add(line.mergeIn(figures(row)));
      }
    }
    return new JsonObject()
        .put("report", query.report())
        .put("key", query.key())
        .put("since", query.since() == null ? null : query.since().toString())
        .put("until", query.until() == null ? null : query.until().toString())
        .put("tz", query.tz().getId())
        .put("weekStart", query.weekStartLabel())
        .put("by", query.by())
        .put("synthetic", query.synthetic().label())
        .put("rows", rows)
        .put("total", total);
  }

  /** A row's sums in the report's columns, zero where nothing was summed ({@code row} null: no rows at all). */
  private static JsonObject figures(Row row) {
    JsonObject sums = row == null ? new JsonObject() : Rows.totals(row);
    long input = orZero(sums.getLong("inputTokens"));
    long output = orZero(sums.getLong("outputTokens"));
    long cacheCreation = orZero(sums.getLong("cacheCreationTokens"));
    long cacheRead = orZero(sums.getLong("cacheReadTokens"));
    return new JsonObject()
        .put("inputTokens", input)
        .put("outputTokens", output)
        .put("cacheCreationTokens", cacheCreation)
        .put("cacheReadTokens", cacheRead)
        .put("totalTokens", input + output + cacheCreation + cacheRead)
        .put("costUsd", sums.getDouble("costUsd") == null ? 0.0 : sums.getDouble("costUsd"))
        .put("requests", row == null ? 0L : orZero(Rows.saturatedSum(row, "requests")));
  }

  private static long orZero(Long value) {
    return value == null ? 0 : value;
  }
}
