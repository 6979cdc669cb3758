package dev.contextwatch.loadtest;

import dev.contextwatch.loadtest.Meters.PointValue;
import dev.contextwatch.loadtest.Request.Events;
import dev.contextwatch.loadtest.Request.Points;
import dev.contextwatch.loadtest.SimSession.EventTotals;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
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

  private final Map<String, Expected> sessions = new LinkedHashMap<>();
  private long records;

  Ledger(List<SimSession> fleet) {
    fleet.forEach(s -> sessions.put(s.id, new Expected(s.id)));
  }

  /** The request (or a copy of it) was acknowledged: its records count, once. */
  void acknowledged(Request request) {
    Request root = request.root();
    if (root.credited) {
      return;
    }
    root.credited = true;
    Expected e = sessions.get(root.session.id);
    records += root.records();
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

  /** The request was given up or refused: its records may or may not be stored. */
  void inDoubt(Request request) {
    Request root = request.root();
    Expected e = sessions.get(root.session.id);
    if (root.contribution instanceof Events events) {
      e.doubtfulEvents.set(index(events.firstSequence()), index(events.firstSequence() + events.records()));
    } else if (root.contribution instanceof Points points) {
      e.doubtfulExports.add(points.timeMillis());
    }
  }

  /** Records of acknowledged requests, each counted once. */
  long records() {
    return records;
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
