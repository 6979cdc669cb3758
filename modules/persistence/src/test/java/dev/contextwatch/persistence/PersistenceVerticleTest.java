package dev.contextwatch.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.core.bus.Addresses;
import dev.contextwatch.core.bus.LocalCodec;
import dev.contextwatch.core.bus.StoreFailure;
import dev.contextwatch.core.config.ConfigLoader;
import dev.contextwatch.core.config.ContextwatchConfig;
import dev.contextwatch.core.config.WriterConfig;
import dev.contextwatch.core.model.EventRecord;
import dev.contextwatch.core.model.MetricPoint;
import dev.contextwatch.core.model.Origin;
import dev.contextwatch.core.model.RecordBatch;
import dev.contextwatch.core.model.Signal;
import dev.contextwatch.core.model.SpanRecord;
import dev.contextwatch.core.model.StoreBatch;
import dev.contextwatch.core.model.StoreOutcome;
import dev.contextwatch.testkit.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import io.vertx.junit5.VertxExtension;

@ExtendWith(VertxExtension.class)
class PersistenceVerticleTest {
  private static final Origin ORIGIN = new Origin(new JsonObject().put("service.name", "claude-code"), "scope", "1.0");
  private static final Instant T0 = Instant.parse("2026-11-23T05:28:55.263Z");

