package dev.contextwatch.app;

import static dev.contextwatch.app.HookRecords.event;
import static dev.contextwatch.app.HookRecords.hook;
import static dev.contextwatch.app.HookRecords.permissionPrompt;
import static dev.contextwatch.app.HookRecords.recorded;
import static dev.contextwatch.app.OtlpRequests.PROTOBUF;
import static dev.contextwatch.telemetry.Otlp.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.core.config.CheckpointConfig;
import dev.contextwatch.core.config.WebhookEndpoint;
import dev.contextwatch.testkit.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Needs input (issue 15): a session whose client says it waits for a person (a Notification hook
 * of a permission or idle prompt) is waiting until its next activity, everywhere a status shows:
 * the API, the live feed, the webhooks, the fleet's order and the projects' counts.
 */
@ExtendWith(VertxExtension.class)
class NeedsInputTest {
  private static final String SECRET = "whsec-waiting";

  @Test
  @DisplayName("a permission prompt makes the session waiting in the API, on the feed and in a signed session.waiting; its next tool result ends the wait with session.resumed_work")
  void permissionPromptWaits(Vertx vertx) throws Exception {
    WebhookReceiver receiver = WebhookReceiver.start(vertx, WebhookReceiver.Mode.OK);
    PipelineHarness pipeline = start(vertx, receiver);
    PushClient feed = PushClient.connect(pipeline);
    try {
      feed.subscribe(new JsonObject());
      feed.next("snapshot");
      Instant asked = Instant.now().truncatedTo(ChronoUnit.MILLIS);
      post(pipeline, event("acme", "perm", "user_prompt", asked.minusSeconds(5), 1));
      post(pipeline, hook(permissionPrompt("perm"), asked));

      JsonObject session = statusOf(pipeline, "perm", "waiting");
      assertThat(session.getJsonObject("waiting"))
          .isEqualTo(new JsonObject().put("since", asked.toString()).put("reason", "permission_prompt"));
      assertThat(statusFrame(feed, "perm", "waiting").getString("from")).isEqualTo("active");
      WebhookReceiver.Attempt waiting = receiver.awaitDelivered(a -> a.event().equals("session.waiting"), 1, 10_000).get(0);
      assertThat(waiting.signature()).isEqualTo(waiting.expectedSignature(SECRET));
      assertThat(waiting.payload().getJsonObject("session").getString("status")).isEqualTo("waiting");
      assertThat(waiting.payload().getJsonObject("waiting").getString("reason")).isEqualTo("permission_prompt");
      assertThat(waiting.payload().getJsonObject("waiting").getString("since")).isEqualTo(asked.toString());

      // the OTLP export of work done before the prompt arrives seconds after the hook: it ends nothing
      post(pipeline, event("acme", "perm", "api_request", asked.minusSeconds(1), 2));
      assertThat(pipeline.apiGet("/api/v1/sessions/perm").getString("status")).isEqualTo("waiting");

      post(pipeline, event("acme", "perm", "tool_result", asked.plusSeconds(3), 3, text("tool_name", "Bash"),
          text("success", "true")));
      assertThat(statusOf(pipeline, "perm", "active").containsKey("waiting")).isFalse();
      assertThat(statusFrame(feed, "perm", "active").getString("from")).isEqualTo("waiting");
      WebhookReceiver.Attempt resumed = receiver.awaitDelivered(a -> a.event().equals("session.resumed_work"), 1, 10_000).get(0);
      assertThat(resumed.signature()).isEqualTo(resumed.expectedSignature(SECRET));
      assertThat(resumed.payload().getJsonObject("session").getString("status")).isEqualTo("active");
    } finally {
      pipeline.stop();
    }
  }

