package dev.contextwatch.persistence;

import dev.contextwatch.core.config.DatabaseConfig;
import dev.contextwatch.core.config.RetentionConfig;
import dev.contextwatch.core.db.DatabasePool;
import dev.contextwatch.core.db.Databases;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes raw records past their table's retention, at start and then every interval. It deletes
 * a small batch per transaction through its own one-connection pool, so ingestion never waits on
 * it for long and never shares its connections.
 */
public final class RetentionVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(RetentionVerticle.class);

  /** A table and how many days of it, by its time column, are kept. */
  private record Rule(String table, int days) {}

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

  /** One pass over every table; a pass still running when the next is due is not doubled. */
  Future<Long> run() {
    if (running) {
      return Future.succeededFuture(0L);
    }
    running = true;
    Instant now = Instant.now();
    List<Rule> rules = List.of(new Rule("events", config.eventsDays()), new Rule("context_samples", config.eventsDays()),
        new Rule("metric_points", config.pointsDays()), new Rule("spans", config.spansDays()));
    Future<Long> total = Future.succeededFuture(0L);
    for (Rule rule : rules) {
      if (rule.days() > 0) {
        OffsetDateTime cutoff = OffsetDateTime.ofInstant(now.minus(Duration.ofDays(rule.days())), ZoneOffset.UTC);
        total = total.compose(sum -> purge(rule.table(), cutoff, 0).map(deleted -> sum + deleted));
      }
    }
    return total
        .onSuccess(deleted -> LOG.info("event=retention_done deleted_rows={}", deleted))
        .onFailure(e -> LOG.warn("event=retention_failed reason=\"{}\"", e.getMessage()))
        .onComplete(v -> running = false);
  }

  /** Deletes batch after batch until a batch comes back short. */
  private Future<Long> purge(String table, OffsetDateTime cutoff, long deletedSoFar) {
    return pool.preparedQuery("DELETE FROM " + table + " WHERE ctid = ANY(ARRAY(SELECT ctid FROM " + table
            + " WHERE time < $1 LIMIT $2))")
        .execute(Tuple.of(cutoff, config.batchRows()))
        .compose(rows -> rows.rowCount() < config.batchRows()
            ? Future.succeededFuture(deletedSoFar + rows.rowCount())
            : purge(table, cutoff, deletedSoFar + rows.rowCount()));
  }
}
