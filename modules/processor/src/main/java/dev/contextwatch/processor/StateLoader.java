package dev.contextwatch.processor;

import dev.contextwatch.core.db.ReadModels;
import dev.contextwatch.core.model.StoreBatch.SeriesState;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads committed state back from PostgreSQL, after a restart or when a session was evicted from
 * memory: from the read models persistence publishes ({@link ReadModels}), never its tables.
 */
final class StateLoader {
  private final Pool pool;
  private final int maxKeysPerSession;

  StateLoader(Pool pool, int maxKeysPerSession) {
    this.pool = pool;
    this.maxKeysPerSession = maxKeysPerSession;
  }

  Future<Map<String, SessionState>> sessions(Collection<String> ids) {
    if (ids.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    return pool.preparedQuery("SELECT session_id, version, summary FROM " + ReadModels.SESSIONS + " WHERE session_id = ANY($1::text[])")
        .execute(Tuple.of(ids.toArray(String[]::new)))
        .map(rows -> {
          Map<String, SessionState> found = new HashMap<>();
          for (Row row : rows) {
            found.put(row.getString(0), SessionSummaries.fromJson(row.getString(0), row.getJson(2), row.getLong(1),
                maxKeysPerSession));
          }
          return found;
        });
  }

  Future<Map<String, SeriesState>> series(Collection<String> keys) {
    if (keys.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    return pool.preparedQuery("SELECT series_key, session_id, metric_name, start_time_unix_ns, last_time_unix_ns, last_value"
            + " FROM " + ReadModels.METRIC_SERIES + " WHERE series_key = ANY($1::text[])")
        .execute(Tuple.of(keys.toArray(String[]::new)))
        .map(rows -> {
          Map<String, SeriesState> found = new HashMap<>();
          for (Row row : rows) {
            found.put(row.getString(0), new SeriesState(row.getString(0), row.getString(1), row.getString(2),
                row.getLong(3), row.getLong(4), row.getDouble(5)));
          }
          return found;
        });
  }

  /** Keys of records stored in the last {@code minutes}, with their sessions: exporter retries arrive within seconds. */
  Future<Map<String, String>> recentKeys(int minutes) {
    return pool.preparedQuery("SELECT dedup_key, session_id FROM " + ReadModels.RECORD_KEYS
            + " WHERE received_at > now() - make_interval(mins => $1)")
        .execute(Tuple.of(minutes))
        .map(rows -> {
          Map<String, String> keys = new HashMap<>();
          rows.forEach(row -> keys.put(row.getString(0), row.getString(1)));
          return keys;
        });
  }
}
