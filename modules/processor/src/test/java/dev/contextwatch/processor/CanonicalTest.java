package dev.contextwatch.processor;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class CanonicalTest {
  private static final JsonObject RESOURCE = new JsonObject().put("service.version", "2.1.197").put("service.name", "claude-code")
      .put("host.arch", "arm64").put("os.type", "darwin").put("contextwatch.synthetic", true).put("weight", 1.5).put("count", 42L);
  private static final JsonObject ODD = new JsonObject()
      .put("quote\"back\\slash", "tab\tnew\nline\rcr\bbs\fff\u0001\u001f\u007f")
      .put("unicode", "h\u00e9llo \u65e5\u672c \uD83D\uDE00").put("nothing", (Object) null)
      .put("nested", new JsonObject().put("z", 1).put("a", new JsonArray().add("x").add(2).add(new JsonObject().put("k", "v")).addNull()))
      .put("empty", new JsonObject()).put("none", new JsonArray()).put("", "empty key").put("Zed", false);

  private static JsonObject attributes(String type) {
    return new JsonObject().put("type", type).put("session.id", "8f1e").put("model", "claude-opus-4-8[1m]").put("user.id", "u-1");
  }

  @Test
  @DisplayName("series keys keep the values stored before: keys written by earlier versions still name their series")
  void keysAsStored() {
    // computed by the implementation that wrote the stored keys (sorted maps encoded by Jackson)
    assertThat(Canonical.seriesKey(RESOURCE, "claude_code.token.usage", attributes("input")))
        .isEqualTo("a2699b462b77b1c5d190455ae94cdea2");
    assertThat(Canonical.seriesKey(ODD, "m\u00e9tric", new JsonObject())).isEqualTo("cc8ca59d179d8934bb2c4b297eb7ad88");
    assertThat(Canonical.seriesKey(new JsonObject(), "", ODD)).isEqualTo("c696ae6354fe48d43e285e4a6c4019a7");
  }

  @Test
  @DisplayName("the canonical text of any character is the one Jackson writes for the sorted fields")
  void everyCharacterAsJackson() {
    for (int block = 0; block < 256; block++) {
      StringBuilder chars = new StringBuilder();
      for (int c = block * 256; c < block * 256 + 256; c++) {
        chars.append((char) c);
      }
      JsonObject object = new JsonObject().put("k" + chars, "v" + chars).put("a", new JsonArray().add("e" + chars));
      Map<String, Object> sorted = new TreeMap<>();
      sorted.put("k" + chars, "v" + chars);
      sorted.put("a", new JsonArray().add("e" + chars).encode());
      assertThat(Canonical.text(object)).as("characters %d to %d", block * 256, block * 256 + 255)
          .isEqualTo(new JsonObject(sorted).encode());
    }
  }

  @Test
  @DisplayName("points sharing one resource get the keys each would get alone, and different attributes different keys")
  void sharedResource() {
    Canonical.SeriesKeys keys = new Canonical.SeriesKeys();
    String input = keys.of(RESOURCE, "claude_code.token.usage", attributes("input"));
    String output = keys.of(RESOURCE, "claude_code.token.usage", attributes("output"));
    String again = keys.of(RESOURCE, "claude_code.token.usage", attributes("input"));
    assertThat(input).isEqualTo(again).isEqualTo(Canonical.seriesKey(RESOURCE.copy(), "claude_code.token.usage", attributes("input")));
    assertThat(output).isNotEqualTo(input)
        .isEqualTo(Canonical.seriesKey(RESOURCE.copy(), "claude_code.token.usage", attributes("output")));
    assertThat(keys.of(ODD, "claude_code.token.usage", attributes("input"))).isNotEqualTo(input);
  }
}
