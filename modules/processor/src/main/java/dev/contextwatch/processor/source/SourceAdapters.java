package dev.contextwatch.processor.source;

import dev.contextwatch.core.model.EventRecord;
import dev.contextwatch.core.model.MetricPoint;
import java.util.List;
import java.util.function.BiPredicate;

/**
 * The adapters of the clients contextwatch understands, asked in order; the first that recognises
 * a record interprets it. A record no adapter recognises is still stored, and counts for its
 * session's identity and times, but adds to no usage total.
 */
public final class SourceAdapters {
  private final List<SourceAdapter> adapters;

  public SourceAdapters(List<SourceAdapter> adapters) {
    this.adapters = List.copyOf(adapters);
  }

  /** Every client known today. */
  public static SourceAdapters known() {
    return new SourceAdapters(List.of(new ClaudeCode()));
  }

  /**
   * The event with its usage columns filled, or refused; an unrecognised client's event as it is.
   * The receiver leaves the columns empty: an event that has some was read already, and is kept
   * as it is (reading it again would give the same).
   */
  public Reading read(EventRecord event) {
    SourceAdapter adapter = usageRead(event) ? null : of(event);
    return adapter == null ? Reading.of(event) : adapter.read(event);
  }

  /** Whether any usage column is set (spelt out, not a varargs array per event). */
  private static boolean usageRead(EventRecord e) {
    return e.promptId() != null || e.model() != null || e.inputTokens() != null || e.outputTokens() != null
        || e.cacheReadTokens() != null || e.cacheCreationTokens() != null || e.costMicros() != null || e.durationMs() != null;
  }

  /** Why the point cannot be stored; null when it can (always, for an unrecognised client). */
  public String refusal(MetricPoint point) {
    SourceAdapter adapter = of(point);
    return adapter == null ? null : adapter.refusal(point);
  }

  public List<UsageFact> facts(EventRecord event) {
    SourceAdapter adapter = of(event);
    return adapter == null ? List.of() : adapter.facts(event);
  }

  public List<UsageFact> facts(MetricPoint point) {
    SourceAdapter adapter = of(point);
    return adapter == null ? List.of() : adapter.facts(point);
  }

  /** See {@link SourceAdapter#attention}; null for an unrecognised client. */
  public UsageFact attention(EventRecord event) {
    SourceAdapter adapter = of(event);
    return adapter == null ? null : adapter.attention(event);
  }

  private SourceAdapter of(EventRecord event) {
    return first(event, SourceAdapter::recognises);
  }

  private SourceAdapter of(MetricPoint point) {
    return first(point, SourceAdapter::recognises);
  }

  /** The record passed along, not captured: a capturing lambda would be made three times per event. */
  private <T> SourceAdapter first(T record, BiPredicate<SourceAdapter, T> recognising) {
    for (SourceAdapter adapter : adapters) {
      if (recognising.test(adapter, record)) {
        return adapter;
      }
    }
    return null;
  }
}
