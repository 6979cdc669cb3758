package dev.contextwatch.persistence;

import dev.contextwatch.core.config.DatabaseConfig;
import dev.contextwatch.core.config.RetentionConfig;
import dev.contextwatch.core.db.AdvisoryLocks;
import dev.contextwatch.core.db.DatabasePool;
import dev.contextwatch.core.db.Databases;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the record tables' day partitions (V10): at start and then every interval it creates the
 * days ahead, drops the partitions wholly past their table's retention, and deletes the rows past
 * it from the partitions that have no day (legacy and default), a small batch per transaction. It
 * works through its own one-connection pool, so ingestion never shares its connections, and
 * deletes no row of a day partition: ingestion never competes with row deletes there. With
 * several nodes on one database a pass runs on one of them at a time, under an advisory lock
 * ({@link AdvisoryLocks#RETENTION}); a node that does not get it skips the pass.
 */
public final class RetentionVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(RetentionVerticle.class);

  /** Days after today that get their partition ahead of time (V10 creates as many). */
  static final int DAYS_AHEAD = 7;

  /** A partitioned record table and how many days of it, by its time column, are kept (0: all). */
  private record Rule(String table, int days) {}

  /** What one pass did. */
  record Pass(long createdPartitions, long droppedPartitions, long deletedRows) {
    Pass plus(Pass other) {
      return new Pass(createdPartitions + other.createdPartitions, droppedPartitions + other.droppedPartitions,
          deletedRows + other.deletedRows);
    }
  }

  private final RetentionConfig config;
  private final DatabaseConfig database;
  private Pool pool;
  private boolean running;

  public RetentionVerticle(RetentionConfig config, DatabaseConfig database) {
    this.config = config;
    this.database = database;
  }

  @Override
  public Future<?> start() {
    pool = Databases.pool(vertx, database, DatabasePool.RETENTION);
    vertx.setPeriodic(1, Duration.ofMinutes(config.intervalMinutes()).toMillis(), id -> run());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    return pool.close();
  }

  /**
   * One pass over every table; empty when skipped: a pass still running when the next is due is not
   * doubled, and one running on another node is not run here at the same time.
   */
  Future<Optional<Pass>> run() {
    if (running) {
      return Future.succeededFuture(Optional.empty());
    }
    running = true;
    return AdvisoryLocks.whileHeld(pool, AdvisoryLocks.RETENTION, this::pass)
        .onSuccess(pass -> pass.ifPresentOrElse(done -> LOG.info("event=retention_done created_partitions={} dropped_partitions={}"
                + " deleted_rows={}", done.createdPartitions(), done.droppedPartitions(), done.deletedRows()),
            () -> LOG.debug("event=retention_skipped reason=\"another node holds the retention lock\"")))
        .onFailure(e -> LOG.warn("event=retention_failed reason=\"{}\"", e.getMessage()))
        .onComplete(v -> running = false);
  }

  private Future<Pass> pass(SqlClient db) {
    Instant now = Instant.now();
    List<Rule> rules = List.of(new Rule("events", config.eventsDays()), new Rule("context_samples", config.eventsDays()),
        new Rule("metric_points", config.pointsDays()), new Rule("spans", config.spansDays()));
    Future<Pass> total = Future.succeededFuture(new Pass(0, 0, 0));
    for (Rule rule : rules) {
      total = total.compose(sum -> keep(db, rule, now).map(sum::plus));
    }
    return total;
  }

  /** One table: its days ahead, then (when it has a retention) its past partitions and rows. */
  private Future<Pass> keep(SqlClient db, Rule rule, Instant now) {
    LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
    Future<Long> created = count(db, "SELECT record_partitions_create($1::text::regclass, $2, $3)",
        Tuple.of(rule.table(), today, today.plusDays(DAYS_AHEAD)));
    if (rule.days() <= 0) {
      return created.map(n -> new Pass(n, 0, 0));
    }
    OffsetDateTime cutoff = OffsetDateTime.ofInstant(now.minus(Duration.ofDays(rule.days())), ZoneOffset.UTC);
    return created.compose(n -> count(db, "SELECT record_partitions_drop($1::text::regclass, $2)", Tuple.of(rule.table(), cutoff))
        .compose(dropped -> purgeUndated(db, rule.table(), cutoff).map(deleted -> new Pass(n, dropped, deleted))));
  }

  private static Future<Long> count(SqlClient db, String sql, Tuple arguments) {
    return db.preparedQuery(sql).execute(arguments).map(rows -> rows.iterator().next().getLong(0));
  }

  /** Deletes the rows past the cutoff from the partitions without a day: legacy and default. */
  private Future<Long> purgeUndated(SqlClient db, String table, OffsetDateTime cutoff) {
    return db.preparedQuery("SELECT partition::text FROM record_partitions($1::text::regclass) WHERE is_default OR from_time IS NULL")
        .execute(Tuple.of(table))
        .compose(rows -> {
          Future<Long> total = Future.succeededFuture(0L);
          for (Row row : rows) {
            total = total.compose(sum -> purge(db, row.getString(0), cutoff, sum));
          }
          return total;
        });
  }

  /** Deletes batch after batch until a batch comes back short. */
  private Future<Long> purge(SqlClient db, String table, OffsetDateTime cutoff, long deletedSoFar) {
    return db.preparedQuery("DELETE FROM " + table + " WHERE ctid = ANY(ARRAY(SELECT ctid FROM " + table
            + " WHERE time < $1 LIMIT $2))")
        .execute(Tuple.of(cutoff, config.batchRows()))
        .compose(rows -> rows.rowCount() < config.batchRows()
            ? Future.succeededFuture(deletedSoFar + rows.rowCount())
            : purge(db, table, cutoff, deletedSoFar + rows.rowCount()));
  }
}
