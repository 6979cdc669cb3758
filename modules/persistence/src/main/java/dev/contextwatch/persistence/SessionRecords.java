package dev.contextwatch.persistence;

import dev.contextwatch.core.model.DeletedRows;
import dev.contextwatch.core.model.SessionDeletion;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Deletes every row of some sessions from the tables persistence owns, all in one transaction, so
 * that a deleted project or run is gone from all of them or from none.
 */
final class SessionRecords {
  /**
   * Persistence's tables that hold rows of a session, in the order they are emptied. The usage
   * rollup too: retention keeps its rows beyond the events', a deletion must not.
   */
  static final List<String> TABLES = List.of("events", "metric_points", "spans", "context_samples", "metric_series", "sessions",
      "usage_rollup");

  private final Pool pool;

  SessionRecords(Pool pool) {
    this.pool = pool;
  }

  Future<DeletedRows> delete(SessionDeletion deletion) {
    Tuple ids = Tuple.of(deletion.sessionIds().toArray(String[]::new));
    return pool.withTransaction(conn -> {
      Map<String, Long> counts = new LinkedHashMap<>();
      Future<Void> chain = Future.succeededFuture();
      for (String table : TABLES) {
        chain = chain.compose(v -> deleteFrom(conn, table, ids).map(deleted -> {
          counts.put(table, deleted);
          return null;
        }));
      }
      return chain.map(v -> new DeletedRows(counts));
    });
  }

  private static Future<Long> deleteFrom(SqlConnection conn, String table, Tuple ids) {
    return conn.preparedQuery("DELETE FROM " + table + " WHERE session_id = ANY($1::text[])").execute(ids)
        .map(rows -> (long) rows.rowCount());
  }
}
