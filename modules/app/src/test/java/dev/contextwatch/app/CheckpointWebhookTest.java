package dev.contextwatch.app;

import static dev.contextwatch.app.OtlpRequests.PROTOBUF;
import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.core.config.CheckpointConfig;
import dev.contextwatch.core.config.ContextwatchConfig;
import dev.contextwatch.core.config.WebhookEndpoint;
import dev.contextwatch.testkit.Fixtures;
import dev.contextwatch.testkit.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Levels, checkpoints and webhooks through the whole pipeline, with real HTTP receivers and PostgreSQL. */
@ExtendWith(VertxExtension.class)
class CheckpointWebhookTest {
  private static final String SECRET = "whsec-test-1";
  /** claude-sonnet-4-5: 200k window, auto-compact at 167k. */
  private static final long THRESHOLD = 167_000;

  @Test
  @DisplayName("a session growing toward compaction gets one warning and one critical, both delivered before the request that crosses; a small one gets none")
  void growingSession(Vertx vertx) throws Exception {
    WebhookReceiver hook = WebhookReceiver.start(vertx, WebhookReceiver.Mode.OK);
    PipelineHarness pipeline = start(vertx, TestDatabase.newDatabase(), hook);
    try {
      post(pipeline, OtlpRequests.mainRequest("small", 0, 10_000));
      post(pipeline, OtlpRequests.mainRequest("small", 1, 12_000));

      Instant crossingSent = null;
      for (int turn = 1; turn <= 9; turn++) {
        long prompt = turn * 20_000L;
        if (prompt > THRESHOLD) {
          // the harness has had the time between two requests (seconds in real sessions; 2 s here) to act
          assertThat(hook.awaitDelivered(context("grow"), 2, 2_000)).extracting(WebhookReceiver.Attempt::event)
              .containsExactly("context.warning", "context.critical");
          crossingSent = Instant.now();
        }
        post(pipeline, OtlpRequests.mainRequest("grow", turn, prompt));
      }
      assertThat(levelOf(pipeline, "grow", "critical")).isEqualTo("critical");
      assertThat(pipeline.count("select count(*) from checkpoints where session_id = 'grow'")).isEqualTo(2);
      // a session's requests are assessed in order: once a later drop is announced, nothing more comes of the crossing ones
      post(pipeline, OtlpRequests.mainRequest("grow", 10, 30_000));
      List<WebhookReceiver.Attempt> announced = hook.awaitDelivered(context("grow"), 3, 5_000);
      assertThat(announced).extracting(WebhookReceiver.Attempt::event)
          .containsExactly("context.warning", "context.critical", "context.compacted");
      for (WebhookReceiver.Attempt a : announced.subList(0, 2)) {
        assertThat(a.receivedAt()).isBefore(crossingSent);
        assertThat(a.payload().getJsonObject("context").getLong("tokens")).isLessThan(THRESHOLD);
        assertThat(a.payload().getJsonObject("session").getString("project")).isEqualTo("acme");
      }
      assertThat(hook.delivered(context("small"))).isEmpty();
      assertThat(hook.delivered(a -> a.event().equals("session.started"))).hasSize(2);
    } finally {
      pipeline.stop();
    }
  }

  @Test
  @DisplayName("a compaction, seen as a drop or as a compaction event, yields context.compacted and resets the level")
  void compaction(Vertx vertx) throws Exception {
    WebhookReceiver hook = WebhookReceiver.start(vertx, WebhookReceiver.Mode.OK);
    PipelineHarness pipeline = start(vertx, TestDatabase.newDatabase(), hook);
    try {
      post(pipeline, OtlpRequests.mainRequest("drop", 0, 120_000));
      post(pipeline, OtlpRequests.mainRequest("drop", 1, 155_000));
      post(pipeline, OtlpRequests.mainRequest("drop", 2, 30_000));
      assertThat(hook.awaitDelivered(context("drop"), 3, 5_000)).extracting(WebhookReceiver.Attempt::event)
          .containsExactly("context.warning", "context.critical", "context.compacted");
      assertThat(levelOf(pipeline, "drop", "compacted")).isEqualTo("compacted");
      post(pipeline, OtlpRequests.mainRequest("drop", 3, 32_000));
      assertThat(levelOf(pipeline, "drop", "ok")).isEqualTo("ok");

      post(pipeline, OtlpRequests.mainRequest("event", 0, 160_000));
      post(pipeline, OtlpRequests.compaction("event", 1, 160_000, 20_000));
      assertThat(hook.awaitDelivered(context("event"), 2, 5_000)).extracting(WebhookReceiver.Attempt::event)
          .containsExactly("context.critical", "context.compacted");
      assertThat(pipeline.count("select count(*) from checkpoints where session_id = 'event' and level = 'compacted' and epoch = 1"))
          .isEqualTo(1);
    } finally {
      pipeline.stop();
    }
  }

