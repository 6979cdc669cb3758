package dev.contextwatch.persistence;

import dev.contextwatch.core.bus.StoreFailure;
import dev.contextwatch.core.config.WriterConfig;
import dev.contextwatch.core.db.Databases;
import dev.contextwatch.core.metrics.Meters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import dev.contextwatch.core.model.EventRecord;
import dev.contextwatch.core.model.MetricPoint;
import dev.contextwatch.core.model.StoreBatch;
import dev.contextwatch.core.model.StoreOutcome;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit. Batches from concurrent requests queue up; a flush takes up to
 * {@code maxBatchRecords} of them, writes one statement per table in one transaction, and only
 * after the commit replies to each batch's sender. A batch is never split across flushes, so a
 * request's records commit together. PostgreSQL decides what is new: a flush in which an event or
 * data point was already stored, or a session row changed since its batch was computed, is rolled
 * back and its batches written again one by one; one that conflicts alone is answered with a
 * {@link StoreOutcome} naming what was already stored, so its sender can recompute it. Runs on one
 * event loop: no locks.
 */
final class GroupCommitWriter {
  private static final Logger LOG = LoggerFactory.getLogger(GroupCommitWriter.class);

  private final Vertx vertx;
  private final Pool pool;
  private final WriterConfig config;
  private final ArrayDeque<Message<StoreBatch>> queue = new ArrayDeque<>();
  /** Batches to be flushed on their own, after a flush they were part of was refused or conflicted. */
  private final Set<Message<StoreBatch>> isolated = new HashSet<>();
  private int queuedRecords;
  private int flushesInFlight;
  private long timerId = -1;
  private boolean stopping;
  private Promise<Void> drained;
  private boolean lastFlushFailed;
  private final DistributionSummary flushRecords;
  private final Timer flushTime;
  /** Rows actually inserted (duplicates excluded) by table. */
  private final Map<String, Counter> stored;
  private final Counter conflicts;

  GroupCommitWriter(Vertx vertx, Pool pool, WriterConfig config) {
    this.vertx = vertx;
    this.pool = pool;
    this.config = config;
    MeterRegistry meters = Meters.registry();
    Gauge.builder("contextwatch_write_queue_records", this, w -> w.queuedRecords).register(meters);
    this.flushRecords = DistributionSummary.builder("contextwatch_flush_records").publishPercentileHistogram().register(meters);
    this.flushTime = Timer.builder("contextwatch_flush_seconds").publishPercentileHistogram().register(meters);
    this.stored = Map.of("events", Counter.builder("contextwatch_records_stored_total").tag("signal", "logs").register(meters),
        "metric_points", Counter.builder("contextwatch_records_stored_total").tag("signal", "metrics").register(meters),
        "spans", Counter.builder("contextwatch_records_stored_total").tag("signal", "traces").register(meters));
    this.conflicts = Counter.builder("contextwatch_store_conflicts_total").register(meters);
  }

  /** The batches of one transaction; {@code alone} when one batch is written on its own after a refusal or conflict. */
  private record Flush(List<Message<StoreBatch>> messages, boolean alone) {}

  void submit(Message<StoreBatch> message) {
    StoreBatch batch = message.body();
    if (stopping) {
      message.fail(StoreFailure.UNAVAILABLE.code, "shutting down");
      return;
    }
    if (queuedRecords > 0 && queuedRecords + batch.size() > config.maxQueuedRecords()) {
      message.fail(StoreFailure.SATURATED.code, queuedRecords + " records already waiting to be written");
      return;
    }
    queue.add(message);
    queuedRecords += batch.size();
    if (queuedRecords >= config.maxBatchRecords() || config.flushIntervalMs() == 0) {
      flushWhatIsQueued();
    } else if (timerId < 0) {
      timerId = vertx.setTimer(config.flushIntervalMs(), id -> {
        timerId = -1;
        flushWhatIsQueued();
      });
    }
  }

  /** Stops taking batches and completes once everything already accepted has been written or refused. */
  Future<Void> drain() {
    stopping = true;
    drained = Promise.promise();
    flushWhatIsQueued();
    completeDrainIfIdle();
    return drained.future();
  }

  int queuedRecords() {
    return queuedRecords;
  }

  private void flushWhatIsQueued() {
    while (!queue.isEmpty() && flushesInFlight < config.maxConcurrentFlushes()) {
      flush(takeFlush());
    }
  }

