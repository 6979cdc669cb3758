package dev.contextwatch.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.core.bus.Addresses;
import dev.contextwatch.core.bus.LocalCodec;
import dev.contextwatch.core.config.ConfigLoader;
import dev.contextwatch.core.config.ContextwatchConfig;
import dev.contextwatch.core.config.RetentionConfig;
import dev.contextwatch.core.db.AdvisoryLocks;
import dev.contextwatch.core.model.RecordBatch;
import dev.contextwatch.core.model.Signal;
import dev.contextwatch.core.model.StoreBatch;
import dev.contextwatch.testkit.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class RetentionVerticleTest {

  @Test
  @DisplayName("rows past their table's retention are deleted in small batches while ingestion goes on; newer rows stay")
  void deletesOldRowsWhileIngesting(Vertx vertx) throws Exception {
    LocalCodec.registerAll(vertx);
    String url = TestDatabase.newDatabase();
    ContextwatchConfig defaults = ConfigLoader.defaults();
    await(vertx.deployVerticle(new PersistenceVerticle(defaults.database().withUrl(url), defaults.writer())));
    try (Connection c = TestDatabase.connect(url); Statement s = c.createStatement()) {
      s.execute("INSERT INTO events (time, session_id, resource, attributes, dedup_key) SELECT now() - interval '40 days', 'old',"
          + " '{}', '{}', 'old-' || g FROM generate_series(1, 1000) g");
      s.execute("INSERT INTO spans (time, end_time, trace_id, span_id, name, kind, status_code, resource, attributes, events, links,"
          + " dedup_key) SELECT now() - interval '40 days', now(), 't', 's' || g, 'n', 0, 0, '{}', '{}', '[]', '[]', 'span-' || g"
          + " FROM generate_series(1, 300) g");
      s.execute("INSERT INTO events (time, session_id, resource, attributes, dedup_key) VALUES (now() - interval '29 days',"
          + " 'recent', '{}', '{}', 'recent-1')");
    }

    await(vertx.deployVerticle(new RetentionVerticle(new RetentionConfig(30, 30, 30, 60, 50), defaults.database().withUrl(url))));
    List<Future<?>> ingestion = new ArrayList<>();
    for (int batch = 0; batch < 20; batch++) {
      int b = batch;
      ingestion.add(vertx.eventBus().request(Addresses.STORE, StoreBatch.of(new RecordBatch(Signal.LOGS,
          IntStream.range(0, 10).mapToObj(i -> PersistenceVerticleTest.event("live-" + b, i)).toList(), List.of(), List.of(), 0, null))));
    }
    await(Future.all(ingestion));

    // the job purges table after table: wait for the last one it visits
    Awaitility.await("the old rows purged").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
        .until(() -> count(url, "select (select count(*) from events where session_id = 'old') + (select count(*) from spans)") == 0);
    assertThat(count(url, "select count(*) from events where session_id = 'old'")).isZero();
    assertThat(count(url, "select count(*) from spans")).isZero();
    assertThat(count(url, "select count(*) from events where session_id = 'recent'")).isEqualTo(1);
    assertThat(count(url, "select count(*) from events where session_id like 'live-%'")).isEqualTo(200);
  }

  @Test
  @DisplayName("a retention pass is skipped while another node holds the retention lock, and runs once the lock is free")
  void oneNodeAtATime(Vertx vertx) throws Exception {
    LocalCodec.registerAll(vertx);
    String url = TestDatabase.newDatabase();
    ContextwatchConfig defaults = ConfigLoader.defaults();
    await(vertx.deployVerticle(new PersistenceVerticle(defaults.database().withUrl(url), defaults.writer())));
    try (Connection otherNode = TestDatabase.connect(url); Statement s = otherNode.createStatement()) {
      s.execute("INSERT INTO events (time, session_id, resource, attributes, dedup_key) SELECT now() - interval '40 days', 'old',"
          + " '{}', '{}', 'old-' || g FROM generate_series(1, 100) g");
      s.execute("SELECT pg_advisory_lock(" + AdvisoryLocks.RETENTION + ")");
      RetentionVerticle retention = new RetentionVerticle(new RetentionConfig(30, 30, 30, 60, 50), defaults.database().withUrl(url));
      await(vertx.deployVerticle(retention));

      assertThat(await(retention.run())).as("skipped: another node holds the lock").isEmpty();
      assertThat(count(url, "select count(*) from events where session_id = 'old'")).isEqualTo(100);

      s.execute("SELECT pg_advisory_unlock(" + AdvisoryLocks.RETENTION + ")");
      Optional<RetentionVerticle.Pass> pass = Awaitility.await("a pass that runs").atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(50)).until(() -> await(retention.run()), Optional::isPresent);
      assertThat(pass.orElseThrow().deletedRows()).isEqualTo(100);
      assertThat(count(url, "select count(*) from events where session_id = 'old'")).isZero();
    }
  }

  private static long count(String url, String sql) throws Exception {
    try (Connection c = TestDatabase.connect(url); ResultSet rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
