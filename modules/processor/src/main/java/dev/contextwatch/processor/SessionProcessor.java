package dev.contextwatch.processor;

import dev.contextwatch.core.model.EventRecord;
import dev.contextwatch.core.model.MetricPoint;
import dev.contextwatch.core.config.CompactionThresholds;
import dev.contextwatch.core.model.Models;
import dev.contextwatch.core.model.RecordBatch;
import dev.contextwatch.core.model.StoreBatch.ContextSample;
import dev.contextwatch.core.model.StoreBatch.SeriesState;
import dev.contextwatch.core.model.StoreBatch.SessionRow;
import dev.contextwatch.core.model.StoreBatch;
import dev.contextwatch.core.summary.SessionSummary;
import dev.contextwatch.processor.source.SourceAdapters;
import dev.contextwatch.processor.source.UsageFact;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a planned batch to the states of its sessions and series (changing them in place) and
 * returns what must be stored. Sessions are applied one by one: a record that cannot be applied
 * fails its own session only, never the other sessions of the batch. Pure: no I/O, so it is
 * unit-tested and benchmarked on its own. What a record means for usage is its client's
 * {@link dev.contextwatch.processor.source.SourceAdapter}'s to say; this class adds up the facts.
 */
final class SessionProcessor {
  private static final Logger LOG = LoggerFactory.getLogger(SessionProcessor.class);
  private static final Comparator<EventRecord> IN_ORDER = Comparator.comparing(EventRecord::time,
          Comparator.nullsFirst(Comparator.naturalOrder()))
      .thenComparing(e -> e.eventSequence() == null ? Long.MIN_VALUE : e.eventSequence());
  /** Projects, models and client versions whose compactions are remembered. */
  private static final int PROJECT_THRESHOLDS = 10_000;

  private final Models models;
  private final SourceAdapters adapters = SourceAdapters.known();
  private final SessionAttributes attributes;
  private final int maxKeysPerSession;
  private final CompactionThresholds thresholds;
  /** Thresholds seen in each project's compactions: learnt from committed summaries ({@link #learn}). */
  private final ProjectThresholds inProjects = new ProjectThresholds(PROJECT_THRESHOLDS);

  SessionProcessor(Models models, SessionAttributes attributes, int maxKeysPerSession, CompactionThresholds thresholds) {
    this.models = models;
    this.attributes = attributes;
    this.maxKeysPerSession = maxKeysPerSession;
    this.thresholds = thresholds;
  }

  /**
   * The batch to store and the states it changed. {@code failed} names the records whose
   * application threw, and {@code unapplied} counts the records of their sessions, which are left
   * out of {@code store}; those sessions' states are in {@code damaged}, no longer to be trusted.
   * {@code summaries}: the new summary of each session stored, to publish once committed.
   */
  record Outcome(RecordBatch records, StoreBatch store, Map<String, SessionState> sessions,
      Map<String, SeriesState> series, Set<String> damaged, Set<String> failed, long unapplied,
      List<SessionSummary> summaries) {}

  Outcome apply(BatchPlan plan, Map<String, SessionState> sessions, Map<String, SeriesState> series, Instant now) {
    Map<String, SessionRecords> bySession = bySession(plan);
    Map<String, SessionState> applied = new LinkedHashMap<>();
    Map<String, SeriesState> movedSeries = new LinkedHashMap<>();
    Set<String> damaged = new LinkedHashSet<>();
    Set<String> failed = new LinkedHashSet<>();
    List<EventRecord> events = new ArrayList<>(plan.events.size());
    List<MetricPoint> points = new ArrayList<>(plan.points.size());
    List<SessionRow> rows = new ArrayList<>(bySession.size());
    List<SessionSummary> summaries = new ArrayList<>(bySession.size());
    List<ContextSample> samples = new ArrayList<>();
    long unapplied = 0;
    Map<JsonObject, SessionState.ResourceIdentity> identities = new IdentityHashMap<>();
    for (SessionRecords records : bySession.values()) {
      SessionState state = sessions.computeIfAbsent(records.id,
          key -> new SessionState(key, plan.pseudoSessions.contains(key), maxKeysPerSession));
      try {
        records.apply(state, series, now, identities);
        SessionSummary summary = summary(state);
        rows.add(SessionSummaries.toRow(summary, state.version));
        summaries.add(summary);
      } catch (RuntimeException e) {
        LOG.warn("event=session_records_not_applied session_id={} records={} reason=\"{}\"", records.id, records.size(), e.toString());
        damaged.add(records.id);
        if (records.current != null) {
          failed.add(records.current);
        }
        unapplied += records.size();
        continue;
      }
      applied.put(records.id, state);
      movedSeries.putAll(records.moved);
      events.addAll(records.events);
      points.addAll(records.processed);
      samples.addAll(records.samples);
    }
    RecordBatch source = plan.source;
    RecordBatch stored = new RecordBatch(source.signal(), events, points, plan.spans, source.rejected(), source.rejectionMessage());
    StoreBatch store = StoreBatch.of(stored, List.copyOf(movedSeries.values()), rows, samples);
    return new Outcome(stored, store, applied, movedSeries, damaged, failed, unapplied, summaries);
  }

