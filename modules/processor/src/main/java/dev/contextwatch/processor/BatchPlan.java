package dev.contextwatch.processor;

import dev.contextwatch.core.model.EventRecord;
import dev.contextwatch.core.model.MetricPoint;
import dev.contextwatch.core.model.RecordBatch;
import dev.contextwatch.core.model.SpanRecord;
import dev.contextwatch.processor.source.SourceAdapters;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The records one attempt at a batch processes, picked from its {@link BatchRecords}: records
 * already stored (recently seen keys) or repeated within the batch are dropped, records whose
 * numbers the totals cannot add (or that an earlier attempt could not apply) are refused, and the
 * sessions and series the rest touch are known up front.
 */
final class BatchPlan {
  final RecordBatch source;
  final List<EventRecord> events = new ArrayList<>();
  final List<MetricPoint> points = new ArrayList<>();
  final List<String> pointSeriesKeys = new ArrayList<>();
  final List<SpanRecord> spans = new ArrayList<>();
  final Set<String> sessionIds = new LinkedHashSet<>();
  final Set<String> seriesKeys = new LinkedHashSet<>();
  final Set<String> pseudoSessions;
  final Refusals refusals = new Refusals();
  int duplicates;

  static BatchPlan of(RecordBatch batch, Predicate<String> alreadyStored) {
    return BatchRecords.of(batch, SourceAdapters.known()).plan(alreadyStored, Set.of());
  }

  /** {@code unappliable}: keys of records an earlier attempt failed to apply, refused this time. */
  BatchPlan(BatchRecords records, Predicate<String> alreadyStored, Set<String> unappliable) {
    this.source = records.source;
    this.pseudoSessions = records.pseudoSessions;
    refusals.add(records.refusedEvents);
    refusals.add(records.refusedPoints);
    Set<String> keys = new HashSet<>();
    Predicate<String> fresh = key -> {
      boolean isNew = !alreadyStored.test(key) && keys.add(key);
      if (!isNew) {
        duplicates++;
      }
      return isNew;
    };
    for (BatchRecords.Entry<EventRecord> event : records.events) {
      if (fresh.test(event.dedupKey()) && accepted(event, unappliable)) {
        events.add(event.record());
        sessionIds.add(event.sessionId());
      }
    }
    for (BatchRecords.Entry<MetricPoint> point : records.points) {
      if (fresh.test(point.dedupKey()) && accepted(point, unappliable)) {
        points.add(point.record());
        sessionIds.add(point.sessionId());
        pointSeriesKeys.add(point.seriesKey());
        if (point.seriesKey() != null) {
          seriesKeys.add(point.seriesKey());
        }
      }
    }
    for (SpanRecord span : source.spans()) {
      if (fresh.test(span.dedupKey())) {
        spans.add(span);
      }
    }
  }

  private boolean accepted(BatchRecords.Entry<?> entry, Set<String> unappliable) {
    if (unappliable.contains(entry.dedupKey())) {
      refusals.add(Refusals.NOT_APPLICABLE, 1);
      return false;
    }
    if (!entry.addable()) {
      refusals.add(Refusals.UNUSABLE_NUMBER, 1);
    }
    return entry.addable();
  }
}
