package dev.contextwatch.processor.source;

import dev.contextwatch.core.model.EventRecord;
import dev.contextwatch.core.model.MetricPoint;
import java.util.List;

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

  public List<UsageFact> facts(EventRecord event) {
    for (SourceAdapter adapter : adapters) {
      if (adapter.recognises(event)) {
        return adapter.facts(event);
      }
    }
    return List.of();
  }

  public List<UsageFact> facts(MetricPoint point) {
    for (SourceAdapter adapter : adapters) {
      if (adapter.recognises(point)) {
        return adapter.facts(point);
      }
    }
    return List.of();
  }
}