  /** The next flush: queued batches up to maxBatchRecords (at least one), or one isolated batch alone. */
  private Flush takeFlush() {
    Message<StoreBatch> first = queue.poll();
    List<Message<StoreBatch>> taken = new ArrayList<>(List.of(first));
    int records = first.body().size();
    boolean alone = isolated.remove(first);
    if (!alone) {
      while (!queue.isEmpty() && !isolated.contains(queue.peek())
          && records + queue.peek().body().size() <= config.maxBatchRecords()) {
        Message<StoreBatch> next = queue.poll();
        records += next.body().size();
        taken.add(next);
      }
    }
    queuedRecords -= records;
    return new Flush(taken, alone);
  }

  private void flush(Flush flush) {
    flushesInFlight++;
    List<StoreBatch> batches = flush.messages().stream().map(Message::body).toList();
    flushRecords.record(batches.stream().mapToInt(StoreBatch::size).sum());
    long start = System.nanoTime();
    Written written = new Written(flush.alone());
    pool.withTransaction(conn -> write(conn, batches, written))
        .onComplete(result -> {
          flushTime.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
          flushesInFlight--;
          if (result.succeeded()) {
            countStored(written);
            onCommitted(flush.messages());
          } else {
            onFailed(flush, result.cause());
          }
          flushWhatIsQueued();
          completeDrainIfIdle();
        });
  }

  /**
   * Writes every table of one flush. Events and data points are new exactly when their insert
   * stores every row sent (in a group a plain insert that fails on any stored key, alone one that
   * skips them and says which), and sessions are current exactly when their versioned upsert counts
   * every row: the common path costs nothing beyond what the statements do anyway. Anything less
   * fails the transaction: at once for a group, after every statement for a batch alone, so that it
   * can name what was already stored. Spans move no totals and are not checked.
   */
  private Future<Void> write(SqlConnection conn, List<StoreBatch> batches, Written written) {
    return insertNew(conn, RecordTables.EVENTS, collect(batches, StoreBatch::events), EventRecord::dedupKey, written)
        .compose(v -> insertNew(conn, RecordTables.METRIC_POINTS, collect(batches, StoreBatch::points),
            MetricPoint::dedupKey, written))
        .compose(v -> insert(conn, RecordTables.SPANS, collect(batches, StoreBatch::spans), written))
        .compose(v -> insert(conn, RecordTables.CONTEXT_SAMPLES, collect(batches, StoreBatch::contextSamples), written))
        .compose(v -> insert(conn, RecordTables.METRIC_SERIES, collect(batches, StoreBatch::series), written))
        .compose(v -> upsertSessions(conn, collect(batches, StoreBatch::sessions), written))
        .compose(v -> written.conflicted() ? Future.failedFuture(new Conflict(written.alreadyStored)) : Future.succeededFuture());
  }

  /**
   * Records whose unique key decides what is new. In a group, any key stored already (or sent twice)
   * fails the plain insert with a unique violation, which is a conflict, never refused data: the
   * group is split and each batch written alone. Alone, the statement skips what is stored and
   * answers the keys it inserted.
   */
  private <R> Future<Void> insertNew(SqlConnection conn, BulkInsert<R> table, List<R> rows, Function<R, String> key,
      Written written) {
    if (rows.isEmpty()) {
      return Future.succeededFuture();
    }
    if (!written.alone) {
      return execute(conn, table.sqlFailingOnDuplicates(), table, rows, written).<Void>mapEmpty()
          .recover(cause -> Future.failedFuture(uniqueViolation(cause) ? new Conflict(Set.of()) : cause));
    }
    return execute(conn, table.sqlReturning("dedup_key"), table, rows, written).map(inserted -> {
      Set<String> already = new HashSet<>();
      rows.forEach(row -> already.add(key.apply(row)));
      inserted.forEach(row -> already.remove(row.getString(0)));
      written.alreadyStored.addAll(already);
      return null;
    });
  }

  /** SQLSTATE 23505: the one integrity violation that means "stored already", not bad data. */
  private static boolean uniqueViolation(Throwable cause) {
    return cause instanceof PgException pg && "23505".equals(pg.getSqlState());
  }

  private Future<Void> upsertSessions(SqlConnection conn, List<StoreBatch.SessionRow> rows, Written written) {
    if (rows.isEmpty()) {
      return Future.succeededFuture();
    }
    return execute(conn, RecordTables.SESSIONS.sql(), RecordTables.SESSIONS, rows, written).compose(updated -> {
      if (updated.rowCount() == rows.size()) {
        return Future.succeededFuture();
      }
      written.staleSessions = true;
      return written.alone ? Future.succeededFuture() : Future.failedFuture(new Conflict(Set.of()));
    });
  }

