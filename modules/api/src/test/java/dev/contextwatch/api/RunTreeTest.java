package dev.contextwatch.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RunTreeTest {

  @Test
  @DisplayName("parent links that form a loop still list every session exactly once: the link that would close the loop is dropped")
  void loop() {
    JsonArray tree = RunTree.build(List.of(node("a", "b"), node("b", "a"), node("self", "self")));
    assertThat(tree.encode()).isEqualTo(
        "[{\"sessionId\":\"b\",\"parentSessionId\":\"a\",\"children\":"
            + "[{\"sessionId\":\"a\",\"parentSessionId\":\"b\",\"children\":[]}]},"
            + "{\"sessionId\":\"self\",\"parentSessionId\":\"self\",\"children\":[]}]");
  }

  private static JsonObject node(String id, String parent) {
    return new JsonObject().put("sessionId", id).put("parentSessionId", parent);
  }
}
