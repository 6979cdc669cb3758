package dev.contextwatch.core.db;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.Optional;
import java.util.function.Function;

/**
 * The PostgreSQL advisory locks under which a periodic job runs on one node at a time when several
 * share the database (docs/cluster.md): every key in one place, so no two jobs take the same one.
 * A lock is session-level, held on one connection for the whole pass: a node that dies mid-pass
 * loses its connection, and with it the lock.
 */
public final class AdvisoryLocks {
  /** The checkpoint verticle's lifecycle sweep (active to idle, idle and waiting to stale). */
  public static final long LIFECYCLE_SWEEP = 0x4357_0001L;
  /** Retention's pass over the record tables' partitions. */
  public static final long RETENTION = 0x4357_0002L;

  private AdvisoryLocks() {}

  /**
   * Runs {@code work} on one connection of {@code pool} while holding {@code key}; empty, without
   * running it, when another session (another node) holds the lock. The lock is released when the
   * work ends, however it ends. The work's result must not be null.
   */
  public static <T> Future<Optional<T>> whileHeld(Pool pool, long key, Function<SqlConnection, Future<T>> work) {
    return pool.withConnection(conn -> conn.preparedQuery("SELECT pg_try_advisory_lock($1)").execute(Tuple.of(key))
        .compose(rows -> !rows.iterator().next().getBoolean(0) ? Future.succeededFuture(Optional.<T>empty())
            : work.apply(conn).map(Optional::of)
                .eventually(() -> conn.preparedQuery("SELECT pg_advisory_unlock($1)").execute(Tuple.of(key)))));
  }
}