  @Test
  @DisplayName("a session whose client ran out of retries (2.1.332, recorded) gets one session.error at an endpoint that asks for it, none at one that keeps the default events")
  void sessionErrorOptIn(Vertx vertx) throws Exception {
    WebhookReceiver optedIn = WebhookReceiver.start(vertx, WebhookReceiver.Mode.OK);
    WebhookReceiver defaults = WebhookReceiver.start(vertx, WebhookReceiver.Mode.OK);
    PipelineHarness pipeline = start(vertx, TestDatabase.newDatabase(), config -> config.withCheckpoints(
        config.checkpoints().withWebhooks(List.of(
            new WebhookEndpoint("errors", optedIn.url(), SECRET, Set.of("session.error"), Set.of(), false),
            new WebhookEndpoint("defaults", defaults.url(), SECRET, WebhookEndpoint.DEFAULT_EVENT_TYPES, Set.of(), false)), 50)));
    try {
      Fixtures.Folder folder = new Fixtures.Folder(Fixtures.CLIENT_2_1_332, "api-retries-exhausted-delta-protobuf");
      for (int replay = 0; replay < 2; replay++) {
        for (Fixtures.Request request : folder.requests()) {
          PipelineHarness.Response response = pipeline.postAndWait(request.path(), request.contentType(), request.body(), Map.of());
          assertThat(response.status()).as(response.body().toString()).isEqualTo(200);
        }
      }
      JsonObject error = optedIn.awaitDelivered(a -> true, 1, 5_000).get(0).payload();
      assertThat(error.getString("type")).isEqualTo("session.error");
      assertThat(error.getJsonObject("session").getString("id")).isEqualTo(folder.sessionId());
      assertThat(error.getJsonObject("error")).isEqualTo(new JsonObject().put("kind", "api_retries_exhausted")
          .putNull("status").put("message", "Repeated 529 Overloaded errors").put("attempts", 3)
          .put("time", error.getJsonObject("error").getString("time")).put("apiErrors", 1).put("retriesExhausted", 1)
          .put("promptTooLong", 0));
      assertThat(defaults.awaitDelivered(a -> true, 1, 5_000)).extracting(WebhookReceiver.Attempt::event)
          .containsExactly("session.started");
      assertThat(pipeline.count("select count(*) from webhook_deliveries where event_type = 'session.error'"))
          .as("announced once, however often the run is replayed").isEqualTo(1);
    } finally {
      pipeline.stop();
    }
  }

  @Test
  @DisplayName("every delivery is signed as documented: sha256= hex HMAC-SHA256 of timestamp, a dot, and the body")
  void signature(Vertx vertx) throws Exception {
    WebhookReceiver hook = WebhookReceiver.start(vertx, WebhookReceiver.Mode.OK);
    PipelineHarness pipeline = start(vertx, TestDatabase.newDatabase(), hook);
    try {
      post(pipeline, OtlpRequests.mainRequest("signed", 0, 160_000));
      List<WebhookReceiver.Attempt> delivered = hook.awaitDelivered(a -> true, 2, 5_000);
      assertThat(delivered).hasSize(2);
      for (WebhookReceiver.Attempt a : delivered) {
        assertThat(a.signature()).isEqualTo(a.expectedSignature(SECRET));
        assertThat(a.payload().getString("id")).isEqualTo(a.deliveryId());
        assertThat(Long.parseLong(a.timestamp())).isCloseTo(Instant.now().getEpochSecond(), org.assertj.core.data.Offset.offset(60L));
      }
    } finally {
      pipeline.stop();
    }
  }

