package dev.contextwatch.processor;

import dev.contextwatch.core.model.EventRecord;
import dev.contextwatch.core.model.MetricPoint;
import dev.contextwatch.core.model.RecordBatch;
import dev.contextwatch.core.model.SpanRecord;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A batch made ready for processing: records already stored (recently seen keys) or repeated within
 * the batch are dropped, records whose numbers the totals cannot add (or that an earlier attempt
 * could not apply) are refused, every event and point is given its session (a pseudo-session when
 * it carries no session.id), and the sessions and series it will touch are known up front.
 */
final class BatchPlan {
  final RecordBatch source;
  final List<EventRecord> events = new ArrayList<>();
  final List<MetricPoint> points = new ArrayList<>();
  final List<String> pointSeriesKeys = new ArrayList<>();
  final List<SpanRecord> spans = new ArrayList<>();
  final Set<String> sessionIds = new LinkedHashSet<>();
  final Set<String> seriesKeys = new LinkedHashSet<>();
  final Set<String> pseudoSessions = new HashSet<>();
  final Refusals refusals = new Refusals();
  int duplicates;

  private BatchPlan(RecordBatch source) {
    this.source = source;
  }

  static BatchPlan of(RecordBatch batch, Predicate<String> alreadyStored) {
    return of(batch, alreadyStored, Set.of());
  }

  /** {@code unappliable}: keys of records an earlier attempt failed to apply, refused this time. */
  static BatchPlan of(RecordBatch batch, Predicate<String> alreadyStored, Set<String> unappliable) {
    BatchPlan plan = new BatchPlan(batch);
    Set<String> keys = new HashSet<>();
    Predicate<String> fresh = key -> {
      boolean isNew = !alreadyStored.test(key) && keys.add(key);
      if (!isNew) {
        plan.duplicates++;
      }
      return isNew;
    };
    for (EventRecord event : batch.events()) {
      if (fresh.test(event.dedupKey()) && plan.accepted(event.dedupKey(), addable(event), unappliable)) {
        String session = plan.session(event.sessionId(), event.attributes(), event.origin().resource());
        plan.events.add(event.sessionId() == null ? event.withSessionId(session) : event);
      }
    }
    for (MetricPoint point : batch.points()) {
      if (fresh.test(point.dedupKey()) && plan.accepted(point.dedupKey(), addable(point), unappliable)) {
        String session = plan.session(point.sessionId(), point.attributes(), point.origin().resource());
        plan.points.add(point.processed(session, null));
        String seriesKey = point.type() == MetricPoint.MetricType.SUM && point.temporality() == MetricPoint.Temporality.CUMULATIVE
            ? Canonical.seriesKey(point.origin().resource(), point.metricName(), point.attributes()) : null;
        plan.pointSeriesKeys.add(seriesKey);
        if (seriesKey != null) {
          plan.seriesKeys.add(seriesKey);
        }
      }
    }
    for (SpanRecord span : batch.spans()) {
      if (fresh.test(span.dedupKey())) {
        plan.spans.add(span);
      }
    }
    return plan;
  }

  private boolean accepted(String key, boolean addable, Set<String> unappliable) {
    if (unappliable.contains(key)) {
      refusals.add(Refusals.NOT_APPLICABLE, 1);
      return false;
    }
    if (!addable) {
      refusals.add(Refusals.UNUSABLE_NUMBER, 1);
    }
    return addable;
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

  private static boolean countable(double value) {
    return Double.isFinite(value) && value >= 0;
  }

  /**
   * The session of a record: its session.id, else a pseudo-session per user.id and
   * service.instance.id (Claude Code leaves session.id out when OTEL_METRICS_INCLUDE_SESSION_ID=false).
   */
  private String session(String sessionId, JsonObject attributes, JsonObject resource) {
    String id = sessionId;
    if (id == null) {
      id = "pseudo:" + value(attributes, resource, "user.id", "unknown-user") + "/"
          + value(resource, attributes, "service.instance.id", "default");
      pseudoSessions.add(id);
    }
    sessionIds.add(id);
    return id;
  }

  private static String value(JsonObject primary, JsonObject secondary, String key, String fallback) {
    Object value = primary.getValue(key);
    if (value == null) {
      value = secondary.getValue(key);
    }
    return value == null ? fallback : value.toString();
  }

  /** Everything the batch must wait for: earlier batches touching one of these are finished first. */
  List<String> lockKeys() {
    List<String> all = new ArrayList<>(sessionIds.size() + seriesKeys.size());
    sessionIds.forEach(id -> all.add("session:" + id));
    seriesKeys.forEach(key -> all.add("series:" + key));
    return all;
  }
}
