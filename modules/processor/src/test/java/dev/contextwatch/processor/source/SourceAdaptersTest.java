package dev.contextwatch.processor.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.core.model.ClientJson;
import dev.contextwatch.core.model.EventRecord;
import dev.contextwatch.core.model.MetricPoint;
import dev.contextwatch.core.model.MetricPoint.MetricType;
import dev.contextwatch.core.model.MetricPoint.Temporality;
import dev.contextwatch.core.model.Origin;
import dev.contextwatch.processor.source.UsageFact.MetricTotal;
import dev.contextwatch.processor.source.UsageFact.Thread;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SourceAdaptersTest {
  private static final Instant T0 = Instant.parse("2026-11-23T05:00:00Z");
  private static final JsonObject DESKTOP = new JsonObject().put("service.name", "claude-code-desktop");
  private final SourceAdapters adapters = SourceAdapters.known();

  @Test
  @DisplayName("Claude Code is recognised by its scope whatever the user named the service, and its request becomes a usage fact")
  void claudeCodeByScope() {
    EventRecord request = apiRequest(new Origin(DESKTOP, "com.anthropic.claude_code.events", "2.1.332"), null,
        new JsonObject().put("query_source", "agent:builtin:general-purpose"));

    assertThat(adapters.facts(request)).containsExactly(new UsageFact.ModelNamed("claude-opus-4-8", false),
        new UsageFact.Request(Thread.SUBAGENT, "claude-opus-4-8", "p1", 500, 60, 16_000, 3_500, 33_875, "general-purpose"));
  }

  @ParameterizedTest(name = "query_source {0}, agent.name {1}: {2} {3}")
  @CsvSource(nullValues = "none", value = {
      "none, none, MAIN, none",
      "main, none, MAIN, none",
      "sdk, none, MAIN, none",
      "agent:builtin:general-purpose, general-purpose, SUBAGENT, general-purpose",
      "agent:builtin:general-purpose, none, SUBAGENT, general-purpose",
      "agent:custom:reviewer, code-reviewer, SUBAGENT, code-reviewer",
      "agent:, none, SUBAGENT, unnamed",
      "subagent, none, SUBAGENT, unnamed",
      "subagent, Explore, SUBAGENT, Explore",
      "compact, none, AUXILIARY, none",
      "auxiliary, none, AUXILIARY, none",
      "generate_session_title, none, AUXILIARY, none",
      "agentless, none, AUXILIARY, none"})
  @DisplayName("a request's thread and subagent type follow what the client sends as query_source and agent.name")
  void threadOfQuerySource(String querySource, String agentName, Thread thread, String subagentType) {
    JsonObject attributes = new JsonObject();
    if (querySource != null) {
      attributes.put("query_source", querySource);
    }
    if (agentName != null) {
      attributes.put("agent.name", agentName);
    }
    EventRecord request = apiRequest(new Origin(DESKTOP, "com.anthropic.claude_code.events", "2.1.332"), null, attributes);

    assertThat(adapters.facts(request)).last().isEqualTo(new UsageFact.Request(thread, "claude-opus-4-8", "p1", 500, 60,
        16_000, 3_500, 33_875, subagentType));
  }

  @Test
  @DisplayName("subagent_completed becomes a subagent run, its numbers read as int, double or string; a bad one is left out")
  void subagentCompleted() {
    EventRecord completed = event("subagent_completed", new JsonObject().put("agent_type", "general-purpose")
        .put("agent_id", "a3867d1cf894d6fd9").put("total_tokens", "60060").put("total_tool_uses", 4.0)
        .put("duration_ms", 237).put("model", "claude-sonnet-4-5"));
    EventRecord damaged = event("subagent_completed", new JsonObject().put("total_tokens", -1).put("total_tool_uses", "many")
        .put("duration_ms", "NaN"));

    assertThat(adapters.facts(completed)).containsExactly(new UsageFact.SubagentRun("general-purpose", "a3867d1cf894d6fd9",
        60_060L, 4L, 237.0, "claude-sonnet-4-5"));
    assertThat(adapters.facts(damaged)).containsExactly(new UsageFact.SubagentRun("unnamed", null, null, null, null, null));
  }

  @Test
  @DisplayName("claude_code.session.count says how the session started (fresh, resume, continue)")
  void sessionStart() {
    Origin origin = new Origin(DESKTOP, "com.anthropic.claude_code", "2.1.332");
    MetricPoint resumed = new MetricPoint(T0, T0.minusSeconds(60), "s1", "claude_code.session.count", MetricType.SUM,
        Temporality.DELTA, true, null, 1.0, null, null, origin, new JsonObject().put("start_type", "resume"), "key-4", 1.0);

    assertThat(adapters.facts(resumed)).containsExactly(new UsageFact.SessionStart("resume"));
  }

  @Test
  @DisplayName("without a scope Claude Code is recognised by its vocabulary: the claude_code. body, its event names, its metric names")
  void claudeCodeByVocabulary() {
    Origin unscoped = new Origin(new JsonObject(), null, null);

    assertThat(adapters.facts(apiRequest(unscoped, "claude_code.api_request", new JsonObject()))).hasSize(2);
    assertThat(adapters.facts(apiRequest(unscoped, null, new JsonObject()))).hasSize(2);
    assertThat(adapters.facts(point(unscoped, "claude_code.token.usage", "cacheRead")))
        .containsExactly(new UsageFact.MetricDelta(MetricTotal.CACHE_READ_TOKENS, 40));
  }

  @Test
  @DisplayName("a Notification hook of a permission or idle prompt says the session waits; other notifications and the status line say nothing; any other event shows it at work")
  void attention() {
    assertThat(adapters.attention(hook("hook.Notification", new JsonObject().put("notification_type", "permission_prompt"))))
        .isEqualTo(new UsageFact.WaitingForInput("permission_prompt"));
    assertThat(adapters.attention(hook("hook.Notification", new JsonObject().put("notification_type", "idle_prompt")
        .put("message", "Claude is waiting for your input")))).isEqualTo(new UsageFact.WaitingForInput("idle_prompt"));
    assertThat(adapters.attention(hook("hook.PermissionRequest", new JsonObject().put("tool_name", "Bash"))))
        .as("the dialog itself, sent for every prompt (a repeated Notification of one turn is the same body, stored once)")
        .isEqualTo(new UsageFact.WaitingForInput("permission_prompt"));
    assertThat(adapters.attention(hook("hook.Notification", new JsonObject().put("notification_type", "auth_success")))).isNull();
    assertThat(adapters.attention(hook("hook.Notification", new JsonObject()))).isNull();
    EventRecord statusLine = new EventRecord(T0, T0, "s1", ClientJson.STATUS_LINE_EVENT, null, null, null, null, null, null,
        null, null, null, 0, null, null, null, null, new Origin(new JsonObject(), ClientJson.STATUS_LINE_SCOPE, null),
        new JsonObject().put("context_window.used_percentage", 42), "key-7");
    assertThat(adapters.attention(statusLine)).isNull();
    assertThat(adapters.attention(event("hook_execution_complete", new JsonObject().put("hook_event", "PermissionRequest"))))
        .as("the telemetry of the waiting hook's own run, a moment after it").isNull();
    assertThat(adapters.attention(hook("hook.UserPromptSubmit", new JsonObject().put("prompt", "go on"))))
        .isEqualTo(new UsageFact.Worked());
    assertThat(adapters.attention(event("tool_result", new JsonObject().put("tool_name", "Bash")))).isEqualTo(new UsageFact.Worked());
    Origin codex = new Origin(new JsonObject(), "codex_cli_rs", "0.60.0");
    assertThat(adapters.attention(apiRequest(codex, null, new JsonObject()))).as("another client's").isNull();
  }

  @Test
  @DisplayName("another client's records, even named like Claude Code's, add to no usage total")
  void unknownClientHasNoFacts() {
    Origin codex = new Origin(new JsonObject().put("service.name", "claude-code"), "codex_cli_rs", "0.60.0");

    assertThat(adapters.facts(apiRequest(codex, null, new JsonObject()))).isEmpty();
    assertThat(adapters.facts(point(codex, "codex.token.usage", "cacheRead"))).isEmpty();
  }

  @Test
  @DisplayName("a record with neither scope, name nor body is nobody's, and reading it fails nothing")
  void anonymousRecord() {
    EventRecord anonymous = new EventRecord(T0, T0, "s1", null, null, null, null, null, null, null, null, null, null, 0,
        null, null, null, null, new Origin(new JsonObject(), null, null), new JsonObject().put("padding", "p"), "key-3");

    assertThat(adapters.facts(anonymous)).isEmpty();
    assertThat(adapters.read(anonymous)).isEqualTo(Reading.of(anonymous));
  }

  private static EventRecord apiRequest(Origin origin, String body, JsonObject attributes) {
    return new EventRecord(T0, T0, "s1", "api_request", 2L, "p1", "claude-opus-4-8", 500L, 60L, 16_000L, 3_500L, 33_875L,
        61.0, 9, null, body, null, null, origin, attributes, "key-1");
  }

  private static EventRecord event(String name, JsonObject attributes) {
    return new EventRecord(T0, T0, "s1", name, 3L, "p1", null, null, null, null, null, null, null, 9, null,
        "claude_code." + name, null, null, new Origin(DESKTOP, "com.anthropic.claude_code.events", "2.1.332"), attributes,
        "key-5");
  }

  private static EventRecord hook(String name, JsonObject attributes) {
    return new EventRecord(T0, T0, "s1", name, null, null, null, null, null, null, null, null, null, 0, null, null, null, null,
        new Origin(new JsonObject(), ClientJson.HOOKS_SCOPE, null), attributes, "key-6");
  }

  private static MetricPoint point(Origin origin, String name, String type) {
    return new MetricPoint(T0, T0.minusSeconds(60), "s1", name, MetricType.SUM, Temporality.DELTA, true, "tokens", 40.0, null,
        null, origin, new JsonObject().put("type", type), "key-2", 40.0);
  }
}
