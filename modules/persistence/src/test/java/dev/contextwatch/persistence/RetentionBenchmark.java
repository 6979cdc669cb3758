package dev.contextwatch.persistence;

import dev.contextwatch.core.bus.Addresses;
import dev.contextwatch.core.bus.LocalCodec;
import dev.contextwatch.core.config.ConfigLoader;
import dev.contextwatch.core.config.ContextwatchConfig;
import dev.contextwatch.core.model.EventRecord;
import dev.contextwatch.core.model.Origin;
import dev.contextwatch.core.model.RecordBatch;
import dev.contextwatch.core.model.Signal;
import dev.contextwatch.core.model.StoreBatch;
import dev.contextwatch.testkit.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Retention deleting old rows against dropping their day partitions, and the writer's ingest rate
 * meanwhile (docs/performance.md, "Issue 17: partitions and retention"). Rows: a database migrated
 * to V9, filled with {@code -Dcontextwatch.bench.retentionRows} events spread over the three days
 * from 40 days ago, then upgraded, so that they sit in the legacy partition with today's ingest,
 * as in the one table before V10; retention deletes them in batches with RetentionVerticle's
 * statement. Partitions: a new database, the same rows in their day partitions; retention drops
 * them. The two alternate, {@code -Dcontextwatch.bench.rounds} (2) times each. Opt-in:
 *
 * <pre>
 * nice -n 10 mvn -B -q verify -pl modules/persistence -am -Dtest=RetentionBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dcontextwatch.bench.retentionRows=1000000
 * </pre>
 */
@EnabledIfSystemProperty(named = "contextwatch.bench.retentionRows", matches = "\\d+")
class RetentionBenchmark {
  private static final Origin ORIGIN = new Origin(new JsonObject().put("service.name", "claude-code"), "scope", "1.0");
  private static final long ROWS = Long.getLong("contextwatch.bench.retentionRows", 0);
  private static final int ROUNDS = Integer.getInteger("contextwatch.bench.rounds", 2);
  private static final int BATCH_ROWS = 5000;
  private static final long INGEST_MILLIS = 5000;
  private static final String FILL = "INSERT INTO events (time, session_id, event_name, resource, attributes, dedup_key)"
      + " SELECT now() - interval '40 days' + g * (interval '3 days' / %d), 's-' || (g %% 1000), 'tool_result',"
      + " '{\"service.name\": \"claude-code\"}', '{\"tool_name\": \"Read\"}', 'old-' || g FROM generate_series(1, %d) g";
  private static final String CUTOFF = "now() - interval '30 days'";

  private record Measured(String variant, double retentionSeconds, double idleRecordsPerSecond, double duringRecordsPerSecond) {}

  @Test
  @DisplayName("retention deleting three days of rows against dropping their day partitions, with the writer's rate meanwhile")
  void deleteAgainstDrop() throws Exception {
    List<Measured> results = new ArrayList<>();
    for (int round = 0; round < ROUNDS; round++) {
      results.add(measure(false));
      results.add(measure(true));
    }
    for (Measured m : results) {
      System.out.printf("RESULT %s rows=%d retention_s=%.3f ingest_idle=%.0f/s ingest_during=%.0f/s%n", m.variant(), ROWS,
          m.retentionSeconds(), m.idleRecordsPerSecond(), m.duringRecordsPerSecond());
    }
  }

  private Measured measure(boolean partitioned) throws Exception {
    String url = TestDatabase.newDatabase();
    Vertx vertx = Vertx.vertx();
    try {
      LocalCodec.registerAll(vertx);
      if (!partitioned) {
        PgConnectOptions options = PgConnectOptions.fromUri(url);
        Flyway.configure().configuration(dev.contextwatch.core.db.Migrations.flyway(options, Migrations.OWNER).getConfiguration())
            .target("9").load().migrate();
        execute(url, FILL.formatted(ROWS, ROWS));
      }
      ContextwatchConfig defaults = ConfigLoader.defaults();
      await(vertx.deployVerticle(new PersistenceVerticle(defaults.database().withUrl(url), defaults.writer())));
      if (partitioned) {
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        execute(url, "SELECT record_partitions_create('events', '" + today.minusDays(41) + "', '" + today.minusDays(36) + "')");
        execute(url, FILL.formatted(ROWS, ROWS));
      }
      execute(url, "VACUUM ANALYZE events");
      String prefix = (partitioned ? "partitions-" : "rows-") + System.nanoTime();
      double idle = ingest(vertx, prefix + "-idle", CompletableFuture.completedFuture(0.0));
      CompletableFuture<Double> retention = CompletableFuture.supplyAsync(() -> retention(url, partitioned));
      double during = ingest(vertx, prefix + "-during", retention);
      if (!"0".equals(query(url, "SELECT count(*) FROM events WHERE time < " + CUTOFF))) {
        throw new AssertionError("old rows left after retention");
      }
      return new Measured(partitioned ? "partitions" : "rows", retention.get(), idle, during);
    } finally {
      await(vertx.close());
    }
  }

  /** The retention work on the events, timed: batched deletes (RetentionVerticle's statement) or dropping the days. */
  private static double retention(String url, boolean partitioned) {
    long start = System.nanoTime();
    try (Connection c = TestDatabase.connect(url); Statement s = c.createStatement()) {
      if (partitioned) {
        s.execute("SELECT record_partitions_drop('events', " + CUTOFF + ")");
      } else {
        int deleted;
        do {
          deleted = s.executeUpdate("DELETE FROM events_legacy WHERE ctid = ANY(ARRAY(SELECT ctid FROM events_legacy WHERE time < "
              + CUTOFF + " LIMIT " + BATCH_ROWS + "))");
        } while (deleted == BATCH_ROWS);
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return (System.nanoTime() - start) / 1e9;
  }

  /**
   * Events stored through the writer, 4 batches of 200 in flight, for at least INGEST_MILLIS and
   * until {@code until} is done; records per second.
   */
  private static double ingest(Vertx vertx, String prefix, CompletableFuture<?> until) throws Exception {
    AtomicLong stored = new AtomicLong();
    AtomicLong sent = new AtomicLong();
    long start = System.nanoTime();
    long end = start + TimeUnit.MILLISECONDS.toNanos(INGEST_MILLIS);
    Promise<Void> done = Promise.promise();
    Runnable[] next = new Runnable[1];
    next[0] = () -> {
      if (System.nanoTime() >= end && until.isDone()) {
        done.tryComplete();
        return;
      }
      long n = sent.getAndIncrement();
      Instant now = Instant.now();
      List<EventRecord> events = IntStream.range(0, 200).mapToObj(i -> new EventRecord(now, now, "live", "tool_result", (long) i,
          null, null, null, null, null, null, null, null, 9, "INFO", null, null, null, ORIGIN, new JsonObject(),
          prefix + "-" + n + "-" + i)).toList();
      vertx.eventBus().request(Addresses.STORE, StoreBatch.of(new RecordBatch(Signal.LOGS, events, List.of(), List.of(), 0, null)))
          .onSuccess(reply -> stored.addAndGet(events.size()))
          .onComplete(reply -> next[0].run());
    };
    vertx.runOnContext(v -> IntStream.range(0, 4).forEach(i -> next[0].run()));
    await(done.future());
    return stored.get() / ((System.nanoTime() - start) / 1e9);
  }

  private static void execute(String url, String sql) throws Exception {
    try (Connection c = TestDatabase.connect(url); Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static String query(String url, String sql) throws Exception {
    try (Connection c = TestDatabase.connect(url); ResultSet rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(600, TimeUnit.SECONDS);
  }
}
