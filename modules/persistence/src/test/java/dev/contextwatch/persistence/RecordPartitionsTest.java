package dev.contextwatch.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.core.bus.Addresses;
import dev.contextwatch.core.bus.LocalCodec;
import dev.contextwatch.core.config.ConfigLoader;
import dev.contextwatch.core.config.ContextwatchConfig;
import dev.contextwatch.core.config.RetentionConfig;
import dev.contextwatch.core.config.WriterConfig;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The record tables' day partitions (V10): a record stored once whatever partition it lands in,
 * any time stored, days created ahead, retention dropping the days wholly past it.
 */
@ExtendWith(VertxExtension.class)
class RecordPartitionsTest {
  private static final Origin ORIGIN = new Origin(new JsonObject().put("service.name", "claude-code"), "scope", "1.0");
  private static final List<String> TABLES = List.of("events", "metric_points", "spans", "context_samples");

  private Vertx vertx;
  private String url;

  @BeforeEach
  void setUp(Vertx vertx) throws Exception {
    this.vertx = vertx;
    LocalCodec.registerAll(vertx);
    url = TestDatabase.newDatabase();
    ContextwatchConfig defaults = ConfigLoader.defaults();
    await(vertx.deployVerticle(new PersistenceVerticle(defaults.database().withUrl(url), new WriterConfig(5000, 20, 100_000, 2))));
  }

  @Test
  @DisplayName("records in two day partitions and the default one, sent again, are stored once and rolled up once")
  void storedOnceAcrossPartitions() throws Exception {
    Instant now = Instant.now();
    StoreBatch batch = batch(event("today", now), event("tomorrow", now.plus(1, ChronoUnit.DAYS)),
        event("last-year", now.minus(365, ChronoUnit.DAYS)));
    assertThat(await(store(batch)).committed()).isTrue();
    StoreOutcome again = await(store(batch));

    assertThat(again.committed()).isFalse();
    assertThat(again.alreadyStored()).containsExactlyInAnyOrder("today", "tomorrow", "last-year");
    assertThat(query("select string_agg(tableoid::regclass::text, ',' order by time) from events"))
        .isEqualTo("events_default,events_p" + day(now) + ",events_p" + day(now.plus(1, ChronoUnit.DAYS)));
    assertThat(query("select sum(requests) from usage_rollup")).isEqualTo("3");
  }

  @Test
  @DisplayName("records from long ago and far ahead are stored in the default partition; a day created later takes its rows over, once")
  void anyTimeIsStored() throws Exception {
    Instant ahead = Instant.now().plus(30, ChronoUnit.DAYS);
    StoreBatch batch = batch(event("y2001", Instant.parse("2001-02-03T04:05:06Z")), event("ahead", ahead),
        event("y2090", Instant.parse("2090-01-01T00:00:00Z")));
    assertThat(await(store(batch)).committed()).isTrue();
    assertThat(query("select count(*) from events_default")).isEqualTo("3");

    assertThat(query("select record_partitions_create('events', '" + LocalDate.ofInstant(ahead, ZoneOffset.UTC) + "', '"
        + LocalDate.ofInstant(ahead, ZoneOffset.UTC) + "')")).isEqualTo("1");

    assertThat(query("select string_agg(dedup_key, ',') from events_p" + day(ahead))).isEqualTo("ahead");
    assertThat(query("select count(*) from events_default")).isEqualTo("2");
    assertThat(await(store(batch)).alreadyStored()).containsExactlyInAnyOrder("y2001", "ahead", "y2090");
    assertThat(query("select count(*) || ',' || (select sum(requests) from usage_rollup) from events")).isEqualTo("3,3");
  }

  @Test
  @DisplayName("retention creates every table's days ahead, drops the days wholly past it, deletes old rows only from the default partition and keeps the rollup")
  void retentionDropsPastDays() throws Exception {
    Instant now = Instant.now();
    LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
    Instant cutoff = now.minus(30, ChronoUnit.DAYS);
    Instant inCutoffDay = cutoff.minus(1, ChronoUnit.SECONDS);
    try (Connection c = TestDatabase.connect(url); Statement s = c.createStatement()) {
      for (String table : TABLES) {
        s.execute("select record_partitions_create('" + table + "', '" + today.minusDays(40) + "', '" + today.minusDays(38) + "')");
      }
      s.execute("select record_partitions_create('events', '" + LocalDate.ofInstant(inCutoffDay, ZoneOffset.UTC) + "', '"
          + LocalDate.ofInstant(inCutoffDay, ZoneOffset.UTC) + "')");
    }
    StoreBatch batch = batch(event("dropped-1", now.minus(40, ChronoUnit.DAYS)), event("dropped-2", now.minus(39, ChronoUnit.DAYS)),
        event("in-cutoff-day", inCutoffDay), event("default-old", now.minus(60, ChronoUnit.DAYS)), event("kept", now));
    assertThat(await(store(batch)).committed()).isTrue();

    RetentionVerticle retention = new RetentionVerticle(new RetentionConfig(30, 30, 30, 60, 50),
        ConfigLoader.defaults().database().withUrl(url));
    await(vertx.deployVerticle(retention));
    Awaitility.await("the past days dropped").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
        .until(() -> "0".equals(query("select count(*) from pg_class where relname like '%_p" + day(now.minus(39, ChronoUnit.DAYS))
            + "'")));

    assertThat(query("select string_agg(dedup_key, ',' order by time) from events")).isEqualTo("in-cutoff-day,kept");
    assertThat(query("select sum(requests) from usage_rollup")).as("retention never deletes the rollup").isEqualTo("5");
    for (String table : TABLES) {
      assertThat(query("select count(*) from record_partitions('" + table + "') where from_time >= '" + today + "'"))
          .as(table + ": today and the days ahead").isEqualTo(String.valueOf(RetentionVerticle.DAYS_AHEAD + 1));
      assertThat(query("select count(*) from record_partitions('" + table + "') where to_time <= '" + cutoff + "'"))
          .as(table + ": no partition wholly past the cutoff").isEqualTo("0");
    }
  }

  private static String day(Instant time) {
    return LocalDate.ofInstant(time, ZoneOffset.UTC).toString().replace("-", "");
  }

  private static EventRecord event(String key, Instant time) {
    return new EventRecord(time, time, "partitioned", "api_request", 1L, "p-1", "claude-sonnet-4-5", 500L, 60L, 16000L, 3500L,
        20_000L, 61.0, 9, "INFO", "claude_code.api_request", null, null, ORIGIN, new JsonObject(), key);
  }

  private static StoreBatch batch(EventRecord... events) {
    return StoreBatch.of(new RecordBatch(Signal.LOGS, List.of(events), List.of(), List.of(), 0, null));
  }

  private Future<StoreOutcome> store(StoreBatch batch) {
    return vertx.eventBus().<StoreOutcome>request(Addresses.STORE, batch).map(reply -> reply.body());
  }

  private String query(String sql) throws Exception {
    try (Connection c = TestDatabase.connect(url); ResultSet rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
