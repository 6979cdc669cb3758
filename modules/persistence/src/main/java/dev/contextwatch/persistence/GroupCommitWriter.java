package dev.contextwatch.persistence;

import dev.contextwatch.core.bus.StoreFailure;
import dev.contextwatch.core.config.WriterConfig;
import dev.contextwatch.core.metrics.Meters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import dev.contextwatch.core.model.StoreBatch;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.util.ArrayDeque;
import java.util.ArrayList;
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
 * request's records commit together. Runs on one event loop: no locks.
 */
final class GroupCommitWriter {
  private static final Logger LOG = LoggerFactory.getLogger(GroupCommitWriter.class);

  private final Vertx vertx;
  private final Pool pool;
  private final WriterConfig config;
  private final ArrayDeque<Message<StoreBatch>> queue = new ArrayDeque<>();
  /** Batches to be flushed on their own, after a flush they were part of was refused. */
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
  }

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
  private List<Message<StoreBatch>> takeFlush() {
    Message<StoreBatch> first = queue.poll();
    List<Message<StoreBatch>> taken = new ArrayList<>(List.of(first));
    int records = first.body().size();
    if (!isolated.remove(first)) {
      while (!queue.isEmpty() && !isolated.contains(queue.peek())
          && records + queue.peek().body().size() <= config.maxBatchRecords()) {
        Message<StoreBatch> next = queue.poll();
        records += next.body().size();
        taken.add(next);
      }
    }
    queuedRecords -= records;
    return taken;
  }

  private void flush(List<Message<StoreBatch>> messages) {
    flushesInFlight++;
    List<StoreBatch> batches = messages.stream().map(Message::body).toList();
    flushRecords.record(batches.stream().mapToInt(StoreBatch::size).sum());
    long start = System.nanoTime();
    pool.withTransaction(conn -> insertAll(conn, batches))
        .onComplete(result -> {
          flushTime.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
          flushesInFlight--;
          if (result.succeeded()) {
            onCommitted(messages);
          } else {
            onFailed(messages, result.cause());
          }
          flushWhatIsQueued();
          completeDrainIfIdle();
        });
  }

  private Future<Void> insertAll(SqlConnection conn, List<StoreBatch> batches) {
    return insert(conn, RecordTables.EVENTS, collect(batches, b -> b.records().events()))
        .compose(v -> insert(conn, RecordTables.METRIC_POINTS, collect(batches, b -> b.records().points())))
        .compose(v -> insert(conn, RecordTables.SPANS, collect(batches, b -> b.records().spans())))
        .compose(v -> insert(conn, RecordTables.CONTEXT_SAMPLES, collect(batches, StoreBatch::contextSamples)))
        .compose(v -> insert(conn, RecordTables.METRIC_SERIES, collect(batches, StoreBatch::series)))
        .compose(v -> insert(conn, RecordTables.SESSIONS, collect(batches, StoreBatch::sessions)));
  }

  private <R> Future<Void> insert(SqlConnection conn, BulkInsert<R> table, List<R> rows) {
    if (rows.isEmpty()) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery(table.sql()).execute(table.tuple(rows)).map(result -> {
      Counter counter = stored.get(table.table());
      if (counter != null) {
        counter.increment(result.rowCount());
      }
      return null;
    });
  }

  private static <R> List<R> collect(List<StoreBatch> batches, Function<StoreBatch, List<R>> records) {
    List<R> all = new ArrayList<>();
    batches.forEach(batch -> all.addAll(records.apply(batch)));
    return all;
  }

  private void onCommitted(List<Message<StoreBatch>> messages) {
    if (lastFlushFailed) {
      lastFlushFailed = false;
      LOG.info("event=database_recovered");
    }
    messages.forEach(message -> message.reply(null));
  }

  private void onFailed(List<Message<StoreBatch>> messages, Throwable cause) {
    if (refusedByTheDatabase(cause)) {
      refused(messages, cause);
      return;
    }
    if (!lastFlushFailed) {
      LOG.warn("event=flush_failed batches={} reason=\"{}\"", messages.size(), cause.getMessage());
    }
    lastFlushFailed = true;
    messages.forEach(message -> message.fail(StoreFailure.UNAVAILABLE.code, String.valueOf(cause.getMessage())));
  }

  /**
   * The database refused the data, not the connection: one bad batch must not fail the requests
   * it shared a flush with, so each is tried again alone; alone, it is refused for good.
   */
  private void refused(List<Message<StoreBatch>> messages, Throwable cause) {
    if (messages.size() == 1) {
      LOG.warn("event=batch_refused records={} reason=\"{}\"", messages.get(0).body().size(), cause.getMessage());
      messages.get(0).fail(StoreFailure.REFUSED.code, String.valueOf(cause.getMessage()));
      return;
    }
    for (int i = messages.size() - 1; i >= 0; i--) {
      queue.addFirst(messages.get(i));
      isolated.add(messages.get(i));
      queuedRecords += messages.get(i).body().size();
    }
  }

  /** Data exceptions (22), integrity violations (23), program limits such as an index row too large (54). */
  private static boolean refusedByTheDatabase(Throwable cause) {
    return cause instanceof PgException pg && pg.getSqlState() != null
        && (pg.getSqlState().startsWith("22") || pg.getSqlState().startsWith("23") || pg.getSqlState().startsWith("54"));
  }

  private void completeDrainIfIdle() {
    if (drained != null && queue.isEmpty() && flushesInFlight == 0) {
      drained.tryComplete();
    }
  }
}