  /** The summary published for a session (its stored summary). */
  SessionSummary summary(SessionState state) {
    return SessionSummaries.toSummary(state, models, thresholds, inProjects);
  }

  /** A committed summary: its session's compactions teach its project's threshold. */
  void learn(SessionSummary committed) {
    inProjects.learn(committed);
  }

  /** A project's compaction read back at start. */
  void learn(String project, String model, String clientVersion, Long preTokens) {
    inProjects.learn(project, model, clientVersion, preTokens);
  }

  Models models() {
    return models;
  }

  int maxKeysPerSession() {
    return maxKeysPerSession;
  }

  private Map<String, SessionRecords> bySession(BatchPlan plan) {
    Map<String, SessionRecords> bySession = new LinkedHashMap<>();
    plan.sessionIds.forEach(id -> bySession.put(id, new SessionRecords(id)));
    plan.events.forEach(event -> bySession.get(event.sessionId()).events.add(event));
    for (int i = 0; i < plan.points.size(); i++) {
      SessionRecords records = bySession.get(plan.points.get(i).sessionId());
      records.points.add(plan.points.get(i));
      records.seriesKeys.add(plan.pointSeriesKeys.get(i));
    }
    return bySession;
  }

  /** One session's records of the batch, and what applying them produced. */
  private final class SessionRecords {
    final String id;
    final List<EventRecord> events = new ArrayList<>();
    final List<MetricPoint> points = new ArrayList<>();
    final List<String> seriesKeys = new ArrayList<>();
    final List<MetricPoint> processed = new ArrayList<>();
    final List<ContextSample> samples = new ArrayList<>();
    final Map<String, SeriesState> moved = new LinkedHashMap<>();
    /** The key of the record being applied, to name it when it fails. */
    String current;

    SessionRecords(String id) {
      this.id = id;
    }

    int size() {
      return events.size() + points.size();
    }

    /** {@code identities}: each resource's identity, read once per batch. */
    void apply(SessionState state, Map<String, SeriesState> series, Instant now,
        Map<JsonObject, SessionState.ResourceIdentity> identities) {
      List<EventRecord> ordered = new ArrayList<>(events);
      ordered.sort(IN_ORDER);
      for (EventRecord event : ordered) {
        current = event.dedupKey();
        state.identify(identity(event.origin().resource(), identities), event.attributes(), attributes);
        state.seen(event.time(), now);
        for (UsageFact fact : adapters.facts(event)) {
          ContextSample sample = state.apply(fact, event.time(), event.dedupKey());
          if (sample != null) {
            samples.add(sample);
          }
        }
        UsageFact attention = adapters.attention(event);
        if (attention != null) {
          state.apply(attention, event.time(), event.dedupKey());
        }
      }
      for (int i = 0; i < points.size(); i++) {
        MetricPoint point = points.get(i);
        current = point.dedupKey();
        MetricPoint withDelta = point.processed(point.sessionId(), delta(point, seriesKeys.get(i), series, moved));
        processed.add(withDelta);
        state.identify(identity(point.origin().resource(), identities), point.attributes(), attributes);
        state.seen(point.time(), now);
        adapters.facts(withDelta).forEach(fact -> state.apply(fact, withDelta.time(), withDelta.dedupKey()));
      }
      current = null;
    }
  }

  private SessionState.ResourceIdentity identity(JsonObject resource, Map<JsonObject, SessionState.ResourceIdentity> identities) {
    return identities.computeIfAbsent(resource, r -> SessionState.ResourceIdentity.of(r, attributes));
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
