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
import dev.contextwatch.testkit.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
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
  @DisplayName("the same records sent again, in one flush or later, are stored once")
  void storedOnce() throws Exception {
    deploy(writer(5000, 50, 100_000));
    RecordBatch batch = new RecordBatch(Signal.LOGS, List.of(event("s-2", 0), event("s-2", 1)), List.of(), List.of(), 0, null);
    // both copies land in the same flush (50 ms window), then a third arrives on its own
    await(Future.all(vertx.eventBus().request(Addresses.STORE, StoreBatch.of(batch)),
        vertx.eventBus().request(Addresses.STORE, StoreBatch.of(batch))));
    await(vertx.eventBus().request(Addresses.STORE, StoreBatch.of(batch)));
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
    String id = deploy(writer(5000, 60_000, 100_000));
    Future<?> pending = vertx.eventBus().request(Addresses.STORE,
        StoreBatch.of(new RecordBatch(Signal.LOGS, List.of(event("d", 0)), List.of(), List.of(), 0, null)));
    Thread.sleep(100);
    assertThat(pending.isComplete()).as("held by the 60 s flush window").isFalse();
    await(vertx.undeploy(id));
    await(pending);
    assertThat(count("events")).isEqualTo(1);
  }

  private String deploy(WriterConfig writer) throws Exception {
    ContextwatchConfig defaults = ConfigLoader.defaults();
    return await(vertx.deployVerticle(new PersistenceVerticle(defaults.database().withUrl(url), writer)));
  }

  private static WriterConfig writer(int maxBatch, int flushMs, int maxQueued) {
    return new WriterConfig(maxBatch, flushMs, maxQueued, 2);
  }

  static EventRecord event(String session, long sequence) {
    return new EventRecord(T0.plusMillis(sequence), T0, session, "api_request", sequence, "p-1", "claude-sonnet-4-5",
        500L, 60L, 16000L, 3500L, 0.02, 61.0, 9, "INFO", "claude_code.api_request", null, null, ORIGIN,
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
