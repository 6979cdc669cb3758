package dev.contextwatch.push;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class OutboxTest {
  private long position;

  private Frame update(String session) {
    return Frame.live(Frame.SESSION_UPDATED, ++position, session, null, null, false, new JsonObject());
  }

  private Frame event(String session) {
    return Frame.live(Frame.EVENT, ++position, session, null, null, false, new JsonObject());
  }

  /** Offers the frame as a client of whole summaries gets it. */
  private static boolean offer(Outbox outbox, Frame frame) {
    return outbox.offer(frame, frame.bytes);
  }

  private static List<Outbox.Entry> drain(Outbox outbox) {
    List<Outbox.Entry> entries = new ArrayList<>();
    for (Outbox.Entry entry = outbox.poll(); entry != null; entry = outbox.poll()) {
      entries.add(entry);
    }
    return entries;
  }

  @Test
  @DisplayName("a waiting session.updated is replaced by the newer one of the same session, which goes to the back and counts what it replaced")
  void coalescesUpdates() {
    Outbox outbox = new Outbox(10, Long.MAX_VALUE);
    offer(outbox, update("a"));
    offer(outbox, update("b"));
    offer(outbox, event("a"));
    offer(outbox, update("a"));
    offer(outbox, update("a"));

    List<Outbox.Entry> sent = drain(outbox);
    assertThat(sent).extracting(e -> e.frame.type + ":" + e.frame.sessionId + "@" + e.frame.position)
        .containsExactly("session.updated:b@2", "event:a@3", "session.updated:a@5");
    assertThat(sent).extracting(e -> e.coalesced).containsExactly(0, 0, 2);
    assertThat(outbox.isEmpty()).isTrue();
  }

  @Test
  @DisplayName("an update polled already is not coalesced with a later one")
  void sentUpdatesStaySent() {
    Outbox outbox = new Outbox(10, Long.MAX_VALUE);
    offer(outbox, update("a"));
    assertThat(outbox.poll().coalesced).isZero();
    offer(outbox, update("a"));
    assertThat(outbox.poll().coalesced).isZero();
  }

  @Test
  @DisplayName("the outbox refuses once more than its capacity waits, counting a coalesced update once")
  void capacity() {
    Outbox outbox = new Outbox(3, Long.MAX_VALUE);
    assertThat(offer(outbox, update("a"))).isTrue();
    assertThat(offer(outbox, update("a"))).isTrue();
    assertThat(offer(outbox, event("a"))).isTrue();
    assertThat(offer(outbox, event("a"))).isTrue();
    assertThat(outbox.size()).isEqualTo(3);
    assertThat(offer(outbox, event("a"))).isFalse();
  }

  @Test
  @DisplayName("a session updated many times while the client reads nothing keeps one entry waiting")
  void manyUpdatesOfOneSession() {
    Outbox outbox = new Outbox(5, Long.MAX_VALUE);
    for (int i = 0; i < 1000; i++) {
      assertThat(offer(outbox, update("a"))).isTrue();
    }
    List<Outbox.Entry> sent = drain(outbox);
    assertThat(sent).hasSize(1);
    assertThat(sent.get(0).coalesced).isEqualTo(999);
    assertThat(sent.get(0).frame.position).isEqualTo(1000);
  }

  private Frame update(String session, int padding) {
    return Frame.live(Frame.SESSION_UPDATED, ++position, session, null, null, false, new JsonObject().put("pad", "x".repeat(padding)));
  }

  @Test
  @DisplayName("the outbox refuses once more than its bytes wait, however few the frames; a coalesced update counts its newest bytes only")
  void byteCapacity() {
    int frameBytes = update("p", 10_000).bytes;
    Outbox outbox = new Outbox(1000, 3L * frameBytes);
    assertThat(offer(outbox, update("a", 10_000))).isTrue();
    assertThat(offer(outbox, update("a", 10_000))).isTrue();
    assertThat(offer(outbox, update("b", 10_000))).isTrue();
    assertThat(outbox.bytes()).isEqualTo(2L * frameBytes);
    assertThat(offer(outbox, update("c", 10_000))).isTrue();
    assertThat(outbox.bytes()).isEqualTo(3L * frameBytes);
    assertThat(offer(outbox, update("d", 10_000))).isFalse();
    drain(outbox);
    assertThat(outbox.bytes()).isZero();
  }

  @Test
  @DisplayName("a new subscription drops the snapshot and live frames still waiting for the earlier one, and keeps the answers to the client")
  void dropSubscription() {
    Outbox outbox = new Outbox(1000, Long.MAX_VALUE);
    Frame snapshot = Frame.control(Frame.SNAPSHOT, ++position, new JsonObject().put("sessions", "x".repeat(100_000)));
    offer(outbox, snapshot);
    offer(outbox, update("a"));
    offer(outbox, Frame.control(Frame.PONG, position, new JsonObject()));
    offer(outbox, event("a"));
    offer(outbox, Frame.control(Frame.ERROR, position, new JsonObject().put("message", "m")));
    outbox.dropSubscription();
    assertThat(outbox.size()).isEqualTo(2);
    offer(outbox, update("a"));
    List<Outbox.Entry> sent = drain(outbox);
    assertThat(sent).extracting(e -> e.frame.type).containsExactly("pong", "error", "session.updated");
    assertThat(sent.get(2).coalesced).as("a dropped update is not counted as folded into the new one").isZero();
    assertThat(outbox.bytes()).isZero();
  }

  @Test
  @DisplayName("100 snapshots, each after a new subscription, leave one waiting: the last")
  void repeatedSubscriptionsDoNotStack() {
    Outbox outbox = new Outbox(1000, Long.MAX_VALUE);
    Frame last = null;
    for (int i = 0; i < 100; i++) {
      outbox.dropSubscription();
      last = Frame.control(Frame.SNAPSHOT, ++position, new JsonObject().put("sessions", "x".repeat(100_000)));
      offer(outbox, last);
    }
    assertThat(outbox.size()).isEqualTo(1);
    assertThat(outbox.bytes()).isEqualTo(last.bytes);
    assertThat(drain(outbox)).extracting(e -> e.frame).containsExactly(last);
  }
}
