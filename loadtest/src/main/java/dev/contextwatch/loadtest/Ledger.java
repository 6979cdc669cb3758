package dev.contextwatch.loadtest;

import dev.contextwatch.loadtest.Meters.PointValue;
import dev.contextwatch.loadtest.Request.Events;
import dev.contextwatch.loadtest.Request.Points;
import dev.contextwatch.loadtest.SimSession.EventTotals;
import java.util.BitSet;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the pipeline must have stored: per session, every record of an acknowledged request, and
 * the totals they add up to. Records of a request that was never acknowledged (abandoned after its
 * attempts, or refused for good) are "in doubt": they may or may not be stored, and the totals of
 * their session are not checked. Touched from the driver's context only.
 */
final class Ledger {
  /** The expected state of one session. */
  static final class Expected {
    final String sessionId;
    final BitSet events = new BitSet();
    final BitSet doubtfulEvents = new BitSet();
    /** Metric export time (ms) to the number of points it carried. */
    final Map<Long, Integer> exports = new HashMap<>();
    final Set<Long> doubtfulExports = new HashSet<>();
    final EventTotals totals = new EventTotals();
    private final Map<String, Double> deltaFields = new HashMap<>();
    /** Cumulative series and epoch to the largest value acknowledged: what the pipeline's deltas add up to. */
    private final Map<String, PointValue> cumulativeMax = new HashMap<>();

    Expected(String sessionId) {
      this.sessionId = sessionId;
    }

    /** The metric totals by summary field (metrics.inputTokens, metrics.costUsd, ...). */
    Map<String, Double> metricFields() {
      Map<String, Double> fields = new TreeMap<>(deltaFields);
      for (PointValue max : cumulativeMax.values()) {
        if (max.field() != null) {
          fields.merge(max.field(), max.value(), Double::sum);
        }
      }
      return fields;
    }

    /** Whether some request of this session was never acknowledged, so its totals are not known. */
    boolean inDoubt() {
      BitSet unresolved = (BitSet) doubtfulEvents.clone();
      unresolved.andNot(events);
      return !unresolved.isEmpty() || !exports.keySet().containsAll(doubtfulExports);
    }

    long eventCount() {
      return events.cardinality();
    }

    long pointCount() {
      return exports.values().stream().mapToLong(Integer::longValue).sum();
    }
  }

  /** Records counted by kind: events (log records) and metric data points. */
  static final class Tally {
    long events;
    long points;

    void add(Request request, long sign) {
      if (request.contribution instanceof Events) {
        events += sign * request.records();
      } else {
        points += sign * request.records();
      }
    }

    long records() {
      return events + points;
    }
  }

  private final Map<String, Expected> sessions = new LinkedHashMap<>();
  /** Records of the requests the sessions made, each once (an injected copy is not counted again). */
  private final Tally sent = new Tally();
  /** Records of the requests acknowledged, each once, whichever copy was acknowledged first. */
  private final Tally acknowledged = new Tally();
  /** Records of requests given up or refused and never acknowledged: they may or may not be stored. */
  private final Tally inDoubt = new Tally();
  private final Set<Request> doubtful = Collections.newSetFromMap(new IdentityHashMap<>());

  Ledger(List<SimSession> fleet) {
    fleet.forEach(s -> sessions.put(s.id, new Expected(s.id)));
  }

  /** A session made the request (an original, not an injected copy). */
  void sent(Request request) {
    sent.add(request, 1);
  }

  /** The request (or a copy of it) was acknowledged: its records count, once. */
  void acknowledged(Request request) {
    Request root = request.root();
    if (root.credited) {
      return;
    }
    root.credited = true;
    if (doubtful.remove(root)) {
      inDoubt.add(root, -1);
    }
    Expected e = sessions.get(root.session.id);
    acknowledged.add(root, 1);
    if (root.contribution instanceof Events events) {
      e.events.set(index(events.firstSequence()), index(events.firstSequence() + events.records()));
      e.totals.add(events.totals());
    } else if (root.contribution instanceof Points points) {
      e.exports.put(points.timeMillis(), points.records());
      for (PointValue value : points.values()) {
        if (value.cumulative()) {
          e.cumulativeMax.merge(value.seriesKey() + "#" + value.epoch(), value, (a, b) -> a.value() >= b.value() ? a : b);
        } else if (value.field() != null) {
          e.deltaFields.merge(value.field(), value.value(), Double::sum);
        }
      }
    }
  }

  /** The request was given up or refused: its records may or may not be stored (unless a copy is acknowledged). */
  void inDoubt(Request request) {
    Request root = request.root();
    if (!root.credited && doubtful.add(root)) {
      inDoubt.add(root, 1);
    }
    Expected e = sessions.get(root.session.id);
    if (root.contribution instanceof Events events) {
      e.doubtfulEvents.set(index(events.firstSequence()), index(events.firstSequence() + events.records()));
    } else if (root.contribution instanceof Points points) {
      e.doubtfulExports.add(points.timeMillis());
    }
  }

  /** Records of acknowledged requests, each counted once. */
  long records() {
    return acknowledged.records();
  }

  Tally sent() {
    return sent;
  }

  Tally acknowledged() {
    return acknowledged;
  }

  Tally inDoubt() {
    return inDoubt;
  }

  Collection<Expected> sessions() {
    return sessions.values();
  }

  Expected session(String id) {
    return sessions.get(id);
  }

  private static int index(long sequence) {
    return Math.toIntExact(sequence);
  }
}