  private <R> Future<Void> insert(SqlConnection conn, BulkInsert<R> table, List<R> rows, Written written) {
    return rows.isEmpty() ? Future.succeededFuture() : execute(conn, table.sql(), table, rows, written).mapEmpty();
  }

  private static <R> Future<RowSet<Row>> execute(SqlConnection conn, String sql, BulkInsert<R> table, List<R> rows,
      Written written) {
    return conn.preparedQuery(sql).execute(table.tuple(rows))
        .onSuccess(result -> written.inserted.merge(table.table(), result.rowCount(), Integer::sum));
  }

  private static <R> List<R> collect(List<StoreBatch> batches, Function<StoreBatch, List<R>> records) {
    List<R> all = new ArrayList<>();
    batches.forEach(batch -> all.addAll(records.apply(batch)));
    return all;
  }

  /** Counted once committed: a flush rolled back stored nothing. */
  private void countStored(Written written) {
    written.inserted.forEach((table, rows) -> {
      Counter counter = stored.get(table);
      if (counter != null) {
        counter.increment(rows);
      }
    });
  }

  private void onCommitted(List<Message<StoreBatch>> messages) {
    if (lastFlushFailed) {
      lastFlushFailed = false;
      LOG.info("event=database_recovered");
    }
    messages.forEach(message -> message.reply(StoreOutcome.COMMITTED));
  }

  private void onFailed(Flush flush, Throwable cause) {
    List<Message<StoreBatch>> messages = flush.messages();
    if (cause instanceof Conflict conflict) {
      conflicted(flush, conflict);
    } else if (Databases.refusedData(cause)) {
      refused(flush, cause);
    } else {
      if (!lastFlushFailed) {
        LOG.warn("event=flush_failed batches={} reason=\"{}\"", messages.size(), cause.getMessage());
      }
      lastFlushFailed = true;
      messages.forEach(message -> message.fail(StoreFailure.UNAVAILABLE.code, "the database did not commit the transaction"));
    }
  }

  /** A group is written again batch by batch to find whose part was already stored; alone, the batch hears what. */
  private void conflicted(Flush flush, Conflict conflict) {
    if (!flush.alone()) {
      isolate(flush.messages());
      return;
    }
    conflicts.increment();
    flush.messages().get(0).reply(StoreOutcome.conflict(conflict.alreadyStored));
  }

  /**
   * The database refused the data, not the connection: one bad batch must not fail the requests
   * it shared a flush with, so each is tried again alone; alone, it is refused for good.
   */
  private void refused(Flush flush, Throwable cause) {
    List<Message<StoreBatch>> messages = flush.messages();
    if (messages.size() > 1) {
      isolate(messages);
      return;
    }
    LOG.warn("event=batch_refused records={} reason=\"{}\"", messages.get(0).body().size(), cause.getMessage());
    messages.get(0).fail(StoreFailure.REFUSED.code,
        "the database refused a value in these records (too long to index, out of range or malformed)");
  }

  /** Puts the batches back at the head of the queue, each to be flushed on its own. */
  private void isolate(List<Message<StoreBatch>> messages) {
    for (int i = messages.size() - 1; i >= 0; i--) {
      queue.addFirst(messages.get(i));
      isolated.add(messages.get(i));
      queuedRecords += messages.get(i).body().size();
    }
  }

  /** What one flush's statements found: rows inserted by table, and what was there already. */
  private static final class Written {
    final boolean alone;
    final Map<String, Integer> inserted = new HashMap<>();
    final Set<String> alreadyStored = new HashSet<>();
    boolean staleSessions;

    Written(boolean alone) {
      this.alone = alone;
    }

    boolean conflicted() {
      return staleSessions || !alreadyStored.isEmpty();
    }
  }

  /** Rolls a flush back: part of it was already stored, or a session row changed since it was computed. */
  private static final class Conflict extends RuntimeException {
    final Set<String> alreadyStored;

    Conflict(Set<String> alreadyStored) {
      super("already stored", null, false, false);
      this.alreadyStored = alreadyStored;
    }
  }

  private void completeDrainIfIdle() {
    if (drained != null && queue.isEmpty() && flushesInFlight == 0) {
      drained.tryComplete();
    }
  }
}