  private Vertx vertx;
  private String url;

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    LocalCodec.registerAll(vertx);
    url = TestDatabase.newDatabase();
  }

  @Test
  @DisplayName("a batch is acknowledged only once its events, points and spans are all in the tables")
  void storesAllSignals() throws Exception {
    deploy(writer(5000, 5, 100_000));
    RecordBatch batch = new RecordBatch(Signal.LOGS, List.of(event("s-1", 0), event("s-1", 1)),
        List.of(point("s-1", 1.5)), List.of(span("s-1")), 0, null);
    await(vertx.eventBus().request(Addresses.STORE, StoreBatch.of(batch)));
    assertThat(count("events")).isEqualTo(2);
    assertThat(count("metric_points")).isEqualTo(1);
    assertThat(count("spans")).isEqualTo(1);
    assertThat(query("select sum(input_tokens) || ',' || sum(cost_usd) from events")).isEqualTo("1000,0.04");
    assertThat(query("select resource->>'service.name' from spans")).isEqualTo("claude-code");
    assertThat(query("select temporality || ',' || metric_type || ',' || value from metric_points")).isEqualTo("delta,sum,1.5");
  }

  @Test
  @DisplayName("the same records sent again, in one flush or later, are stored once; every copy but the first hears they were already stored")
  void storedOnce() throws Exception {
    deploy(writer(5000, 50, 100_000));
    RecordBatch batch = new RecordBatch(Signal.LOGS, List.of(event("s-2", 0), event("s-2", 1)), List.of(), List.of(), 0, null);
    // both copies land in the same flush (50 ms window), then a third arrives on its own
    List<StoreOutcome> together = List.of(store(StoreBatch.of(batch)), store(StoreBatch.of(batch))).stream()
        .map(PersistenceVerticleTest::outcome).toList();
    assertThat(together).filteredOn(StoreOutcome::committed).hasSize(1);
    assertThat(together).filteredOn(o -> !o.committed()).singleElement()
        .satisfies(o -> assertThat(o.alreadyStored()).containsExactlyInAnyOrder("s-2-0", "s-2-1"));
    assertThat(outcome(store(StoreBatch.of(batch))).alreadyStored()).containsExactlyInAnyOrder("s-2-0", "s-2-1");
    assertThat(count("events")).isEqualTo(2);
  }

  @Test
  @DisplayName("a batch with some records already stored is rolled back whole and answered with the keys already stored; the batches it shared a flush with commit")
  void partlyStoredBatchConflictsAlone() throws Exception {
    deploy(writer(5000, 50, 100_000));
    await(store(StoreBatch.of(new RecordBatch(Signal.LOGS, List.of(event("c-1", 0)), List.of(), List.of(), 0, null))));
    Future<Message<StoreOutcome>> partly = store(StoreBatch.of(new RecordBatch(Signal.METRICS, List.of(event("c-1", 0),
        event("c-1", 1)), List.of(point("c-1", 0.5)), List.of(), 0, null)));
    Future<Message<StoreOutcome>> neighbour = store(StoreBatch.of(new RecordBatch(Signal.LOGS, List.of(event("c-2", 0)),
        List.of(), List.of(), 0, null)));
    StoreOutcome conflict = outcome(partly);
    assertThat(conflict.committed()).isFalse();
    assertThat(conflict.alreadyStored()).containsExactly("c-1-0");
    assertThat(outcome(neighbour).committed()).isTrue();
    assertThat(query("select string_agg(dedup_key, ',' order by dedup_key) from events")).isEqualTo("c-1-0,c-2-0");
    assertThat(count("metric_points")).isZero();
  }

  @Test
  @DisplayName("a data point stored already fails a group's insert as a conflict, never as refused data: its batch hears the key, alone or beside a neighbour that commits")
  void storedPointInGroupIsConflictNotRefusal() throws Exception {
    deploy(writer(5000, 50, 100_000));
    await(store(StoreBatch.of(new RecordBatch(Signal.METRICS, List.of(), List.of(point("u-1", 1.0)), List.of(), 0, null))));
    RecordBatch again = new RecordBatch(Signal.METRICS, List.of(event("u-1", 5)), List.of(point("u-1", 2.0)), List.of(), 0, null);
    // alone in its flush: the group's insert fails on the stored key, the batch is written again alone
    assertThat(outcome(store(StoreBatch.of(again))).alreadyStored()).containsExactly("point-u-1");
    // beside a neighbour: the neighbour's event and point went in before the failing statement, and must not be lost
    Future<Message<StoreOutcome>> conflicting = store(StoreBatch.of(again));
    Future<Message<StoreOutcome>> neighbour = store(StoreBatch.of(new RecordBatch(Signal.METRICS, List.of(event("u-2", 0)),
        List.of(point("u-2", 3.0)), List.of(), 0, null)));
    assertThat(outcome(conflicting).alreadyStored()).containsExactly("point-u-1");
    assertThat(outcome(neighbour).committed()).isTrue();
    assertThat(query("select string_agg(dedup_key, ',' order by dedup_key) from events")).isEqualTo("u-2-0");
    assertThat(query("select string_agg(dedup_key || '=' || value, ',' order by dedup_key) from metric_points"))
        .isEqualTo("point-u-1=1,point-u-2=3");
  }

  @Test
  @DisplayName("a session row computed from a version that is no longer the stored one is not written, nor the records with it")
  void staleSessionRowConflicts() throws Exception {
    deploy(writer(5000, 5, 100_000));
    assertThat(outcome(store(withSession(event("v", 0), 10, 0))).committed()).isTrue();
    assertThat(outcome(store(withSession(event("v", 1), 20, 1))).committed()).isTrue();
    // computed from version 1 again, as a batch whose original timed out and committed later would be
    StoreOutcome stale = outcome(store(withSession(event("v", 2), 99, 1)));
    assertThat(stale.committed()).isFalse();
    assertThat(stale.alreadyStored()).isEmpty();
    // a new session's row (version 0) never overwrites an existing one either
    assertThat(outcome(store(withSession(event("v", 3), 99, 0))).committed()).isFalse();
    assertThat(query("select input_tokens || ',' || version from sessions where session_id = 'v'")).isEqualTo("20,2");
    assertThat(count("events")).isEqualTo(2);
  }

  @Test
  @DisplayName("batches from concurrent senders are committed in shared flushes, every one acknowledged")
  void groupCommit() throws Exception {
    deploy(writer(500, 20, 100_000));
    List<Future<?>> replies = new ArrayList<>();
    for (int sender = 0; sender < 40; sender++) {
      int s = sender;
      replies.add(vertx.eventBus().request(Addresses.STORE, StoreBatch.of(new RecordBatch(Signal.LOGS,
          IntStream.range(0, 25).mapToObj(i -> event("g-" + s, i)).toList(), List.of(), List.of(), 0, null))));
    }
    await(Future.all(replies));
    assertThat(count("events")).isEqualTo(40 * 25);
  }

  @Test
  @DisplayName("beyond the queue limit a batch is refused as saturated instead of waiting without bound")
  void saturation() throws Exception {
    deploy(writer(5000, 2000, 10));
    RecordBatch ten = new RecordBatch(Signal.LOGS, IntStream.range(0, 10).mapToObj(i -> event("q", i)).toList(),
        List.of(), List.of(), 0, null);
    Future<?> first = vertx.eventBus().request(Addresses.STORE, StoreBatch.of(ten));
    Throwable refused = awaitFailure(vertx.eventBus().request(Addresses.STORE,
        StoreBatch.of(new RecordBatch(Signal.LOGS, List.of(event("q", 99)), List.of(), List.of(), 0, null))));
    assertThat(refused).isInstanceOfSatisfying(ReplyException.class,
        e -> assertThat(e.failureCode()).isEqualTo(StoreFailure.SATURATED.code));
    await(first);
    assertThat(count("events")).isEqualTo(10);
  }

  @Test
  @DisplayName("a batch the database refuses (a session id too long to index) is refused alone; the batches flushed with it are stored")
  void refusedBatchIsIsolated() throws Exception {
    deploy(writer(5000, 100, 100_000));
    // random text does not compress below PostgreSQL's index row limit (about 2.7 kB)
    String huge = java.util.HexFormat.of().formatHex(new java.security.SecureRandom().generateSeed(4000));
    Future<?> good = vertx.eventBus().request(Addresses.STORE,
        StoreBatch.of(new RecordBatch(Signal.LOGS, List.of(event("good", 0), event("good", 1)), List.of(), List.of(), 0, null)));
    Future<?> bad = vertx.eventBus().request(Addresses.STORE,
        StoreBatch.of(new RecordBatch(Signal.LOGS, List.of(event(huge, 0)), List.of(), List.of(), 0, null)));
    await(good);
    assertThat(awaitFailure(bad)).isInstanceOfSatisfying(ReplyException.class,
        e -> assertThat(e.failureCode()).isEqualTo(StoreFailure.REFUSED.code));
    assertThat(count("events")).isEqualTo(2);
  }

  @Test
  @DisplayName("stopping writes every batch already accepted before the pool closes")
  void drainsOnStop() throws Exception {
    // a queue of one record: a second batch is refused as long as the first waits in the queue
    String id = deploy(writer(5000, 60_000, 1));
    Future<?> pending = vertx.eventBus().request(Addresses.STORE,
        StoreBatch.of(new RecordBatch(Signal.LOGS, List.of(event("d", 0)), List.of(), List.of(), 0, null)));
    Throwable probe = awaitFailure(vertx.eventBus().request(Addresses.STORE,
        StoreBatch.of(new RecordBatch(Signal.LOGS, List.of(event("d", 1)), List.of(), List.of(), 0, null))));
    assertThat(probe).as("the first batch queued").isInstanceOfSatisfying(ReplyException.class,
        e -> assertThat(e.failureCode()).isEqualTo(StoreFailure.SATURATED.code));
    assertThat(pending.isComplete()).as("held by the 60 s flush window").isFalse();
    await(vertx.undeploy(id));
    await(pending);
    assertThat(count("events")).isEqualTo(1);
  }

  private Future<Message<StoreOutcome>> store(StoreBatch batch) {
    return vertx.eventBus().request(Addresses.STORE, batch);
  }

  private static StoreOutcome outcome(Future<Message<StoreOutcome>> reply) {
    try {
      return await(reply).body();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** The event with its session's row, holding {@code inputTokens} and computed from {@code basedOnVersion}. */
  private static StoreBatch withSession(EventRecord event, long inputTokens, long basedOnVersion) {
    StoreBatch.SessionRow row = new StoreBatch.SessionRow(event.sessionId(), false, false, "claude-code", null, null, null, null,
        null, null, T0, T0, T0, null, inputTokens, 0, 0, 0, 0.0, 1, 0, null, null, null, null, 0, null,
        new JsonObject().put("sessionId", event.sessionId()), basedOnVersion, null);
    return StoreBatch.of(new RecordBatch(Signal.LOGS, List.of(event), List.of(), List.of(), 0, null), List.of(),
        List.of(row), List.of());
  }

  private String deploy(WriterConfig writer) throws Exception {
    ContextwatchConfig defaults = ConfigLoader.defaults();
    return await(vertx.deployVerticle(new PersistenceVerticle(defaults.database().withUrl(url), writer)));
  }

  private static WriterConfig writer(int maxBatch, int flushMs, int maxQueued) {
    return new WriterConfig(maxBatch, flushMs, maxQueued, 2);
  }

  static EventRecord event(String session, long sequence) {
    return event(session, sequence, ORIGIN);
  }

  static EventRecord event(String session, long sequence, Origin origin) {
    return new EventRecord(T0.plusMillis(sequence), T0, session, "api_request", sequence, "p-1", "claude-sonnet-4-5",
        500L, 60L, 16000L, 3500L, 20_000L, 61.0, 9, "INFO", "claude_code.api_request", null, null, origin,
        new JsonObject().put("session.id", session), session + "-" + sequence);
  }

  private static MetricPoint point(String session, double value) {
    return new MetricPoint(T0, T0.minusSeconds(1), session, "claude_code.cost.usage", MetricPoint.MetricType.SUM,
        MetricPoint.Temporality.DELTA, true, "USD", value, null, null, ORIGIN, new JsonObject(), "point-" + session, value);
  }

  private static SpanRecord span(String session) {
    return new SpanRecord(T0, T0.plusMillis(5), "5b8efff798038103d269b633813fc60c", "eee19b7ec3c1b174", null, session,
        "tool", 1, 0, null, ORIGIN, new JsonObject(), new JsonArray(), new JsonArray(), "span-" + session);
  }

  private long count(String table) throws Exception {
    return Long.parseLong(query("select count(*) from " + table));
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

  private static Throwable awaitFailure(Future<?> future) throws Exception {
    try {
      await(future);
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("expected a failure");
  }
}