  @Test
  @DisplayName("an idle prompt makes the session waiting; the same delivery again and a repeated prompt change nothing; the next prompt, a UserPromptSubmit hook, ends the wait")
  void idlePrompt(Vertx vertx) throws Exception {
    WebhookReceiver receiver = WebhookReceiver.start(vertx, WebhookReceiver.Mode.OK);
    PipelineHarness pipeline = start(vertx, receiver);
    try {
      Instant asked = Instant.now().truncatedTo(ChronoUnit.MILLIS);
      post(pipeline, event("acme", "idle", "user_prompt", asked.minusSeconds(60), 1));
      Buffer idle = hook(recorded("notification-idle-prompt", "idle"), asked);
      post(pipeline, idle);
      assertThat(statusOf(pipeline, "idle", "waiting").getJsonObject("waiting").getString("reason")).isEqualTo("idle_prompt");

      post(pipeline, idle);
      post(pipeline, hook(recorded("notification-idle-prompt", "idle"), asked.plusSeconds(1)));
      assertThat(pipeline.count("select count(*) from events where session_id = 'idle' and event_name = 'hook.Notification'"))
          .as("the repeated delivery stored once, the repeated prompt beside it").isEqualTo(2);
      assertThat(pipeline.apiGet("/api/v1/sessions/idle").getJsonObject("waiting").getString("since"))
          .as("the wait is the one the first prompt began").isEqualTo(asked.toString());
      receiver.awaitDelivered(a -> a.event().equals("session.waiting"), 1, 10_000);

      JsonObject prompt = new JsonObject().put("session_id", "idle").put("hook_event_name", "UserPromptSubmit")
          .put("cwd", "/home/dev/work").put("prompt", "go on");
      post(pipeline, hook(prompt, asked.plusSeconds(2)));
      statusOf(pipeline, "idle", "active");
      receiver.awaitDelivered(a -> a.event().equals("session.resumed_work"), 1, 10_000);
      assertThat(pipeline.count("select count(*) from webhook_deliveries where event_type = 'session.waiting'"))
          .as("one wait, announced once").isEqualTo(1);
    } finally {
      pipeline.stop();
    }
  }

  @Test
  @DisplayName("a closed session is not waiting: closing ends the wait without session.resumed_work, and a prompt after the close starts none")
  void closedIsNotWaiting(Vertx vertx) throws Exception {
    WebhookReceiver receiver = WebhookReceiver.start(vertx, WebhookReceiver.Mode.OK);
    PipelineHarness pipeline = start(vertx, receiver);
    try {
      Instant asked = Instant.now().truncatedTo(ChronoUnit.MILLIS);
      post(pipeline, event("acme", "gone", "user_prompt", asked.minusSeconds(5), 1));
      post(pipeline, hook(permissionPrompt("gone"), asked));
      statusOf(pipeline, "gone", "waiting");

      pipeline.api(HttpMethod.POST, "/api/v1/sessions/gone/close", 200);
      assertThat(statusOf(pipeline, "gone", "closed").containsKey("waiting")).isFalse();
      post(pipeline, hook(recorded("notification-idle-prompt", "gone"), asked.plusSeconds(5)));
      assertThat(pipeline.apiGet("/api/v1/sessions/gone").getString("status")).isEqualTo("closed");
      assertThat(pipeline.apiGet("/api/v1/sessions?status=waiting").getJsonArray("items")).isEmpty();
      assertThat(pipeline.query("select waiting_since from sessions where session_id = 'gone'")).isNull();
      receiver.awaitDelivered(a -> a.event().equals("session.closed"), 1, 10_000);
      assertThat(receiver.delivered(a -> a.event().equals("session.resumed_work"))).isEmpty();
    } finally {
      pipeline.stop();
    }
  }

  @Test
  @DisplayName("waiting sessions come first: the risk order, the status filter, the projects' waiting counts, the fleet and the feed's snapshot")
  void waitingFirst(Vertx vertx) throws Exception {
    WebhookReceiver receiver = WebhookReceiver.start(vertx, WebhookReceiver.Mode.OK);
    PipelineHarness pipeline = start(vertx, receiver);
    PushClient feed = PushClient.connect(pipeline);
    try {
      Instant asked = Instant.now().truncatedTo(ChronoUnit.MILLIS);
      post(pipeline, event("acme", "asking", "user_prompt", asked.minusSeconds(30), 1));
      post(pipeline, hook(permissionPrompt("asking"), asked));
      // closer to compaction and more recent than the waiting one: first of all without waiting
      post(pipeline, OtlpRequests.mainRequest("busy", 1, 150_000));
      post(pipeline, OtlpRequests.mainRequest("busy", 2, 160_000));
      post(pipeline, event("beta", "elsewhere", "user_prompt", asked.plusSeconds(1), 1));
      statusOf(pipeline, "asking", "waiting");

      assertThat(ids(pipeline.apiGet("/api/v1/sessions?sort=risk").getJsonArray("items")))
          .containsExactly("asking", "busy", "elsewhere");
      assertThat(ids(pipeline.apiGet("/api/v1/sessions?status=waiting").getJsonArray("items"))).containsExactly("asking");
      assertThat(ids(pipeline.apiGet("/api/v1/sessions?status=active").getJsonArray("items")))
          .containsExactlyInAnyOrder("busy", "elsewhere");
      JsonArray projects = pipeline.apiGet("/api/v1/projects").getJsonArray("items");
      assertThat(projects.stream().map(JsonObject.class::cast).filter(p -> "acme".equals(p.getString("project"))).findFirst()
          .orElseThrow().getLong("waiting")).isEqualTo(1);
      assertThat(projects.stream().map(JsonObject.class::cast).filter(p -> "beta".equals(p.getString("project"))).findFirst()
          .orElseThrow().getLong("waiting")).isZero();

      JsonObject first = pipeline.apiGet("/api/v1/fleet").getJsonArray("sessions").getJsonObject(0);
      assertThat(first.getString("sessionId")).isEqualTo("asking");
      assertThat(first.getString("status")).isEqualTo("waiting");
      assertThat(first.getJsonObject("waiting").getString("reason")).isEqualTo("permission_prompt");
      feed.subscribe(new JsonObject());
      assertThat(feed.next("snapshot").getJsonArray("sessions").getJsonObject(0).getString("sessionId")).isEqualTo("asking");
    } finally {
      pipeline.stop();
    }
  }

