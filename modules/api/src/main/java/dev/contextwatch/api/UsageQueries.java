package dev.contextwatch.api;

import static dev.contextwatch.api.Rows.TOTALS;

import dev.contextwatch.core.model.Synthetic;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.ZoneOffset;
import java.util.Map;

/** Token and cost use over time from the stored api_request events, per bucket and per model or project. */
final class UsageQueries {
  /** What a group's key is and where it comes from: the event's own model, or its session's project. */
  private static final Map<String, String> GROUPS = Map.of(
      "model", "model AS key FROM events",
      "project", "project AS key FROM events LEFT JOIN (SELECT session_id, project FROM sessions) s USING (session_id)");

  private final Pool pool;

  UsageQueries(Pool pool) {
    this.pool = pool;
  }

  /** {@code {"from", "to", "bucket", "group", "items": [{"time", "key", tokens..., "costUsd", "requests"}]}}, by time then key. */
  Future<JsonObject> usage(UsageQuery query) {
    String sql = "SELECT date_trunc($1, time, 'UTC') AS bucket, " + TOTALS + ", count(*) AS requests, "
        + GROUPS.get(query.group())
        + " WHERE event_name = 'api_request' AND time >= $2 AND time < $3" + sessions(query.synthetic())
        + " GROUP BY 1, key ORDER BY 1, key NULLS LAST";
    Tuple params = Tuple.of(query.bucket(), query.from().atOffset(ZoneOffset.UTC), query.to().atOffset(ZoneOffset.UTC));
    return pool.preparedQuery(sql).execute(params).map(rows -> {
      JsonArray items = new JsonArray();
      rows.forEach(row -> items.add(new JsonObject()
          .put("time", Rows.iso(Rows.instant(row, "bucket")))
          .put("key", row.getString("key"))
          .mergeIn(Rows.totals(row))
          .put("requests", row.getLong("requests"))));
      return new JsonObject()
          .put("from", query.from().toString())
          .put("to", query.to().toString())
          .put("bucket", query.bucket())
          .put("group", query.group())
          .put("synthetic", query.synthetic().label())
          .put("items", items);
    });
  }

  /** The condition on an event's session that {@code synthetic} asks for, or nothing: whether a load test simulated it. */
  private static String sessions(Synthetic synthetic) {
    String marked = "SELECT 1 FROM sessions marked WHERE marked.session_id = events.session_id AND marked.synthetic";
    return switch (synthetic) {
      case EXCLUDE -> " AND NOT EXISTS (" + marked + ")";
      case INCLUDE -> "";
      case ONLY -> " AND EXISTS (" + marked + ")";
    };
  }
}
