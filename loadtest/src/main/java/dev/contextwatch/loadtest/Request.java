package dev.contextwatch.loadtest;

import dev.contextwatch.loadtest.Meters.PointValue;
import dev.contextwatch.loadtest.SimSession.EventTotals;
import io.vertx.core.buffer.Buffer;
import java.util.List;

/**
 * One OTLP export request of one session: its encoded body and what it adds to the expected state
 * once acknowledged. An injected duplicate is a second request with the same body that points at
 * its original, so whichever copy is acknowledged first credits the records, once.
 */
final class Request {
  /** What a request carries, for the ledger. */
  sealed interface Contribution permits Events, Points {
    int records();
  }

  /** Events {@code firstSequence} .. {@code firstSequence + records - 1} of the session, and their totals. */
  record Events(long firstSequence, int records, EventTotals totals) implements Contribution {}

  /** One metrics export: its time (unique per session) and the values of its points. */
  record Points(long timeMillis, int records, List<PointValue> values) implements Contribution {}

  final SimSession session;
  final String path;
  final Buffer body;
  final Contribution contribution;
  /** The request this one repeats byte for byte, or null. */
  final Request original;
  /** Set on an original once one of its copies was acknowledged and its records credited. */
  boolean credited;

  Request(SimSession session, String path, Buffer body, Contribution contribution) {
    this(session, path, body, contribution, null);
  }

  private Request(SimSession session, String path, Buffer body, Contribution contribution, Request original) {
    this.session = session;
    this.path = path;
    this.body = body;
    this.contribution = contribution;
    this.original = original;
  }

  /** The same bytes again, as an exporter retrying the request sends them. */
  Request duplicate() {
    return new Request(session, path, body, contribution, this);
  }

  Request root() {
    return original == null ? this : original;
  }

  boolean isDuplicate() {
    return original != null;
  }

  int records() {
    return contribution.records();
  }
}