  @Test
  @DisplayName("a receiver that fails three times and then succeeds gets the delivery on the fourth attempt, same id every time")
  void retries(Vertx vertx) throws Exception {
    WebhookReceiver hook = WebhookReceiver.start(vertx, WebhookReceiver.Mode.FAIL_FIRST_THREE);
    PipelineHarness pipeline = start(vertx, TestDatabase.newDatabase(), hook);
    try {
      post(pipeline, OtlpRequests.mainRequest("flaky", 0, 160_000));
      List<WebhookReceiver.Attempt> delivered = hook.awaitDelivered(context("flaky"), 1, 10_000);
      assertThat(delivered).hasSize(1);
      String id = delivered.get(0).deliveryId();
      assertThat(hook.attempts(a -> a.deliveryId().equals(id))).extracting(WebhookReceiver.Attempt::answered)
          .containsExactly(500, 500, 500, 204);
      assertThat(pipeline.query("select status || ',' || attempts from webhook_deliveries where id = '" + id + "'"))
          .isEqualTo("delivered,4");
    } finally {
      pipeline.stop();
    }
  }

  @Test
  @DisplayName("deliveries pending when the pipeline stops are delivered after the restart with their original ids")
  void pendingSurviveRestart(Vertx vertx) throws Exception {
    WebhookReceiver hook = WebhookReceiver.start(vertx, WebhookReceiver.Mode.ALWAYS_503);
    String database = TestDatabase.newDatabase();
    PipelineHarness pipeline = start(vertx, database, hook);
    String id;
    try {
      post(pipeline, OtlpRequests.mainRequest("restart", 0, 160_000));
      id = Awaitility.await("a first attempt").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
          .until(() -> hook.attempts(context("restart")), attempts -> !attempts.isEmpty()).get(0).deliveryId();
    } finally {
      pipeline.stop();
    }
    assertThat(pipeline.query("select status from webhook_deliveries where id = '" + id + "'")).isEqualTo("pending");

    hook.answer(WebhookReceiver.Mode.OK);
    PipelineHarness restarted = start(vertx, database, hook);
    try {
      assertThat(hook.awaitDelivered(context("restart"), 1, 10_000)).extracting(WebhookReceiver.Attempt::deliveryId)
          .containsExactly(id);
    } finally {
      restarted.stop();
    }
  }

  @Test
  @DisplayName("the API lists checkpoints and deliveries, and a dead delivery can be retried once the endpoint is back")
  void apiAndRetry(Vertx vertx) throws Exception {
    WebhookReceiver hook = WebhookReceiver.start(vertx, WebhookReceiver.Mode.ALWAYS_503);
    PipelineHarness pipeline = start(vertx, TestDatabase.newDatabase(), config -> {
      CheckpointConfig c = config.checkpoints();
      return config.withCheckpoints(new CheckpointConfig(c.levels(), c.projectLevels(), c.samples(),
          List.of(new WebhookEndpoint("harness", hook.url(), SECRET, Set.of("context.critical"), Set.of(), false)),
          c.timeoutMs(), 2, 20, c.maxInFlight(), c.lifecycleSweepSeconds(), c.quotaWarningPercent(), c.budgets()));
    });
    try {
      post(pipeline, OtlpRequests.mainRequest("api", 0, 120_000));
      post(pipeline, OtlpRequests.mainRequest("api", 1, 160_000));

      JsonObject checkpoints = awaitItems(pipeline, "/api/v1/checkpoints?session=api", 2);
      assertThat(checkpoints.getJsonArray("items").stream().map(o -> ((JsonObject) o).getString("level")))
          .containsExactly("critical", "warning");
      JsonObject critical = checkpoints.getJsonArray("items").getJsonObject(0);
      assertThat(critical.getLong("contextTokens")).isEqualTo(160_000);
      assertThat(critical.getJsonArray("samples")).hasSize(2);
      assertThat(pipeline.apiGet("/api/v1/checkpoints?level=warning&project=acme").getLong("total")).isEqualTo(1);
      assertThat(pipeline.api(HttpMethod.GET, "/api/v1/checkpoints?level=bogus", 400).getString("message")).contains("'level'");

      JsonObject dead = awaitItems(pipeline, "/api/v1/webhooks/deliveries?status=dead", 1).getJsonArray("items").getJsonObject(0);
      assertThat(dead.getInteger("attempts")).isEqualTo(2);
      assertThat(dead.getInteger("lastStatusCode")).isEqualTo(503);
      assertThat(dead.encode()).doesNotContain(SECRET).doesNotContain(hook.url());

      hook.answer(WebhookReceiver.Mode.OK);
      String id = dead.getString("id");
      assertThat(pipeline.api(HttpMethod.POST, "/api/v1/webhooks/deliveries/" + id + "/retry", 200).getString("status")).isEqualTo("pending");
      assertThat(hook.awaitDelivered(a -> a.deliveryId().equals(id), 1, 5_000)).hasSize(1);
      awaitItems(pipeline, "/api/v1/webhooks/deliveries?status=delivered&session=api", 1);
      assertThat(pipeline.api(HttpMethod.POST, "/api/v1/webhooks/deliveries/" + id + "/retry", 409).getString("error")).isEqualTo("conflict");
      assertThat(pipeline.api(HttpMethod.POST, "/api/v1/webhooks/deliveries/" + UUID.randomUUID() + "/retry", 404).getString("error"))
          .isEqualTo("not_found");
    } finally {
      pipeline.stop();
    }
  }

