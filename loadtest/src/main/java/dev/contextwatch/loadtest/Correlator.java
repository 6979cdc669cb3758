package dev.contextwatch.loadtest;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Matches each acknowledged request with the first {@code session.updated} frame that shows it.
 *
 * <p>The summary's {@code lastReceivedAt} is the processor's clock when it applied the session's
 * last batch: after the request was sent, before it was committed and answered. So it is never
 * later than the request's 200, and "lastReceivedAt >= the 200's time" would match nothing. What
 * holds instead: a session sends one request at a time, so a summary with {@code lastReceivedAt}
 * at or after the moment the request was sent was computed from a batch at least as new as that
 * request (the batch before it was committed and answered before it was sent). The first such
 * frame, on the same machine's clock, is the request's; a later, coalesced one also shows it.
 * The latency is from the 200 to that frame; a frame that beats the 200 counts as 0. From the
 * moment the request was sent to that frame is measured too: what a watcher waits in all.
 */
final class Correlator {
  /** One request of a watched session waiting for its frame. */
  static final class Expectation {
    final String sessionId;
    final Instant sentAt;
    volatile long sentNanos = -1;
    long acknowledgedNanos = -1;
    boolean shown;

    Expectation(String sessionId, Instant sentAt) {
      this.sessionId = sessionId;
      this.sentAt = sentAt;
    }
  }

  private final Stats stats;
  private final Map<String, ArrayDeque<Expectation>> waiting = new HashMap<>();

  Correlator(List<SimSession> watched, Stats stats) {
    this.stats = stats;
    watched.forEach(s -> waiting.put(s.id, new ArrayDeque<>()));
  }

  /** The request is about to be sent; null when nobody watches the session. */
  Expectation expect(SimSession session) {
    ArrayDeque<Expectation> queue = waiting.get(session.id);
    if (queue == null) {
      return null;
    }
    Expectation expectation = new Expectation(session.id, Instant.now());
    synchronized (queue) {
      queue.add(expectation);
    }
    return expectation;
  }

  /** The request's first attempt is being written now (it may have waited for a free slot before). */
  static void sending(Expectation expectation) {
    if (expectation != null && expectation.sentNanos < 0) {
      expectation.sentNanos = System.nanoTime();
    }
  }

  void acknowledged(Expectation expectation, long nanos) {
    if (expectation == null) {
      return;
    }
    synchronized (waiting.get(expectation.sessionId)) {
      expectation.acknowledgedNanos = nanos;
      if (expectation.shown) {
        stats.frameBeforeAck();
      }
    }
  }

  /** The request will never be acknowledged: nothing to wait for. */
  void cancel(Expectation expectation) {
    if (expectation == null) {
      return;
    }
    ArrayDeque<Expectation> queue = waiting.get(expectation.sessionId);
    synchronized (queue) {
      queue.remove(expectation);
    }
  }

  /** A session.updated frame arrived at {@code nanos}, showing the session as of {@code lastReceivedAt}. */
  void frame(String sessionId, Instant lastReceivedAt, long nanos) {
    ArrayDeque<Expectation> queue = waiting.get(sessionId);
    if (queue == null || lastReceivedAt == null) {
      return;
    }
    synchronized (queue) {
      while (!queue.isEmpty() && !queue.peek().sentAt.isAfter(lastReceivedAt)) {
        Expectation shown = queue.poll();
        shown.shown = true;
        if (shown.sentNanos >= 0) {
          stats.sendToFrame((nanos - shown.sentNanos) / 1000);
        }
        if (shown.acknowledgedNanos >= 0) {
          stats.frame((nanos - shown.acknowledgedNanos) / 1000);
        }
      }
    }
  }

  /** Acknowledged requests whose frame has not come (yet). */
  long missing() {
    long missing = 0;
    for (ArrayDeque<Expectation> queue : waiting.values()) {
      synchronized (queue) {
        missing += queue.stream().filter(e -> e.acknowledgedNanos >= 0).count();
      }
    }
    return missing;
  }

  /** Requests still waiting for their 200 or their frame. */
  long outstanding() {
    long outstanding = 0;
    for (ArrayDeque<Expectation> queue : waiting.values()) {
      synchronized (queue) {
        outstanding += queue.size();
      }
    }
    return outstanding;
  }
}
