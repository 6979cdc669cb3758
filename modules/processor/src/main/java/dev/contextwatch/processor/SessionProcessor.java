package dev.contextwatch.processor;

import dev.contextwatch.core.model.EventRecord;
import dev.contextwatch.core.model.MetricPoint;
import dev.contextwatch.core.model.Models;
import dev.contextwatch.core.model.RecordBatch;
import dev.contextwatch.core.model.StoreBatch;
import dev.contextwatch.core.model.StoreBatch.ContextSample;
import dev.contextwatch.core.model.StoreBatch.SeriesState;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies a planned batch to the states of its sessions and series (changing them in place) and
 * returns what must be stored. Pure: no I/O, so it is unit-tested and benchmarked on its own.
 */
final class SessionProcessor {
  private static final Comparator<EventRecord> IN_ORDER = Comparator.comparing(EventRecord::time)
      .thenComparing(e -> e.eventSequence() == null ? Long.MIN_VALUE : e.eventSequence());

  private final Models models;
  private final SessionAttributes attributes;

  SessionProcessor(Models models, SessionAttributes attributes) {
    this.models = models;
    this.attributes = attributes;
  }

  /** The batch to store, and the states it changed. */
  record Outcome(StoreBatch store, Map<String, SessionState> sessions, Map<String, SeriesState> series) {}

  Outcome apply(BatchPlan plan, Map<String, SessionState> sessions, Map<String, SeriesState> series, Instant now) {
    Map<String, SessionState> touched = new LinkedHashMap<>();
    Map<String, SeriesState> movedSeries = new LinkedHashMap<>();
    List<ContextSample> samples = new ArrayList<>();

    List<EventRecord> events = new ArrayList<>(plan.events);
    events.sort(IN_ORDER);
    for (EventRecord event : events) {
      SessionState state = session(event.sessionId(), plan, sessions, touched);
      state.identify(event.origin().resource(), event.attributes(), attributes);
      state.seen(event.time(), now);
      ContextSample sample = state.apply(event);
      if (sample != null) {
        samples.add(sample);
      }
    }

    List<MetricPoint> points = new ArrayList<>(plan.points.size());
    for (int i = 0; i < plan.points.size(); i++) {
      MetricPoint point = plan.points.get(i);
      MetricPoint processed = point.processed(point.sessionId(), delta(point, plan.pointSeriesKeys.get(i), series, movedSeries));
      points.add(processed);
      SessionState state = session(point.sessionId(), plan, sessions, touched);
      state.identify(point.origin().resource(), point.attributes(), attributes);
      state.seen(point.time(), now);
      state.apply(processed);
    }

    RecordBatch source = plan.source;
    RecordBatch records = new RecordBatch(source.signal(), plan.events, points, plan.spans, source.rejected(), source.rejectionMessage());
    StoreBatch store = new StoreBatch(records, List.copyOf(movedSeries.values()),
        touched.values().stream().map(s -> s.toRow(models)).toList(), samples);
    return new Outcome(store, touched, movedSeries);
  }

  /** The summary published for a session (its stored summary). */
  JsonObject summary(SessionState state) {
    return state.toJson(models);
  }

  Models models() {
    return models;
  }

  private static SessionState session(String id, BatchPlan plan, Map<String, SessionState> sessions,
      Map<String, SessionState> touched) {
    SessionState state = sessions.computeIfAbsent(id, key -> new SessionState(key, plan.pseudoSessions.contains(key)));
    touched.put(id, state);
    return state;
  }

  /** DELTA sums count as they come, CUMULATIVE ones through their series; other kinds have no delta. */
  private static Double delta(MetricPoint point, String seriesKey, Map<String, SeriesState> series,
      Map<String, SeriesState> moved) {
    if (point.type() != MetricPoint.MetricType.SUM || point.value() == null) {
      return null;
    }
    if (seriesKey == null) {
      return point.temporality() == MetricPoint.Temporality.DELTA ? point.value() : null;
    }
    SeriesState previous = series.get(seriesKey);
    DeltaStateMachine.Step step = DeltaStateMachine.next(previous, seriesKey, point.sessionId(), point.metricName(),
        unixNanos(point.startTime()), unixNanos(point.time()), point.value());
    if (step.state() != previous) {
      series.put(seriesKey, step.state());
      moved.put(seriesKey, step.state());
    }
    return step.delta();
  }

  private static long unixNanos(Instant instant) {
    return instant == null ? 0 : instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
  }
}
