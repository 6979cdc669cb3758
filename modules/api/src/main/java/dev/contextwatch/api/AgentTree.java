package dev.contextwatch.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The agents that ran in a session, from its Claude Code trace spans: the main agent at the root,
 * each subagent under the agent whose {@code Agent} tool spawned it. A request
 * ({@code claude_code.llm_request}) belongs to the agent its {@code agent_id} names (none: the main
 * agent); a subagent's first request hangs under the spawning tool's {@code tool.execution} span,
 * whose parent {@code claude_code.tool} span names the spawning agent. Each node counts its
 * requests, their tokens and its tool calls ({@code claude_code.tool}). A subagent whose spawner
 * is not found (its spans not received), or whose link would close a loop, hangs under the main agent.
 */
final class AgentTree {
  static final String REQUEST = "claude_code.llm_request";
  static final String TOOL = "claude_code.tool";
  static final String TOOL_EXECUTION = "claude_code.tool.execution";
  /** The main agent's key: it has no agent id. */
  private static final String MAIN = "";
  private static final List<String> TOKENS = List.of("input_tokens", "output_tokens", "cache_read_tokens", "cache_creation_tokens");

  /** One span as the tree reads it. */
  record Span(String spanId, String parentSpanId, String name, JsonObject attributes) {}

  private AgentTree() {}

  /** The main agent's node, its subagents nested under {@code agents}. */
  static JsonObject build(List<Span> spans) {
    Map<String, Span> byId = new HashMap<>();
    spans.forEach(span -> byId.put(span.spanId(), span));
    Map<String, JsonObject> agents = new LinkedHashMap<>();
    Map<String, String> spawnedBy = new HashMap<>();
    agents.put(MAIN, node(null, null));
    for (Span span : spans) {
      String agent = agentOf(span);
      if (REQUEST.equals(span.name())) {
        JsonObject node = agents.computeIfAbsent(agent, id -> node(id, subagentType(span.attributes())));
        count(node, span.attributes());
        if (!agent.equals(MAIN) && !spawnedBy.containsKey(agent)) {
          spawner(span, byId).ifPresent(parent -> spawnedBy.put(agent, parent));
        }
      } else if (TOOL.equals(span.name())) {
        JsonObject node = agents.computeIfAbsent(agent, id -> node(id, null));
        node.put("toolCalls", node.getLong("toolCalls") + 1);
      }
    }
    agents.forEach((id, node) -> {
      if (!id.equals(MAIN)) {
        String parent = spawnedBy.getOrDefault(id, MAIN);
        agents.get(agents.containsKey(parent) && !reaches(parent, id, spawnedBy) ? parent : MAIN).getJsonArray("agents").add(node);
      }
    });
    return agents.get(MAIN);
  }

  private static JsonObject node(String agentId, String type) {
    JsonObject node = new JsonObject().put("agentId", agentId).put("agentType", agentId == null ? "main" : type)
        .put("requests", 0L).put("toolCalls", 0L);
    TOKENS.forEach(key -> node.put(camel(key), 0L));
    return node.put("agents", new JsonArray());
  }

  private static void count(JsonObject node, JsonObject attributes) {
    node.put("requests", node.getLong("requests") + 1);
    TOKENS.forEach(key -> node.put(camel(key), node.getLong(camel(key)) + whole(attributes.getValue(key))));
    if (node.getString("agentType") == null) {
      node.put("agentType", subagentType(attributes));
    }
  }

  private static String agentOf(Span span) {
    return span.attributes().getValue("agent_id") instanceof String id && !id.isBlank() ? id : MAIN;
  }

  /** The agent whose tool spawned the subagent of this request: request → tool.execution → tool (its agent_id). */
  private static Optional<String> spawner(Span request, Map<String, Span> byId) {
    Span execution = byId.get(request.parentSpanId());
    Span tool = execution == null || !TOOL_EXECUTION.equals(execution.name()) ? null : byId.get(execution.parentSpanId());
    return tool == null || !TOOL.equals(tool.name()) ? Optional.empty() : Optional.of(agentOf(tool));
  }

  /** agent.builtin.general-purpose (query_source_safe) or agent:builtin:general-purpose (query_source): its last part. */
  private static String subagentType(JsonObject attributes) {
    for (String key : List.of("query_source_safe", "query_source")) {
      if (attributes.getValue(key) instanceof String source && source.startsWith("agent")) {
        return source.substring(Math.max(source.lastIndexOf('.'), source.lastIndexOf(':')) + 1);
      }
    }
    return null;
  }

  /** Whether following spawners up from {@code from} reaches {@code target} (a loop). */
  private static boolean reaches(String from, String target, Map<String, String> spawnedBy) {
    String current = from;
    for (int steps = 0; current != null && steps <= spawnedBy.size(); steps++) {
      if (current.equals(target)) {
        return true;
      }
      current = spawnedBy.get(current);
    }
    return false;
  }

  /** A token count sent as a number or a string; 0 when absent or not a whole, non-negative count. */
  private static long whole(Object value) {
    double number;
    if (value instanceof Number n) {
      number = n.doubleValue();
    } else if (value instanceof String text) {
      try {
        number = Double.parseDouble(text);
      } catch (NumberFormatException e) {
        return 0;
      }
    } else {
      return 0;
    }
    return number >= 0 && number <= 1e15 && number == Math.rint(number) ? (long) number : 0;
  }

  private static String camel(String key) {
    StringBuilder name = new StringBuilder();
    for (String part : key.split("_")) {
      name.append(name.length() == 0 ? part : Character.toUpperCase(part.charAt(0)) + part.substring(1));
    }
    return name.toString();
  }
}
