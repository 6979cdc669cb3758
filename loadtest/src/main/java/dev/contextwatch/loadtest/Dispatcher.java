package dev.contextwatch.loadtest;

import dev.contextwatch.loadtest.Options.DuplicateTiming;
import java.util.function.Consumer;

/**
 * Sends each session's requests one after the other, injects duplicates, and settles every
 * outcome: an acknowledged request credits the ledger (once, whichever copy) and its live-feed
 * expectation; one never acknowledged leaves its records in doubt. Runs on the driver's context.
 */
final class Dispatcher {
  private final Options options;
  private final Sender sender;
  private final Exports exports;
  private final Ledger ledger;
  private final Correlator correlator;
  private final Stats stats;
  private Consumer<SimSession> idleListener = s -> { };
  private int busySessions;

  Dispatcher(Options options, Sender sender, Exports exports, Ledger ledger, Correlator correlator, Stats stats) {
    this.options = options;
    this.sender = sender;
    this.exports = exports;
    this.ledger = ledger;
    this.correlator = correlator;
    this.stats = stats;
  }

  /** Called whenever a session has nothing more to send. */
  void onIdle(Consumer<SimSession> listener) {
    this.idleListener = listener;
  }

  void enqueue(SimSession s, Request request) {
    if (request == null) {
      return;
    }
    ledger.sent(request);
    stats.exported(request);
    s.queue.add(request);
    pump(s);
  }

  /** Whether a new request would be sent at once. */
  boolean hasRoom() {
    return sender.hasRoom();
  }

  /** No session has a request waiting or in flight. */
  boolean idle() {
    return busySessions == 0 && sender.idle();
  }

  private void pump(SimSession s) {
    if (s.busy || s.queue.isEmpty()) {
      return;
    }
    Request request = s.queue.poll();
    s.busy = true;
    busySessions++;
    Correlator.Expectation expectation = request.isDuplicate() ? null : correlator.expect(s);
    boolean twice = !request.isDuplicate() && exports.duplicate();
    sender.submit(request, () -> Correlator.sending(expectation)).onSuccess(outcome -> {
      settle(request, outcome);
      if (outcome == Sender.Outcome.ACKNOWLEDGED) {
        correlator.acknowledged(expectation, System.nanoTime());
        if (twice && options.duplicateTiming == DuplicateTiming.AFTER_ACK) {
          // the response was lost: the exporter sends the same bytes again
          stats.duplicateSent();
          s.queue.addFirst(request.duplicate());
        }
      } else {
        correlator.cancel(expectation);
      }
      s.busy = false;
      busySessions--;
      pump(s);
      if (s.idle()) {
        idleListener.accept(s);
      }
    });
    if (twice && options.duplicateTiming == DuplicateTiming.CONCURRENT) {
      // the exporter timed out while the first copy was still being processed
      stats.duplicateSent();
      Request copy = request.duplicate();
      sender.submit(copy).onSuccess(outcome -> settle(copy, outcome));
    }
  }

  private void settle(Request request, Sender.Outcome outcome) {
    stats.outcome(outcome);
    if (outcome == Sender.Outcome.ACKNOWLEDGED) {
      ledger.acknowledged(request);
    } else {
      ledger.inDoubt(request);
    }
  }
}
