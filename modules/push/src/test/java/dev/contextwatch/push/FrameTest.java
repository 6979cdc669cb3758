package dev.contextwatch.push;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class FrameTest {

  @Test
  @DisplayName("a frame's text puts the stream's seq, and the coalesced count when there is one, in front of the encoded frame")
  void text() {
    Frame frame = Frame.live(Frame.SESSION_UPDATED, 77, "s1", "acme", "run-1", false, new JsonObject().put("k", 1));
    JsonObject first = new JsonObject(frame.text(1, 0));
    JsonObject later = new JsonObject(frame.text(12, 3));
    assertThat(first.getLong("seq")).isEqualTo(1);
    assertThat(first.containsKey("coalesced")).isFalse();
    assertThat(first.getString("type")).isEqualTo("session.updated");
    assertThat(first.getLong("position")).isEqualTo(77);
    assertThat(first.getString("sessionId")).isEqualTo("s1");
    assertThat(first.getString("project")).isEqualTo("acme");
    assertThat(first.getString("runId")).isEqualTo("run-1");
    assertThat(first.getJsonObject("data").getInteger("k")).isEqualTo(1);
    assertThat(first.getString("time")).isNotBlank();
    assertThat(later.getLong("seq")).isEqualTo(12);
    assertThat(later.getInteger("coalesced")).isEqualTo(3);
    assertThat(later.getString("time")).isEqualTo(first.getString("time"));
  }

  @Test
  @DisplayName("a frame's size is the UTF-8 length of its JSON as sent, whatever its characters")
  void bytes() {
    JsonObject data = new JsonObject().put("ascii", "abc").put("accents", "déjà vu").put("cjk", "文字").put("emoji", "🙂")
        .put("quote", "\"\\\n");
    Frame frame = Frame.live(Frame.EVENT, 5, "s", null, null, false, data);
    String text = frame.text(1, 0);
    int prefix = "{\"seq\":1,".length() - 1;
    assertThat(frame.bytes).isEqualTo(text.getBytes(StandardCharsets.UTF_8).length - prefix);
  }
}
