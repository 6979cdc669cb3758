package dev.contextwatch.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.core.bus.Addresses;
import dev.contextwatch.core.bus.LocalCodec;
import dev.contextwatch.core.config.ConfigLoader;
import dev.contextwatch.core.config.ContextwatchConfig;
import dev.contextwatch.core.config.RetentionConfig;
import dev.contextwatch.core.config.WriterConfig;
import dev.contextwatch.core.model.DeletedRows;
import dev.contextwatch.core.model.EventRecord;
import dev.contextwatch.core.model.RecordBatch;
import dev.contextwatch.core.model.SessionDeletion;
import dev.contextwatch.core.model.Signal;
import dev.contextwatch.core.model.StoreBatch;
import dev.contextwatch.core.model.StoreOutcome;
import dev.contextwatch.testkit.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.junit5.VertxExtension;
import io.vertx.pgclient.PgConnectOptions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The usage rollup (V9): kept in the transaction of the events' insert, from the rows really
 * inserted; outliving the events' retention; deleted with its session; filled from the events
 * stored before it existed.
 */
@ExtendWith(VertxExtension.class)
class UsageRollupTest {
  /** requests, input tokens and cost of the rollup's rows of a session (one quarter hour, one model). */
  private static final String ROLLED_UP = "select coalesce(sum(requests), 0) || ',' || coalesce(sum(input_tokens), 0) || ','"
      + " || coalesce(sum(cost_usd), 0)::float8 from usage_rollup where session_id = '%s'";

  private Vertx vertx;
  private String url;

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    LocalCodec.registerAll(vertx);
    url = TestDatabase.newDatabase();
  }

  @Test
  @DisplayName("a batch delivered twice in one flush, again later, and inside a batch that conflicts is rolled up once")
  void duplicatesAreRolledUpOnce() throws Exception {
    deploy();
    StoreBatch batch = batch(PersistenceVerticleTest.event("r", 0), PersistenceVerticleTest.event("r", 1));
    List<Future<Message<StoreOutcome>>> together = List.of(store(batch), store(batch));
    await(Future.all(together));
    assertThat(rolledUp("r")).isEqualTo("2,1000,0.04");

    assertThat(await(store(batch)).body().committed()).isFalse();
    StoreOutcome partly = await(store(batch(PersistenceVerticleTest.event("r", 1), PersistenceVerticleTest.event("r", 2))))
        .body();
    assertThat(partly.alreadyStored()).containsExactly("r-1");
    assertThat(rolledUp("r")).as("the conflicting batch's new event was rolled back with it").isEqualTo("2,1000,0.04");
    assertThat(query("select count(*) from usage_rollup")).isEqualTo("1");
  }

  @Test
  @DisplayName("retention deletes the old events and keeps their rollup; a deleted session's rollup rows go with its events")
  void retentionKeepsDeletionRemoves() throws Exception {
    deploy();
    try (Connection c = TestDatabase.connect(url); Statement s = c.createStatement()) {
      s.execute("INSERT INTO events (time, session_id, event_name, model, input_tokens, cost_usd, resource, attributes, dedup_key)"
          + " SELECT now() - interval '40 days', 'old', 'api_request', 'm', 10, 0.5, '{}', '{}', 'old-' || g"
          + " FROM generate_series(1, 3) g");
    }
    await(store(batch(PersistenceVerticleTest.event("kept", 0))));
    ContextwatchConfig defaults = ConfigLoader.defaults();
    await(vertx.deployVerticle(new RetentionVerticle(new RetentionConfig(30, 30, 30, 60, 50), defaults.database().withUrl(url))));
    Awaitility.await("the old events purged").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
        .until(() -> "0".equals(query("select count(*) from events where session_id = 'old'")));
    assertThat(rolledUp("old")).isEqualTo("3,30,1.5");

    DeletedRows deleted = await(vertx.eventBus().<DeletedRows>request(Addresses.DELETE_SESSION_RECORDS,
        new SessionDeletion(List.of("old")))).body();
    assertThat(deleted.counts()).containsEntry("usage_rollup", 1L);
    assertThat(rolledUp("old")).isEqualTo("0,0,0");
    assertThat(rolledUp("kept")).isEqualTo("1,500,0.02");
  }

  @Test
  @DisplayName("the migration fills the rollup, month by month, from the events stored before it, api_requests and user prompts")
  void backfill() throws Exception {
    PgConnectOptions options = PgConnectOptions.fromUri(url);
    Flyway.configure().configuration(dev.contextwatch.core.db.Migrations.flyway(options, Migrations.OWNER).getConfiguration())
        .target("8").load().migrate();
    try (Connection c = TestDatabase.connect(url); Statement s = c.createStatement()) {
      s.execute("INSERT INTO events (time, session_id, event_name, model, input_tokens, cost_usd, resource, attributes, dedup_key)"
          + " VALUES ('2026-01-01T10:14:59Z', 'b', 'api_request', 'm', 1, 'NaN', '{}', '{}', 'b-1'),"
          + " ('2026-01-01T10:15:00Z', 'b', 'api_request', 'm', 2, 0.1234567, '{}', '{}', 'b-2'),"
          + " ('2026-01-01T10:16:00Z', 'b', 'user_prompt', null, null, null, '{}', '{}', 'b-3'),"
          + " ('2026-01-01T10:17:00Z', 'b', 'tool_result', null, null, null, '{}', '{}', 'b-4'),"
          + " ('2026-03-31T23:59:00Z', 'b', 'api_request', 'm', 4, 0, '{}', '{}', 'b-5')");
    }
    Migrations.apply(options);
    assertThat(query("select string_agg(concat_ws(' ', to_char(quarter_hour at time zone 'UTC', 'HH24:MI'), coalesce(model, '-'),"
        + " requests, user_prompts, coalesce(input_tokens::text, '-'), coalesce(cost_usd::text, '-')), '; '"
        + " order by quarter_hour, model) from usage_rollup"))
        .isEqualTo("10:00 m 1 0 1 -; 10:15 m 1 0 2 0.123457; 10:15 - 0 1 - -; 23:45 m 1 0 4 0.000000");
  }

  private static StoreBatch batch(EventRecord... events) {
    return StoreBatch.of(new RecordBatch(Signal.LOGS, List.of(events), List.of(), List.of(), 0, null));
  }

  private void deploy() throws Exception {
    ContextwatchConfig defaults = ConfigLoader.defaults();
    await(vertx.deployVerticle(new PersistenceVerticle(defaults.database().withUrl(url), new WriterConfig(5000, 50, 100_000, 2))));
  }

  private Future<Message<StoreOutcome>> store(StoreBatch batch) {
    return vertx.eventBus().request(Addresses.STORE, batch);
  }

  private String rolledUp(String session) throws Exception {
    return query(String.format(ROLLED_UP, session));
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
