package dev.contextwatch.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class FeedFrameWireTest {
  private final FeedFrameWire.Codec codec = new FeedFrameWire.Codec();

  /** Encoded after bytes of the event bus's own, as a clustered message puts them, and decoded from there. */
  private FeedFrameWire roundTrip(FeedFrameWire frame) {
    Buffer wire = Buffer.buffer().appendString("header");
    codec.encodeToWire(wire, frame);
    return codec.decodeFromWire("header".length(), wire);
  }

  @Test
  @DisplayName("a session.updated frame crosses the wire with its node, routing fields and both payloads byte for byte")
  void update() {
    FeedFrameWire frame = new FeedFrameWire("5b1c0e2a-node-1", "session.updated", "d6b39256-ß", "acme", "run-42", true,
        Buffer.buffer("{\"sessionId\":\"d6b39256-ß\",\"label\":\"文字 🙂\"}"), Buffer.buffer("{\"tile\":true}"));
    FeedFrameWire back = roundTrip(frame);
    assertThat(back).isEqualTo(frame);
    assertThat(back.data().toString()).isEqualTo("{\"sessionId\":\"d6b39256-ß\",\"label\":\"文字 🙂\"}");
  }

  @Test
  @DisplayName("a fleet budget's frame, with no session, project, run or tile payload, comes back with those still null")
  void nulls() {
    FeedFrameWire frame = new FeedFrameWire("node-2", "budget.exceeded", null, null, null, false, Buffer.buffer("{}"), null);
    assertThat(roundTrip(frame)).isEqualTo(frame);
  }

  @Test
  @DisplayName("an empty payload is kept apart from a missing one")
  void emptyPayload() {
    FeedFrameWire frame = new FeedFrameWire("", "event", "", "", "", false, Buffer.buffer(), null);
    FeedFrameWire back = roundTrip(frame);
    assertThat(back.data()).isEqualTo(Buffer.buffer());
    assertThat(back.tileData()).isNull();
    assertThat(back.sessionId()).isEmpty();
  }
}
