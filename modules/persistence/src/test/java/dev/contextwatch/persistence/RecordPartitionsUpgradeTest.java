package dev.contextwatch.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.core.bus.Addresses;
import dev.contextwatch.core.bus.LocalCodec;
import dev.contextwatch.core.config.ConfigLoader;
import dev.contextwatch.core.config.ContextwatchConfig;
import dev.contextwatch.core.config.RetentionConfig;
import dev.contextwatch.core.model.EventRecord;
import dev.contextwatch.core.model.Origin;
import dev.contextwatch.core.model.RecordBatch;
import dev.contextwatch.core.model.Signal;
import dev.contextwatch.core.model.StoreBatch;
import dev.contextwatch.core.model.StoreOutcome;
import dev.contextwatch.testkit.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.pgclient.PgConnectOptions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A database migrated up to V9 (unpartitioned record tables) upgrades to V10's partitions: its
 * tables become legacy partitions, and their rows are still read, deduplicated and retained.
 */
@ExtendWith(VertxExtension.class)
class RecordPartitionsUpgradeTest {
  private static final Origin ORIGIN = new Origin(new JsonObject(), "scope", "1.0");
  /** Every table's rows, through the published views where there is one. */
  private static final String ROWS = "select (select string_agg(dedup_key, ',' order by time) from events_view) || ' | '"
      + " || (select string_agg(dedup_key, ',' order by time) from metric_points) || ' | '"
      + " || (select count(*) from spans_view) || ' | ' || (select count(*) from context_samples_view) || ' | '"
      + " || (select sum(requests) from usage_rollup)";

  @Test
  @DisplayName("rows stored before the upgrade are still read, refused when sent again, and deleted by retention once past it; the rollup is untouched")
  void upgradeKeepsRows(Vertx vertx) throws Exception {
    LocalCodec.registerAll(vertx);
    String url = TestDatabase.newDatabase();
    PgConnectOptions options = PgConnectOptions.fromUri(url);
    Flyway.configure().configuration(dev.contextwatch.core.db.Migrations.flyway(options, Migrations.OWNER).getConfiguration())
        .target("9").load().migrate();
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    Instant old = now.minus(40, ChronoUnit.DAYS);
    Instant ahead = now.plus(30, ChronoUnit.DAYS);
    try (Connection c = TestDatabase.connect(url); Statement s = c.createStatement()) {
      for (Instant time : List.of(old, now, ahead)) {
        String key = time == old ? "old" : time == now ? "now" : "ahead";
        s.execute("INSERT INTO events (time, session_id, event_name, input_tokens, resource, attributes, dedup_key)"
            + " VALUES ('" + time + "', 's', 'api_request', 10, '{}', '{}', '" + key + "')");
        s.execute("INSERT INTO metric_points (time, session_id, metric_name, metric_type, resource, attributes, dedup_key)"
            + " VALUES ('" + time + "', 's', 'm', 'sum', '{}', '{}', 'point-" + key + "')");
        s.execute("INSERT INTO spans (time, end_time, trace_id, span_id, session_id, name, kind, status_code, resource, attributes,"
            + " events, links, dedup_key) VALUES ('" + time + "', '" + time + "', 't', '" + key + "', 's', 'n', 0, 0, '{}', '{}',"
            + " '[]', '[]', 'span-" + key + "')");
        s.execute("INSERT INTO context_samples (time, session_id, prompt_tokens, compacted, dedup_key)"
            + " VALUES ('" + time + "', 's', 1000, false, '" + key + "')");
      }
    }
    String before = query(url, ROWS);
    assertThat(before).isEqualTo("old,now,ahead | point-old,point-now,point-ahead | 3 | 3 | 3");

    ContextwatchConfig defaults = ConfigLoader.defaults();
    await(vertx.deployVerticle(new PersistenceVerticle(defaults.database().withUrl(url), defaults.writer())));

    assertThat(query(url, ROWS)).isEqualTo(before);
    String tomorrow = LocalDate.ofInstant(now, ZoneOffset.UTC).plusDays(1).toString();
    assertThat(query(url, "select string_agg(partition || ' ' || coalesce(from_time::text, '-') || ' '"
        + " || (to_time = '" + tomorrow + "T00:00:00Z')::text, ',') from record_partitions('events') where not is_default"
        + " and from_time is null")).isEqualTo("events_legacy - true");
    assertThat(query(url, "select string_agg(dedup_key, ',') from events_default")).isEqualTo("ahead");
    assertThat(query(url, "select count(*) from pg_inherits where inhparent = 'events_dedup'::regclass"
        + " and inhrelid = 'events_legacy_dedup'::regclass")).as("the old unique index serves the parent's").isEqualTo("1");

    StoreBatch again = StoreBatch.of(new RecordBatch(Signal.LOGS, List.of(event("old", old), event("now", now), event("ahead", ahead)),
        List.of(), List.of(), 0, null));
    StoreOutcome outcome = await(vertx.eventBus().<StoreOutcome>request(Addresses.STORE, again)).body();
    assertThat(outcome.alreadyStored()).containsExactlyInAnyOrder("old", "now", "ahead");

    await(vertx.deployVerticle(new RetentionVerticle(new RetentionConfig(30, 30, 30, 60, 50), defaults.database().withUrl(url))));
    Awaitility.await("the old rows deleted").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
        .until(() -> query(url, "select (select count(*) from spans) + (select count(*) from context_samples)").equals("4"));
    assertThat(query(url, ROWS)).isEqualTo("now,ahead | point-now,point-ahead | 2 | 2 | 3");
  }

  private static EventRecord event(String key, Instant time) {
    return new EventRecord(time, time, "s", "api_request", 1L, null, null, 10L, null, null, null, null, null, 9, "INFO", null,
        null, null, ORIGIN, new JsonObject(), key);
  }

  private static String query(String url, String sql) throws Exception {
    try (Connection c = TestDatabase.connect(url); ResultSet rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
