package dev.contextwatch.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.core.config.ContextwatchConfig;
import dev.contextwatch.testkit.Fixtures;
import dev.contextwatch.testkit.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The hook inputs the real client 2.1.332 posted in a headless run with a compaction, replayed over HTTP. */
@ExtendWith(VertxExtension.class)
class HookReplayTest {
  private static final String TOKEN = "hook-token";
  private static final Map<String, String> AUTH = Map.of("Authorization", "Bearer " + TOKEN);
  private static final String JSON = "application/json";
  private static final String SESSION = "4ff06e13-061b-4520-8819-84cb405cd365";
  private static final List<String> RECORDED = Fixtures.hookInputs(Fixtures.CLIENT_2_1_332, "headless-compaction");
  private static final List<String> INTERACTIVE = Fixtures.hookInputs(Fixtures.CLIENT_2_1_332, "interactive-permission-compact");
  private static final List<String> INTERACTIVE_STATUS_LINES = Fixtures.statusLines(Fixtures.CLIENT_2_1_332,
      "interactive-permission-compact");

  @Test
  @DisplayName("the recorded hooks open the session with its start source, record the compaction and close it with reason other; each answered {} once stored")
  void recordedRun(Vertx vertx) throws Exception {
    PipelineHarness pipeline = start(vertx, UnaryOperator.identity());
    try {
      assertThat(replay(pipeline, RECORDED)).allMatch(JsonObject::isEmpty);

      assertThat(pipeline.count("select count(*) from events where session_id = '" + SESSION + "'")).isEqualTo(RECORDED.size());
      JsonObject session = pipeline.apiGet("/api/v1/sessions/" + SESSION);
      assertThat(session.getString("status")).isEqualTo("closed");
      JsonObject summary = session.containsKey("summary") ? session.getJsonObject("summary") : session;
      JsonObject lifecycle = summary.getJsonObject("lifecycle");
      assertThat(lifecycle.getString("endReason")).isEqualTo("other");
      assertThat(lifecycle.getString("startSource")).as("the last start, after the compaction").isEqualTo("compact");
      assertThat(lifecycle.getString("lastCompactionTrigger")).isEqualTo("auto");
      assertThat(summary.getJsonObject("context").getInteger("compactions")).isEqualTo(1);
      assertThat(summary.getJsonArray("models").getList()).contains("claude-sonnet-4-5");
      assertThat(pipeline.count("select count(*) from events where session_id = '" + SESSION
          + "' and event_name = 'hook.SessionStart' and attributes->>'source' = 'startup'")).isEqualTo(1);
    } finally {
      pipeline.stop();
    }
  }

  @Test
  @DisplayName("an interactive session's recorded hooks: waiting at its permission prompt (its status lines change nothing), active once approved, the manual compaction counted, waiting at the idle prompt, closed on /exit with its reason")
  void interactiveRun(Vertx vertx) throws Exception {
    PipelineHarness pipeline = start(vertx, UnaryOperator.identity());
    try {
      String session = new JsonObject(INTERACTIVE.get(0)).getString("session_id");
      List<String> statuses = new ArrayList<>();
      for (String input : INTERACTIVE) {
        assertThat(pipeline.postAndWait("/v1/hooks", JSON, Buffer.buffer(input), AUTH).status()).as(input).isEqualTo(200);
        JsonObject hook = new JsonObject(input);
        if ("permission_prompt".equals(hook.getString("notification_type"))) {
          for (String line : INTERACTIVE_STATUS_LINES) {
            assertThat(pipeline.postAndWait("/v1/statusline", JSON, Buffer.buffer(line), AUTH).status()).isEqualTo(200);
          }
        }
        statuses.add(hook.getString("hook_event_name") + " " + pipeline.apiGet("/api/v1/sessions/" + session).getString("status"));
      }

      assertThat(statuses).containsExactly("SessionStart active", "UserPromptSubmit active", "PreToolUse active",
          "Notification waiting", "PostToolUse active", "Stop active", "PreCompact active", "SessionStart active",
          "PostCompact active", "Notification waiting", "SessionEnd closed");
      JsonObject summary = pipeline.apiGet("/api/v1/sessions/" + session);
      assertThat(summary.getJsonObject("lifecycle").getString("endReason")).isEqualTo("prompt_input_exit");
      assertThat(summary.getJsonObject("lifecycle").getString("lastCompactionTrigger")).isEqualTo("manual");
      assertThat(summary.getJsonObject("context").getInteger("compactions")).isEqualTo(1);
      assertThat(summary.getJsonObject("statusLine").getLong("window")).as("the client's own window").isEqualTo(1_000_000L);
      assertThat(summary.getJsonObject("statusLine").getString("version")).isEqualTo("2.1.332");
    } finally {
      pipeline.stop();
    }
  }

  @Test
  @DisplayName("with contextReloading on, the SessionStart after the compaction is answered with the session's state as additionalContext; the others with {}")
  void contextReloaded(Vertx vertx) throws Exception {
    PipelineHarness pipeline = start(vertx, config -> config.withReceiver(config.receiver().withContextReloading(true)));
    try {
      List<JsonObject> answers = replay(pipeline, RECORDED);

      assertThat(answers.get(0)).as("startup: nothing to reload").isEqualTo(new JsonObject());
      assertThat(answers.get(1)).as("PreCompact").isEqualTo(new JsonObject());
      JsonObject output = answers.get(2).getJsonObject("hookSpecificOutput");
      assertThat(output.getString("hookEventName")).isEqualTo("SessionStart");
      assertThat(output.getString("additionalContext")).contains("before the compaction", SESSION, "Totals:");
      assertThat(answers.get(3)).as("SessionEnd").isEqualTo(new JsonObject());
    } finally {
      pipeline.stop();
    }
  }