  /** The API's list at {@code path} once it holds {@code count} items (checkpoints and deliveries follow commits asynchronously). */
  private static JsonObject awaitItems(PipelineHarness pipeline, String path, int count) {
    return Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
        .until(() -> pipeline.apiGet(path), list -> list.getJsonArray("items").size() == count);
  }

  @Test
  @DisplayName("1,000 sessions crossing at once with one endpoint that never answers: the other gets every delivery and ingestion keeps its pace")
  void deadEndpointIsolated(Vertx vertx) throws Exception {
    WebhookReceiver live = WebhookReceiver.start(vertx, WebhookReceiver.Mode.OK);
    WebhookReceiver dead = WebhookReceiver.start(vertx, WebhookReceiver.Mode.NEVER_ANSWER);
    PipelineHarness withoutWebhooks = start(vertx, TestDatabase.newDatabase(), UnaryOperator.identity());
    double baseline;
    try {
      ingestionRate(withoutWebhooks, "warm-up");
      baseline = ingestionRate(withoutWebhooks, "baseline");
    } finally {
      withoutWebhooks.stop();
    }

    PipelineHarness pipeline = start(vertx, TestDatabase.newDatabase(), config -> config.withCheckpoints(
        config.checkpoints().withWebhooks(List.of(endpoint("live", live), endpoint("dead", dead)), 50)));
    try {
      List<Future<PipelineHarness.Response>> crossing = new ArrayList<>();
      for (int s = 0; s < 1_000; s++) {
        crossing.add(pipeline.post("/v1/logs", PROTOBUF, OtlpRequests.mainRequest("crowd-" + s, 0, 160_000), Map.of()));
      }
      PipelineHarness.await(Future.all(crossing));
      double withDeadEndpoint = ingestionRate(pipeline, "with-dead");
      assertThat(live.awaitDelivered(context("crowd-"), 1_000, 60_000)).hasSize(1_000);
      assertThat(dead.delivered(a -> true)).isEmpty();
      System.out.printf("ingestion records/s: baseline=%.0f with_dead_endpoint_and_1000_pending=%.0f ratio=%.2f%n",
          baseline, withDeadEndpoint, withDeadEndpoint / baseline);
    } finally {
      pipeline.stop();
    }
  }

  @Test
  @DisplayName("assessments that fail while the database is unreachable are kept and applied later: every crossing session is announced once")
  void assessmentsSurviveDatabaseFailures(Vertx vertx) throws Exception {
    WebhookReceiver hook = WebhookReceiver.start(vertx, WebhookReceiver.Mode.OK);
    String database = TestDatabase.newDatabase();
    PipelineHarness pipeline = start(vertx, database, hook);
    try {
      try (Connection locker = TestDatabase.connect(database); Connection admin = TestDatabase.connect(database)) {
        locker.setAutoCommit(false);
        locker.createStatement().execute("LOCK TABLE session_levels IN ACCESS EXCLUSIVE MODE");
        List<Future<PipelineHarness.Response>> crossing = new ArrayList<>();
        for (int s = 0; s < 20; s++) {
          crossing.add(pipeline.post("/v1/logs", PROTOBUF, OtlpRequests.mainRequest("held-" + s, 0, 160_000), Map.of()));
        }
        PipelineHarness.await(Future.all(crossing));
        // the checkpoint verticle waits on the lock: cut its connections, as a database restart would
        assertThat(terminateLockWaiters(admin)).isPositive();
        locker.commit();
      }
      List<WebhookReceiver.Attempt> announced = hook.awaitDelivered(context("held-"), 20, 30_000);
      assertThat(announced).extracting(a -> a.payload().getJsonObject("session").getString("id")).doesNotHaveDuplicates().hasSize(20);
      assertThat(pipeline.count("select count(*) from session_levels where session_id like 'held-%'")).isEqualTo(20);
    } finally {
      pipeline.stop();
    }
  }

