package dev.contextwatch.api;

import static dev.contextwatch.core.db.ReadModels.SESSIONS_WITH_LEVELS;

import dev.contextwatch.core.model.Synthetic;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.time.Duration;
import java.util.Map;

/**
 * Token and cost use over time from the stored api_request events, per bucket and per model or
 * project, in one statement: the usage rows ({@link UsageRows}) are summed per {@code fine} bucket
 * (the requested size, or quarter hours for {@code auto}), and those sums per bucket of the size the
 * data's span calls for. Hours, days and months read the usage rollup; minutes, and {@code auto}
 * when the data spans minutes, read the raw events.
 */
final class UsageQueries {
  /** What a group's key is and where it comes from: the event's own model, or its session's project. */
  private static final Map<String, String> GROUPS = Map.of(
      "model", "model AS key FROM %s",
      "project", "project AS key FROM %s LEFT JOIN (SELECT session_id, project FROM " + SESSIONS_WITH_LEVELS
          + ") s USING (session_id)");
  /**
   * How much longer than the data's span the span of its quarter hours can be: {@code auto} asks the
   * raw events once the quarter hours' span could mean minutes.
   */
  private static final String QUARTER_HOUR_SLACK = " + interval '15 minutes'";

  private final Pool pool;

  UsageQueries(Pool pool) {
    this.pool = pool;
  }

  /**
   * {@code {"from", "to", "bucket", "auto", "tz", "group", "synthetic", "items": [{"time", "key", tokens..., "costUsd", "requests"}]}},
   * by time then key; {@code bucket} is the size used, which {@code auto} chose from the data.
   */
  Future<JsonObject> usage(UsageQuery query) {
    if ("minute".equals(query.bucket())) {
      return usage(query, false);
    }
    Future<JsonObject> rolledUp = usage(query, true);
    return UsageQuery.AUTO.equals(query.bucket())
        ? rolledUp.compose(answer -> "minute".equals(answer.getString("bucket")) ? usage(query, false) : Future.succeededFuture(answer))
        : rolledUp;
  }

  private Future<JsonObject> usage(UsageQuery query, boolean rolledUp) {
    boolean auto = UsageQuery.AUTO.equals(query.bucket());
    Sql sql = new Sql();
    String fineSize = sql.bind(auto ? UsageQuery.SIZES.get(0) : query.bucket());
    String tz = sql.bind(query.tz().getId());
    String rows = rolledUp ? UsageRows.rolledUp(sql, query.from(), query.to(), query.synthetic())
        : UsageRows.raw(sql, query.from(), query.to(), query.synthetic());
    String fine = "SELECT date_trunc(" + fineSize + ", time, " + tz + ") AS fine, " + UsageRows.SUMS + ", "
        + String.format(GROUPS.get(query.group()), rows) + " GROUP BY 1, key";
    String size = auto ? "SELECT " + autoSize(rolledUp ? QUARTER_HOUR_SLACK : "") + " AS size FROM fine"
        : "SELECT " + fineSize + "::text AS size";
    String statement = "WITH fine AS (" + fine + "), size AS (" + size + ") SELECT date_trunc(size.size, fine, " + tz + ") AS bucket,"
        + " size.size, " + UsageRows.SUMS + ", key FROM fine, size GROUP BY 1, size.size, key ORDER BY 1, key NULLS LAST";
    return pool.preparedQuery(statement).execute(sql.params()).map(result -> {
      JsonArray items = new JsonArray();
      // without data, auto's size is the one the whole range would call for
      String bucket = auto ? UsageQuery.autoSize(Duration.between(query.from(), query.to())) : query.bucket();
      for (Row row : result) {
        bucket = row.getString("size");
        items.add(new JsonObject()
            .put("time", Rows.iso(Rows.instant(row, "bucket")))
            .put("key", row.getString("key"))
            .mergeIn(Rows.totals(row))
            .put("requests", Rows.saturatedSum(row, "requests")));
      }
      return new JsonObject()
          .put("from", query.from().toString())
          .put("to", query.to().toString())
          .put("bucket", bucket)
          .put("auto", auto)
          .put("tz", query.tz().getId())
          .put("group", query.group())
          .put("synthetic", query.synthetic().label())
          .put("items", items);
    });
  }

  /** {@link UsageQuery#autoSize} over the span of the fine buckets (plus {@code slack} for the first size), in SQL. */
  private static String autoSize(String slack) {
    StringBuilder cases = new StringBuilder("CASE");
    for (int i = 0; i < UsageQuery.SIZES.size() - 1; i++) {
      cases.append(" WHEN max(fine) - min(fine) < interval '").append(UsageQuery.AUTO_MAX).append(' ')
          .append(UsageQuery.SIZES.get(i)).append("s'").append(i == 0 ? slack : "").append(" THEN '")
          .append(UsageQuery.SIZES.get(i)).append('\'');
    }
    return cases.append(" ELSE '").append(UsageQuery.SIZES.get(UsageQuery.SIZES.size() - 1)).append("' END").toString();
  }

  /** The condition on an event's session that {@code synthetic} asks for, or nothing: whether a load test simulated it. */
  static String sessions(Synthetic synthetic) {
    String marked = "SELECT 1 FROM " + SESSIONS_WITH_LEVELS + " marked WHERE marked.session_id = events.session_id AND marked.synthetic";
    return switch (synthetic) {
      case EXCLUDE -> " AND NOT EXISTS (" + marked + ")";
      case INCLUDE -> "";
      case ONLY -> " AND EXISTS (" + marked + ")";
    };
  }
}
