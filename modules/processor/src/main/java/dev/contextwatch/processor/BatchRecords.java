package dev.contextwatch.processor;

import dev.contextwatch.core.model.EventRecord;
import dev.contextwatch.core.model.MetricPoint;
import dev.contextwatch.core.model.RecordBatch;
import dev.contextwatch.core.model.Rejections;
import dev.contextwatch.processor.source.Reading;
import dev.contextwatch.processor.source.SourceAdapters;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What a batch's records need that does not depend on what is stored, worked out once per batch:
 * each record as its client's source adapter reads it (refused alone when its usage fields would
 * poison a total), each record's session (a pseudo-session when it carries no session.id), each
 * cumulative Sum point's series, and whether the totals can add its numbers. The batch waits for its turn on the
 * sessions and series it names ({@link #lockKeys()}); each attempt then only picks the records
 * still new ({@link #plan}).
 */
final class BatchRecords {
  final RecordBatch source;
  final List<Entry<EventRecord>> events = new ArrayList<>();
  final List<Entry<MetricPoint>> points = new ArrayList<>();
  final Set<String> pseudoSessions = new HashSet<>();
  /** Records their adapter refused, counted as the receiver counts the ones it refuses. */
  final Rejections refusedEvents = new Rejections("log records");
  final Rejections refusedPoints = new Rejections("data points");
  private final List<String> lockKeys = new ArrayList<>();
  /** The sessions and series already in {@link #lockKeys}: a lock key is made once per batch, not per record. */
  private final Set<String> lockedSessions = new HashSet<>();
  private final Set<String> lockedSeries = new HashSet<>();

  /** One record, given its session; {@code seriesKey} is null unless it is a cumulative Sum point. */
  record Entry<T>(T record, String dedupKey, String sessionId, String seriesKey, boolean addable) {}

  private BatchRecords(RecordBatch source) {
    this.source = source;
  }

  static BatchRecords of(RecordBatch batch, SourceAdapters adapters) {
    BatchRecords records = new BatchRecords(batch);
    Canonical.SeriesKeys seriesKeys = new Canonical.SeriesKeys();
    for (EventRecord sent : batch.events()) {
      Reading reading = adapters.read(sent);
      if (reading.refused()) {
        records.refusedEvents.add(reading.refusal());
        continue;
      }
      EventRecord event = reading.event();
      String session = records.session(event.sessionId(), event.attributes(), event.origin().resource());
      records.add(records.events, event.sessionId() == null ? event.withSessionId(session) : event, event.dedupKey(),
          session, null, addable(event));
    }
    for (MetricPoint point : batch.points()) {
      String refusal = adapters.refusal(point);
      if (refusal != null) {
        records.refusedPoints.add(refusal);
        continue;
      }
      String session = records.session(point.sessionId(), point.attributes(), point.origin().resource());
      String seriesKey = point.type() == MetricPoint.MetricType.SUM && point.temporality() == MetricPoint.Temporality.CUMULATIVE
          ? seriesKeys.of(point.origin().resource(), point.metricName(), point.attributes()) : null;
      records.add(records.points, point.processed(session, null), point.dedupKey(), session, seriesKey, addable(point));
    }
    return records;
  }

  /** The records of one attempt: those neither stored already, nor repeated, nor refused. */
  BatchPlan plan(Predicate<String> alreadyStored, Set<String> unappliable) {
    return new BatchPlan(this, alreadyStored, unappliable);
  }

  /**
   * Everything the batch must wait for: earlier batches touching one of these are finished first.
   * A record the totals cannot add is refused whatever was stored, so its session is not waited for.
   */
  List<String> lockKeys() {
    return List.copyOf(lockKeys);
  }

  private <T> void add(List<Entry<T>> entries, T record, String dedupKey, String sessionId, String seriesKey, boolean addable) {
    entries.add(new Entry<>(record, dedupKey, sessionId, seriesKey, addable));
    if (addable) {
      if (lockedSessions.add(sessionId)) {
        lockKeys.add("session:" + sessionId);
      }
      if (seriesKey != null && lockedSeries.add(seriesKey)) {
        lockKeys.add("series:" + seriesKey);
      }
    }
  }

  /** The totals add these numbers: none may be negative, NaN or infinite. */
  private static boolean addable(EventRecord e) {
    return countable(e.inputTokens()) && countable(e.outputTokens()) && countable(e.cacheReadTokens())
        && countable(e.cacheCreationTokens()) && countable(e.costMicros());
  }

  /** A Sum's value becomes a delta the totals add: finite, and not negative for a monotonic counter. */
  private static boolean addable(MetricPoint p) {
    if (p.type() != MetricPoint.MetricType.SUM || p.value() == null) {
      return true;
    }
    return Double.isFinite(p.value()) && (p.value() >= 0 || Boolean.FALSE.equals(p.monotonic()));
  }

  private static boolean countable(Long value) {
    return value == null || value >= 0;
  }

  /**
   * The session of a record: its session.id, else a pseudo-session per user.id and
   * service.instance.id (Claude Code leaves session.id out when OTEL_METRICS_INCLUDE_SESSION_ID=false).
   */
  private String session(String sessionId, JsonObject attributes, JsonObject resource) {
    if (sessionId != null) {
      return sessionId;
    }
    String id = "pseudo:" + SessionState.first(attributes, resource, "user.id", "unknown-user") + "/"
        + SessionState.first(resource, attributes, "service.instance.id", "default");
    pseudoSessions.add(id);
    return id;
  }
}
