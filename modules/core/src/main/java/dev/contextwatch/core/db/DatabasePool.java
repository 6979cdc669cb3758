package dev.contextwatch.core.db;

import dev.contextwatch.core.config.DatabaseConfig;
import java.util.Locale;

/**
 * Every connection pool the pipeline opens, one per verticle that reads or writes, with its size:
 * the one place that sizes them (docs/architecture.md, "Connection pools"). Its name, in lower
 * case, is the pool's {@code pool_name} in the {@code vertx_pool_*} metrics. At most the sum of the
 * sizes is open at once, so a server's {@code max_connections} must leave room for it.
 */
public enum DatabasePool {
  /** The group-commit writer: {@code poolSize} from the configuration, the flushes in flight at once. */
  PERSISTENCE(0),
  /** Retention's small deleting batches, one at a time. */
  RETENTION(1),
  /** Reading state back after a restart or an eviction; the dedup keys at start. */
  PROCESSOR(2),
  /** Levels, checkpoints and the outbox: a batch of assessments, the dispatchers' polls, the lifecycle sweep. */
  CHECKPOINT(4),
  /** Snapshots for new subscriptions and the fleet's tiles. */
  PUSH(2),
  /** The query API's reads, /ready and /metrics. */
  API(4);

  private final int size;

  DatabasePool(int size) {
    this.size = size;
  }

  /** The pool's size; only persistence's comes from the configuration. */
  public int size(DatabaseConfig config) {
    return this == PERSISTENCE ? config.poolSize() : size;
  }

  /** The {@code pool_name} of its metrics. */
  public String poolName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
