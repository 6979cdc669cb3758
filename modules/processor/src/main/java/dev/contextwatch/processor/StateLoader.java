package dev.contextwatch.processor;

import dev.contextwatch.core.db.ReadModels;
import dev.contextwatch.core.model.StoreBatch.SeriesState;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads committed state back from PostgreSQL, after a restart or when a session was evicted from
 * memory: from the read models persistence publishes ({@link ReadModels}), never its tables.
 */
final class StateLoader {
  /** A stored threshold beyond any count a session keeps is not learnt from. */
  private static final BigDecimal MAX_TOKENS = BigDecimal.valueOf(Long.MAX_VALUE / 2);
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

  /** A project's compaction as a stored summary has it: where the client compacted. */
  record ProjectCompaction(String project, String model, String clientVersion, Long preTokens) {}

  /**
   * Every stored session of a project that saw an automatic compaction, the least recently active
   * first (so that, learnt in order, the latest wins); only sessions that compacted have their
   * summary read.
   */
  Future<List<ProjectCompaction>> projectCompactions() {
    return pool.preparedQuery("SELECT project, summary #>> '{context,model}', client_version,"
            + " CASE WHEN jsonb_typeof(summary #> '{context,observedThreshold}') = 'number'"
            + " THEN (summary #>> '{context,observedThreshold}')::numeric END"
            + " FROM " + ReadModels.SESSIONS + " WHERE project IS NOT NULL AND compactions > 0 ORDER BY last_received_at")
        .execute()
        .map(rows -> {
          List<ProjectCompaction> found = new ArrayList<>();
          for (Row row : rows) {
            BigDecimal tokens = row.getBigDecimal(3);
            if (tokens != null && tokens.signum() > 0 && tokens.compareTo(MAX_TOKENS) <= 0) {
              found.add(new ProjectCompaction(row.getString(0), row.getString(1), row.getString(2), tokens.longValue()));
            }
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