  @Test
  @DisplayName("a hook delivered again is answered 200 and stores nothing new; the session's totals do not move")
  void duplicatesIgnored(Vertx vertx) throws Exception {
    PipelineHarness pipeline = start(vertx, UnaryOperator.identity());
    try {
      replay(pipeline, RECORDED);
      String summaryBefore = pipeline.query("select summary::text from sessions where session_id = '" + SESSION + "'");
      replay(pipeline, RECORDED);

      assertThat(pipeline.count("select count(*) from events where session_id = '" + SESSION + "'")).isEqualTo(RECORDED.size());
      assertThat(pipeline.query("select summary::text from sessions where session_id = '" + SESSION + "'")).isEqualTo(summaryBefore);
    } finally {
      pipeline.stop();
    }
  }

  @Test
  @DisplayName("a hook or status line for a session never seen creates it")
  void unknownSessionCreated(Vertx vertx) throws Exception {
    PipelineHarness pipeline = start(vertx, UnaryOperator.identity());
    try {
      String hook = new JsonObject().put("session_id", "never-seen").put("hook_event_name", "Notification")
          .put("notification_type", "idle_prompt").put("message", "Claude is waiting for your input").encode();
      assertThat(pipeline.postAndWait("/v1/hooks", JSON, Buffer.buffer(hook), AUTH).status()).isEqualTo(200);
      String line = new JsonObject().put("session_id", "never-seen-2")
          .put("context_window", new JsonObject().put("used_percentage", 41.5)).encode();
      assertThat(pipeline.postAndWait("/v1/statusline", JSON, Buffer.buffer(line), AUTH).status()).isEqualTo(200);

      assertThat(pipeline.apiGet("/api/v1/sessions/never-seen").getString("status")).as("its one hook says it waits for a person").isEqualTo("waiting");
      assertThat(pipeline.apiGet("/api/v1/sessions/never-seen-2").getString("status")).isEqualTo("active");
      assertThat(pipeline.query("select event_name from events where session_id = 'never-seen'")).isEqualTo("hook.Notification");
      assertThat(pipeline.query("select attributes->>'context_window.used_percentage' from events where session_id = 'never-seen-2'"))
          .isEqualTo("41.5");
      assertThat(pipeline.query("select scope_name from events where session_id = 'never-seen-2'")).isEqualTo("contextwatch.statusline");
    } finally {
      pipeline.stop();
    }
  }

  @Test
  @DisplayName("bad hook bodies are refused naming what is wrong, and nothing of theirs is stored")
  void badInputs(Vertx vertx) throws Exception {
    PipelineHarness pipeline = start(vertx, UnaryOperator.identity());
    try {
      assertRefused(pipeline, "/v1/hooks", JSON, "[1, 2]", AUTH, 400, "JSON object");
      assertRefused(pipeline, "/v1/hooks", JSON, "{\"session_id\": ", AUTH, 400, "not valid JSON");
      assertRefused(pipeline, "/v1/hooks", JSON, "{\"hook_event_name\": \"Stop\"}", AUTH, 400, "session_id");
      assertRefused(pipeline, "/v1/hooks", JSON, "{\"session_id\": 7, \"hook_event_name\": \"Stop\"}", AUTH, 400, "session_id");
      assertRefused(pipeline, "/v1/hooks", JSON, "{\"session_id\": \"s-bad\"}", AUTH, 400, "hook_event_name");
      assertRefused(pipeline, "/v1/statusline", JSON, "{\"model\": {}}", AUTH, 400, "session_id");
      assertRefused(pipeline, "/v1/hooks", JSON, "{\"session_id\": \"" + "x".repeat(300) + "\", \"hook_event_name\": \"Stop\"}",
          AUTH, 400, "session_id");
      assertRefused(pipeline, "/v1/hooks", "application/x-protobuf", "{}", AUTH, 415, "application/json");
      assertRefused(pipeline, "/v1/hooks", JSON, RECORDED.get(0), Map.of(), 401, "Authorization");
      assertRefused(pipeline, "/v1/hooks", JSON, RECORDED.get(0), Map.of("Authorization", "Bearer wrong"), 401, "token");

      assertThat(pipeline.count("select count(*) from events")).isZero();
    } finally {
      pipeline.stop();
    }
  }

  /** Each input POSTed to /v1/hooks in turn, each answered 200 once stored; the answers, in order. */
  private static List<JsonObject> replay(PipelineHarness pipeline, List<String> inputs) throws Exception {
    List<JsonObject> answers = new ArrayList<>();
    for (String input : inputs) {
      PipelineHarness.Response response = pipeline.postAndWait("/v1/hooks", JSON, Buffer.buffer(input), AUTH);
      assertThat(response.status()).as(input).isEqualTo(200);
      answers.add(response.body().toJsonObject());
    }
    return answers;
  }

  private static void assertRefused(PipelineHarness pipeline, String path, String contentType, String body,
      Map<String, String> headers, int status, String naming) throws Exception {
    PipelineHarness.Response response = pipeline.postAndWait(path, contentType, Buffer.buffer(body), headers);
    assertThat(response.status()).as(body).isEqualTo(status);
    assertThat(response.body().toString()).as(body).contains(naming).doesNotContain("java.", "Exception");
  }

  static PipelineHarness start(Vertx vertx, UnaryOperator<ContextwatchConfig> adjust) throws Exception {
    return PipelineHarness.start(vertx, TestDatabase.newDatabase(),
        config -> adjust.apply(config.withReceiver(config.receiver().withLimits(config.receiver().maxBodyBytes(), TOKEN))));
  }
}
