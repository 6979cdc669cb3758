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
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Map;

/**
 * Token and cost use over time from the stored api_request events, per bucket and per model or
 * project. One scan of the events: they are summed per {@code fine} bucket (the requested size, or
 * minutes for {@code auto}), and those sums per bucket of the size the data's span calls for.
 */
final class UsageQueries {
  /** What a group's key is and where it comes from: the event's own model, or its session's project. */
  private static final Map<String, String> GROUPS = Map.of(
      "model", "model AS key FROM " + EVENTS + " events",
      "project", "project AS key FROM " + EVENTS + " events LEFT JOIN (SELECT session_id, project FROM " + SESSIONS_WITH_LEVELS
          + ") s USING (session_id)");

  private final Pool pool;

  UsageQueries(Pool pool) {
    this.pool = pool;
  }

  /**
   * {@code {"from", "to", "bucket", "auto", "tz", "group", "synthetic", "items": [{"time", "key", tokens..., "costUsd", "requests"}]}},
   * by time then key; {@code bucket} is the size used, which {@code auto} chose from the data.
   */
  Future<JsonObject> usage(UsageQuery query) {
    boolean auto = UsageQuery.AUTO.equals(query.bucket());
    String fine = "SELECT date_trunc($1, time, $4) AS fine, " + TOTALS + ", count(*) AS requests, " + GROUPS.get(query.group())
        + " WHERE event_name = 'api_request' AND time >= $2 AND time < $3" + sessions(query.synthetic())
        + " GROUP BY 1, key";
    String size = auto ? "SELECT " + autoSize() + " AS size FROM fine" : "SELECT $1::text AS size";
    String sql = "WITH fine AS (" + fine + "), size AS (" + size + ") SELECT date_trunc(size.size, fine, $4) AS bucket,"
        + " size.size, " + TOTALS + ", sum(requests) AS requests, key FROM fine, size"
        + " GROUP BY 1, size.size, key ORDER BY 1, key NULLS LAST";
    Tuple params = Tuple.of(auto ? UsageQuery.SIZES.get(0) : query.bucket(), query.from().atOffset(ZoneOffset.UTC),
        query.to().atOffset(ZoneOffset.UTC), query.tz().getId());
    return pool.preparedQuery(sql).execute(params).map(rows -> {
      JsonArray items = new JsonArray();
      // without data, auto's size is the one the whole range would call for
      String bucket = auto ? UsageQuery.autoSize(Duration.between(query.from(), query.to())) : query.bucket();
      for (Row row : rows) {
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

  /** {@link UsageQuery#autoSize} over the span of the fine buckets, in SQL. */
  private static String autoSize() {
    StringBuilder cases = new StringBuilder("CASE");
    for (int i = 0; i < UsageQuery.SIZES.size() - 1; i++) {
      cases.append(" WHEN max(fine) - min(fine) < interval '").append(UsageQuery.AUTO_MAX).append(' ')
          .append(UsageQuery.SIZES.get(i)).append("s' THEN '").append(UsageQuery.SIZES.get(i)).append('\'');
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
