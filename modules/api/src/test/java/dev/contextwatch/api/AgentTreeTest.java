package dev.contextwatch.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Spans shaped as Claude Code 2.1.332 sends them (the subagent-traces recording). */
class AgentTreeTest {
  @Test
  @DisplayName("each subagent hangs under the agent whose Agent tool spawned it, with its type, requests, tokens and tool calls; the main agent is the root")
  void nestsSubagentsUnderTheirSpawner() {
    JsonObject main = AgentTree.build(List.of(
        request("r1", "i1", null, "sdk", 500),
        tool("t1", "i1", null), execution("x1", "t1"),
        request("r2", "x1", "sub-1", "agent.builtin.general-purpose", 200),
        tool("t2", "r2", "sub-1"), execution("x2", "t2"),
        request("r3", "x2", "sub-2", "agent.builtin.Explore", 50),
        request("r4", "x1", "sub-1", "agent.builtin.general-purpose", "300"),
        request("r5", "i2", null, "sdk", 700)));
    assertThat(main.getString("agentType")).isEqualTo("main");
    assertThat(main.getLong("requests")).isEqualTo(2);
    assertThat(main.getLong("inputTokens")).isEqualTo(1_200);
    assertThat(main.getLong("toolCalls")).isEqualTo(1);
    JsonObject first = single(main.getJsonArray("agents"));
    assertThat(first.getString("agentId")).isEqualTo("sub-1");
    assertThat(first.getString("agentType")).isEqualTo("general-purpose");
    assertThat(first.getLong("requests")).isEqualTo(2);
    assertThat(first.getLong("inputTokens")).as("a count sent as a string is read").isEqualTo(500);
    assertThat(first.getLong("toolCalls")).isEqualTo(1);
    JsonObject nested = single(first.getJsonArray("agents"));
    assertThat(nested.getString("agentId")).isEqualTo("sub-2");
    assertThat(nested.getString("agentType")).isEqualTo("Explore");
    assertThat(nested.getJsonArray("agents")).isEmpty();
  }

  @Test
  @DisplayName("a subagent whose spawning spans were not received, or whose spawner link closes a loop, hangs under the main agent; a bad token count adds nothing")
  void orphansAndLoopsUnderMain() {
    JsonObject main = AgentTree.build(List.of(
        request("r1", "missing", "orphan", "agent:builtin:general-purpose", -5),
        tool("ta", "r2", "a"), execution("xa", "ta"),
        tool("tb", "r3", "b"), execution("xb", "tb"),
        request("r2", "xb", "a", "agent.builtin.general-purpose", "many"),
        request("r3", "xa", "b", "agent.builtin.general-purpose", 1)));
    assertThat(main.getLong("requests")).isZero();
    JsonArray agents = main.getJsonArray("agents");
    assertThat(agents.stream().map(a -> ((JsonObject) a).getString("agentId"))).contains("orphan");
    JsonObject orphan = agents.stream().map(JsonObject.class::cast).filter(a -> a.getString("agentId").equals("orphan")).findFirst()
        .orElseThrow();
    assertThat(orphan.getString("agentType")).isEqualTo("general-purpose");
    assertThat(orphan.getLong("inputTokens")).isZero();
    assertThat(count(main)).as("every agent once").isEqualTo(4);
  }

  private static long count(JsonObject node) {
    return 1 + node.getJsonArray("agents").stream().mapToLong(child -> count((JsonObject) child)).sum();
  }

  private static JsonObject single(JsonArray array) {
    assertThat(array).hasSize(1);
    return array.getJsonObject(0);
  }

  private static AgentTree.Span request(String id, String parent, String agent, String source, Object inputTokens) {
    JsonObject attributes = new JsonObject().put("query_source_safe", source).put("input_tokens", inputTokens)
        .put("output_tokens", 60).put("cache_read_tokens", 1_000).put("cache_creation_tokens", 100);
    return new AgentTree.Span(id, parent, AgentTree.REQUEST, agent == null ? attributes : attributes.put("agent_id", agent));
  }

  private static AgentTree.Span tool(String id, String parent, String agent) {
    JsonObject attributes = new JsonObject().put("tool_name", "Agent");
    return new AgentTree.Span(id, parent, AgentTree.TOOL, agent == null ? attributes : attributes.put("agent_id", agent));
  }

  private static AgentTree.Span execution(String id, String parent) {
    return new AgentTree.Span(id, parent, AgentTree.TOOL_EXECUTION, new JsonObject());
  }
}
