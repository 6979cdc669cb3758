package dev.contextwatch.push;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RingTest {
  private static final long START = 1_000;

  private static Ring ringWith(int capacity, int frames) {
    Ring ring = new Ring(capacity, Long.MAX_VALUE);
    for (long p = START + 1; p <= START + frames; p++) {
      ring.add(Frame.live(Frame.SESSION_UPDATED, p, "s", null, null, false, new JsonObject()));
    }
    return ring;
  }

  private static List<Long> after(Ring ring, long position) {
    List<Long> positions = new ArrayList<>();
    ring.forEachAfter(position, frame -> positions.add(frame.position));
    return positions;
  }

  @Test
  @DisplayName("an empty ring covers only the current position")
  void empty() {
    Ring ring = new Ring(4, Long.MAX_VALUE);
    assertThat(ring.covers(START, START)).isTrue();
    assertThat(ring.covers(START - 1, START)).isFalse();
    assertThat(after(ring, START)).isEmpty();
  }

  @Test
  @DisplayName("a ring that has not wrapped gives every frame after a position")
  void notWrapped() {
    Ring ring = ringWith(4, 3);
    assertThat(ring.covers(START, START + 3)).isTrue();
    assertThat(after(ring, START)).containsExactly(START + 1, START + 2, START + 3);
    assertThat(after(ring, START + 2)).containsExactly(START + 3);
    assertThat(after(ring, START + 3)).isEmpty();
  }

  @Test
  @DisplayName("once wrapped, positions older than the oldest frame's predecessor are no longer covered")
  void wrapped() {
    Ring ring = ringWith(4, 10);
    assertThat(ring.covers(START + 6, START + 10)).isTrue();
    assertThat(ring.covers(START + 5, START + 10)).isFalse();
    assertThat(after(ring, START + 6)).containsExactly(START + 7, START + 8, START + 9, START + 10);
    assertThat(after(ring, START + 8)).containsExactly(START + 9, START + 10);
  }

  @Test
  @DisplayName("a position beyond the current one (from another run or made up) is not covered")
  void future() {
    Ring ring = ringWith(4, 2);
    assertThat(ring.covers(START + 3, START + 2)).isFalse();
  }

  private static Frame sized(long position, int padding) {
    return Frame.live(Frame.SESSION_UPDATED, position, "s", null, null, false, new JsonObject().put("pad", "x".repeat(padding)));
  }

  @Test
  @DisplayName("the ring holds at most its bytes of frames (their JSON as sent): the oldest go first, and what it covers shrinks with them")
  void byteBound() {
    int frameBytes = sized(START, 1000).heldBytes();
    Ring ring = new Ring(1000, 3L * frameBytes + frameBytes / 2);
    for (long p = START + 1; p <= START + 10; p++) {
      ring.add(sized(p, 1000));
      assertThat(ring.bytes()).isLessThanOrEqualTo(3L * frameBytes + frameBytes / 2);
    }
    assertThat(ring.size()).isEqualTo(3);
    assertThat(ring.bytes()).isEqualTo(3L * frameBytes);
    assertThat(after(ring, START + 7)).containsExactly(START + 8, START + 9, START + 10);
    assertThat(ring.covers(START + 7, START + 10)).isTrue();
    assertThat(ring.covers(START + 6, START + 10)).isFalse();
  }

  @Test
  @DisplayName("a frame larger than the ring's bytes is not held, and nothing older either: a resume across it gets a snapshot")
  void frameLargerThanTheRing() {
    Ring ring = new Ring(1000, 5_000);
    ring.add(sized(START + 1, 100));
    ring.add(sized(START + 2, 100));
    ring.add(sized(START + 3, 10_000));
    assertThat(ring.size()).isZero();
    assertThat(ring.bytes()).isZero();
    assertThat(ring.covers(START + 3, START + 3)).isTrue();
    assertThat(ring.covers(START + 2, START + 3)).isFalse();
    ring.add(sized(START + 4, 100));
    assertThat(ring.covers(START + 3, START + 4)).isTrue();
    assertThat(after(ring, START + 3)).containsExactly(START + 4);
  }
}