  @Test
  @DisplayName("levels a session crosses while its assessments wait are each announced, in order")
  void levelsCrossedWhileWaiting(Vertx vertx) throws Exception {
    WebhookReceiver hook = WebhookReceiver.start(vertx, WebhookReceiver.Mode.OK);
    String database = TestDatabase.newDatabase();
    PipelineHarness pipeline = start(vertx, database, hook);
    try {
      try (Connection locker = TestDatabase.connect(database)) {
        locker.setAutoCommit(false);
        locker.createStatement().execute("LOCK TABLE session_levels IN ACCESS EXCLUSIVE MODE");
        post(pipeline, OtlpRequests.mainRequest("behind", 0, 120_000));
        post(pipeline, OtlpRequests.mainRequest("behind", 1, 155_000));
        post(pipeline, OtlpRequests.mainRequest("behind", 2, 30_000));
        locker.commit();
      }
      assertThat(hook.awaitDelivered(context("behind"), 3, 30_000)).extracting(WebhookReceiver.Attempt::event)
          .containsExactly("context.warning", "context.critical", "context.compacted");
    } finally {
      pipeline.stop();
    }
  }

  /** Waits until some backend waits on a lock, then terminates every such backend; how many were cut. */
  private static int terminateLockWaiters(Connection admin) {
    String waiting = "select pid from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'";
    String terminate = "select count(*) from (select pg_terminate_backend(pid) from (" + waiting + ") w) t";
    return Awaitility.await("a backend waiting on the lock").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
        .until(() -> {
          try (ResultSet rows = admin.createStatement().executeQuery(terminate)) {
            rows.next();
            return rows.getInt(1);
          }
        }, cut -> cut > 0);
  }

  /** Posts 200 requests of 50 records from 20 clients at once; records per second. */
  private static double ingestionRate(PipelineHarness pipeline, String prefix) throws Exception {
    long start = System.nanoTime();
    List<Future<PipelineHarness.Response>> all = new ArrayList<>();
    for (int client = 0; client < 20; client++) {
      Future<PipelineHarness.Response> chain = Future.succeededFuture();
      for (int batch = 0; batch < 10; batch++) {
        Buffer body = OtlpRequests.apiRequests(prefix + "-" + client, batch * 50L, 50);
        chain = chain.compose(r -> pipeline.post("/v1/logs", PROTOBUF, body, Map.of()));
      }
      all.add(chain);
    }
    PipelineHarness.await(Future.all(all));
    return 20 * 10 * 50 / ((System.nanoTime() - start) / 1e9);
  }

  private static PipelineHarness start(Vertx vertx, String database, WebhookReceiver hook) throws Exception {
    return start(vertx, database, config -> config.withCheckpoints(
        config.checkpoints().withWebhooks(List.of(endpoint("harness", hook)), 50)));
  }

  private static PipelineHarness start(Vertx vertx, String database, UnaryOperator<ContextwatchConfig> adjust) throws Exception {
    return PipelineHarness.start(vertx, database, adjust);
  }

  private static WebhookEndpoint endpoint(String name, WebhookReceiver receiver) {
    return new WebhookEndpoint(name, receiver.url(), SECRET, WebhookEndpoint.EVENT_TYPES, Set.of(), false);
  }

  private static Predicate<WebhookReceiver.Attempt> context(String sessionPrefix) {
    return a -> a.event().startsWith("context.")
        && a.payload().getJsonObject("session").getString("id").startsWith(sessionPrefix);
  }

  /** The session's level from the API once it is {@code expected}; fails after 5 s: levels follow commits asynchronously. */
  private static String levelOf(PipelineHarness pipeline, String session, String expected) {
    return Awaitility.await(session + " at level " + expected).atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
        .until(() -> pipeline.apiGet("/api/v1/sessions/" + session).getString("level"), expected::equals);
  }

  private static void post(PipelineHarness pipeline, Buffer body) throws Exception {
    PipelineHarness.Response response = pipeline.postAndWait("/v1/logs", PROTOBUF, body, Map.of());
    assertThat(response.status()).as(response.body().toString()).isEqualTo(200);
  }
}
