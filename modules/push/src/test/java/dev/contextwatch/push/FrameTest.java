package dev.contextwatch.push;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.core.cluster.FeedFrameWire;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
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

  @Test
  @DisplayName("a session.updated frame goes to tile subscribers with the tile of its summary, and to the others whole")
  void tileText() {
    JsonObject summary = new JsonObject().put("sessionId", "s1").put("status", "active").put("label", "term-1")
        .put("totals", new JsonObject().put("costUsd", 0.25).put("apiRequests", 3).put("linesAdded", 10))
        .put("context", new JsonObject().put("tokens", 120_000).put("percentOfThreshold", 71.8562874251497)
            .put("samples", new JsonArray().add(1).add(2)))
        .put("tools", new JsonObject().put("Bash", new JsonObject().put("calls", 4)))
        .put("lastPrompt", "p".repeat(500));
    Frame frame = Frame.live(Frame.SESSION_UPDATED, 9, "s1", "acme", null, false, summary);
    JsonObject tile = new JsonObject(frame.text(1, 0, SummaryShape.TILE));
    JsonObject whole = new JsonObject(frame.text(1, 0, SummaryShape.FULL));

    assertThat(whole.getJsonObject("data")).isEqualTo(summary);
    JsonObject data = tile.getJsonObject("data");
    assertThat(tile.getLong("position")).isEqualTo(9);
    assertThat(data.getString("label")).isEqualTo("term-1");
    assertThat(data.getJsonObject("totals").getDouble("costUsd")).isEqualTo(0.25);
    assertThat(data.getJsonObject("totals").containsKey("linesAdded")).isFalse();
    assertThat(data.getJsonObject("context").getDouble("percentOfThreshold")).isEqualTo(71.86);
    assertThat(data.getJsonObject("context").getInteger("samples")).isEqualTo(2);
    assertThat(data.containsKey("tools")).isFalse();
    assertThat(data.getString("lastPrompt")).hasSize(160);
    assertThat(frame.bytes(SummaryShape.TILE)).isLessThan(frame.bytes(SummaryShape.FULL));
    assertThat(frame.heldBytes()).isEqualTo(frame.bytes(SummaryShape.TILE) + frame.bytes(SummaryShape.FULL));
    // other frames are the same for both
    Frame event = Frame.live(Frame.EVENT, 10, "s1", null, null, false, summary);
    assertThat(event.text(1, 0, SummaryShape.TILE)).isEqualTo(event.text(1, 0, SummaryShape.FULL));
  }

  @Test
  @DisplayName("in a cluster a frame names the node that made it, its position names the node that serves it, and its data is the bytes it came with")
  void clusterFrame() {
    JsonObject summary = new JsonObject().put("sessionId", "s1").put("label", "déjà 文字").put("lastPrompt", "p".repeat(500))
        .put("totals", new JsonObject().put("costUsd", 0.25).put("linesAdded", 10));
    FeedFrameWire made = Frame.wire("node-1", Frame.SESSION_UPDATED, "s1", "acme", "run-1", true, summary);
    Frame here = Frame.live(made, 41, "node-1");
    Frame there = Frame.live(made, 7, "node-2");
    Frame single = Frame.live(Frame.SESSION_UPDATED, 7, "s1", "acme", "run-1", true, summary);

    JsonObject full = new JsonObject(there.text(3, 0));
    assertThat(full.getString("node")).isEqualTo("node-1");
    assertThat(full.getString("position")).isEqualTo("node-2:7");
    assertThat(new JsonObject(here.text(1, 0)).getString("position")).isEqualTo("node-1:41");
    assertThat(full.getLong("seq")).isEqualTo(3);
    assertThat(full.getJsonObject("data")).isEqualTo(summary);
    assertThat(there.position).isEqualTo(7);
    assertThat(there.synthetic).isTrue();
    assertThat(List.of(there.sessionId, there.project, there.runId)).containsExactly("s1", "acme", "run-1");
    JsonObject tile = new JsonObject(there.text(1, 0, SummaryShape.TILE));
    assertThat(tile.getJsonObject("data")).isEqualTo(new JsonObject(single.text(1, 0, SummaryShape.TILE)).getJsonObject("data"));
    assertThat(tile.getString("node")).isEqualTo("node-1");
    // the same as a single node's frame but for node and position
    full.remove("node");
    full.put("position", 7L);
    JsonObject alone = new JsonObject(single.text(3, 0));
    full.put("time", alone.getString("time"));
    assertThat(full).isEqualTo(alone);
    assertThat(there.bytes).isEqualTo(there.text(1, 0).getBytes(StandardCharsets.UTF_8).length - "{\"seq\":1,".length() + 1);
  }

  @Test
  @DisplayName("a single node's frames carry no node, and their positions are numbers, as before clusters")
  void singleNodeFrame() {
    JsonObject pong = new JsonObject(Frame.control(Frame.PONG, 12, new JsonObject()).text(1, 0));
    JsonObject clustered = new JsonObject(Frame.control(Frame.PONG, 12, "node-2", new JsonObject()).text(1, 0));
    assertThat(pong.containsKey("node")).isFalse();
    assertThat(pong.getValue("position")).isInstanceOf(Number.class);
    assertThat(pong.getLong("position")).isEqualTo(12);
    assertThat(clustered.getString("node")).isEqualTo("node-2");
    assertThat(clustered.getString("position")).isEqualTo("node-2:12");
  }
}