  @Test
  @DisplayName("a client gone at its prompt does not wait forever: once nothing arrived for sessionIdleMinutes the sweep makes it stale, with session.stale, and it leaves the head of the fleet")
  void waitingGoesStale(Vertx vertx) throws Exception {
    WebhookReceiver receiver = WebhookReceiver.start(vertx, WebhookReceiver.Mode.OK);
    PipelineHarness pipeline = start(vertx, receiver, 1);
    try {
      Instant asked = Instant.now().truncatedTo(ChronoUnit.MILLIS);
      post(pipeline, event("acme", "left", "user_prompt", asked.minusSeconds(5), 1));
      post(pipeline, hook(permissionPrompt("left"), asked));
      post(pipeline, event("acme", "working", "user_prompt", asked, 1));
      statusOf(pipeline, "left", "waiting");
      receiver.awaitDelivered(a -> a.event().equals("session.waiting"), 1, 10_000);

      // two hours without a record, as the sweep sees it
      pipeline.execute("update sessions set last_received_at = now() - interval '2 hours' where session_id = 'left'");
      statusOf(pipeline, "left", "stale");
      receiver.awaitDelivered(a -> a.event().equals("session.stale"), 1, 10_000);
      assertThat(ids(pipeline.apiGet("/api/v1/sessions?sort=risk").getJsonArray("items"))).containsExactly("working", "left");
      assertThat(pipeline.apiGet("/api/v1/fleet").getJsonArray("sessions").getJsonObject(0).getString("sessionId"))
          .isEqualTo("working");
    } finally {
      pipeline.stop();
    }
  }

  private static PipelineHarness start(Vertx vertx, WebhookReceiver receiver) throws Exception {
    return start(vertx, receiver, null);
  }

  /** With the webhook endpoint of {@code receiver}, the lifecycle sweep every {@code sweepSeconds} (null: as configured). */
  private static PipelineHarness start(Vertx vertx, WebhookReceiver receiver, Integer sweepSeconds) throws Exception {
    // the endpoint names no events: session.waiting and session.resumed_work are among the default ones
    WebhookEndpoint endpoint = new WebhookEndpoint("harness", receiver.url(), SECRET, WebhookEndpoint.DEFAULT_EVENT_TYPES,
        Set.of(), false);
    return PipelineHarness.start(vertx, TestDatabase.newDatabase(), config -> {
      CheckpointConfig c = config.checkpoints();
      return config.withCheckpoints(new CheckpointConfig(c.levels(), c.projectLevels(), c.samples(), List.of(endpoint),
          c.timeoutMs(), c.maxAttempts(), 50, c.maxInFlight(), sweepSeconds == null ? c.lifecycleSweepSeconds() : sweepSeconds,
          c.quotaWarningPercent(), c.budgets()));
    });
  }

  private static void post(PipelineHarness pipeline, Buffer body) throws Exception {
    PipelineHarness.Response response = pipeline.postAndWait("/v1/logs", PROTOBUF, body, Map.of());
    assertThat(response.status()).as(response.body().toString()).isEqualTo(200);
  }

  /** The session from the API once its status is {@code expected}. */
  private static JsonObject statusOf(PipelineHarness pipeline, String session, String expected) {
    return Awaitility.await(session + " " + expected).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
        .until(() -> pipeline.apiGet("/api/v1/sessions/" + session), s -> expected.equals(s.getString("status")));
  }

  /** The data of the next session.status frame of {@code session} to {@code to}. */
  private static JsonObject statusFrame(PushClient feed, String session, String to) throws InterruptedException {
    return feed.next(f -> "session.status".equals(f.getString("type")) && session.equals(f.getJsonObject("data").getString("sessionId"))
        && to.equals(f.getJsonObject("data").getString("to")), "session.status of " + session + " to " + to).getJsonObject("data");
  }

  private static List<String> ids(JsonArray sessions) {
    return sessions.stream().map(s -> ((JsonObject) s).getString("sessionId")).toList();
  }
}
