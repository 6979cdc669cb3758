package dev.contextwatch.loadtest;

import dev.contextwatch.loadtest.Options.Temporality;
import dev.contextwatch.loadtest.SimSession.Drained;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Turns a session's buffered events and metric instruments into export requests, injecting the
 * metric faults: an older cumulative point sent after a newer one, and counter resets.
 */
final class Exports {
  static final String LOGS = "/v1/logs";
  static final String METRICS = "/v1/metrics";

  private final Options options;
  private final OtlpEncoder encoder;
  private final Random faults;

  Exports(Options options, OtlpEncoder encoder) {
    this.options = options;
    this.encoder = encoder;
    this.faults = new Random(options.seed ^ 0xfa17L);
  }

  /** A logs request of the session's buffered events, or null when it has none. */
  Request logs(SimSession s) {
    if (s.pendingEvents.isEmpty()) {
      return null;
    }
    Drained drained = s.drainEvents();
    return new Request(s, LOGS, encoder.logs(s.resource, drained.events()),
        new Request.Events(drained.firstSequence(), drained.events().size(), drained.totals()));
  }

  /**
   * The metric export due at {@code nowMillis}, in the order to send: none when a delta export
   * would be empty; with cumulative temporality possibly followed by an older point of the same
   * series (out of order), and possibly the last export before a counter reset.
   */
  List<Request> metrics(SimSession s, long nowMillis) {
    List<Request> requests = new ArrayList<>(2);
    boolean cumulative = options.temporality == Temporality.CUMULATIVE;
    if (!cumulative && !s.meters.changed()) {
      return requests;
    }
    long previous = s.meters.lastExportMillis();
    // export times are unique per session: they key the points in the verifier
    long time = Math.max(nowMillis, previous + 2);
    boolean outOfOrder = cumulative && faults.nextDouble() < options.outOfOrderShare;
    Meters.Export older = outOfOrder ? s.meters.olderCumulative((previous + time) / 2, s.identity) : null;
    Meters.Export export = s.meters.export(time, options.temporality, s.identity);
    if (export.points() > 0) {
      requests.add(request(s, export));
    }
    if (older != null && older.points() > 0) {
      requests.add(request(s, older));
    }
    if (cumulative && !outOfOrder && faults.nextDouble() < options.resetShare) {
      s.meters.reset(time);
    }
    return requests;
  }

  private Request request(SimSession s, Meters.Export export) {
    return new Request(s, METRICS, encoder.metrics(s.resource, export.metrics()),
        new Request.Points(export.timeMillis(), export.points(), export.values()));
  }

  /** Whether to send this request twice. */
  boolean duplicate() {
    return options.duplicateShare > 0 && faults.nextDouble() < options.duplicateShare;
  }
}
