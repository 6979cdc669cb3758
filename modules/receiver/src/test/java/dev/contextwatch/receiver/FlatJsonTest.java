package dev.contextwatch.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class FlatJsonTest {
  private static final String STATUS_LINE = """
      {"session_id": "s-1", "model": {"id": "claude-sonnet-4-5", "display_name": "Sonnet"},
       "context_window": {"context_window_size": 200000, "used_percentage": 41.5, "current_usage": null},
       "rate_limits": {"five_hour": {"used_percentage": 12, "resets_at": 1764500000}},
       "exceeds_200k_tokens": false, "background_tasks": [], "cost": {"total_cost_usd": 0.25}}""";

  @Test
  @DisplayName("nested objects become dotted keys; strings, whole numbers, other numbers and booleans keep their kind; nulls are dropped")
  void flattens() {
    Map<String, AnyValue> flat = byKey(FlatJson.attributes(new JsonObject(STATUS_LINE), Set.of()));

    assertThat(flat.keySet()).containsExactly("session_id", "model.id", "model.display_name",
        "context_window.context_window_size", "context_window.used_percentage", "rate_limits.five_hour.used_percentage",
        "rate_limits.five_hour.resets_at", "exceeds_200k_tokens", "background_tasks", "cost.total_cost_usd");
    assertThat(flat.get("model.id").getStringValue()).isEqualTo("claude-sonnet-4-5");
    assertThat(flat.get("context_window.context_window_size").getIntValue()).isEqualTo(200000);
    assertThat(flat.get("context_window.used_percentage").getDoubleValue()).isEqualTo(41.5);
    assertThat(flat.get("rate_limits.five_hour.resets_at").getIntValue()).isEqualTo(1764500000L);
    assertThat(flat.get("exceeds_200k_tokens").hasBoolValue()).isTrue();
    assertThat(flat.get("cost.total_cost_usd").getDoubleValue()).isEqualTo(0.25);
  }

  @Test
  @DisplayName("an array is kept as its JSON text, and a whole key's object stays one attribute of JSON text")
  void arraysAndWholeKeys() {
    JsonObject hook = new JsonObject("""
        {"session_id": "s-1", "tool_input": {"command": "ls", "timeout": 5}, "todos": [{"content": "a"}, 2]}""");

    Map<String, AnyValue> flat = byKey(FlatJson.attributes(hook, Set.of("tool_input")));

    assertThat(flat.keySet()).containsExactly("session_id", "tool_input", "todos");
    assertThat(new JsonObject(flat.get("tool_input").getStringValue())).isEqualTo(new JsonObject().put("command", "ls").put("timeout", 5));
    assertThat(flat.get("todos").getStringValue()).isEqualTo("[{\"content\":\"a\"},2]");
  }

  @Test
  @DisplayName("a number beyond a long keeps its exact text")
  void hugeNumber() {
    Map<String, AnyValue> flat = byKey(FlatJson.attributes(new JsonObject("{\"n\": 123456789012345678901234567890}"), Set.of()));

    assertThat(flat.get("n").getStringValue()).isEqualTo("123456789012345678901234567890");
  }

  private static Map<String, AnyValue> byKey(List<KeyValue> attributes) {
    Map<String, AnyValue> map = new LinkedHashMap<>();
    attributes.forEach(kv -> map.put(kv.getKey(), kv.getValue()));
    return map;
  }
}
