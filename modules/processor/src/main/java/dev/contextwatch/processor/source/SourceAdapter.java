package dev.contextwatch.processor.source;

import dev.contextwatch.core.model.EventRecord;
import dev.contextwatch.core.model.MetricPoint;
import java.util.List;

/**
 * Knows one client's telemetry: recognises its records and says what they mean for a session's
 * usage. The receiver decodes OTLP for every client alike; an adapter is where a client's
 * vocabulary (event and metric names, attribute keys) lives. Register a new one in
 * {@link SourceAdapters}.
 */
public interface SourceAdapter {

  /** Whether this event comes from the client; never by service.name, which users override. */
  boolean recognises(EventRecord event);

  boolean recognises(MetricPoint point);

  /** The event with its usage columns (prompt, model, tokens, cost, duration) as the client meant them, or refused. */
  Reading read(EventRecord event);

  /** Why the point's value cannot be one of the client's totals; null when it can. */
  String refusal(MetricPoint point);

  /** What the event says about usage, in order; empty when nothing. */
  List<UsageFact> facts(EventRecord event);

  /** What the point (its delta set for sums) says about usage, in order; empty when nothing. */
  List<UsageFact> facts(MetricPoint point);

  /**
   * Whether the event says its session waits for a person ({@link UsageFact.WaitingForInput}) or
   * shows it at work ({@link UsageFact.Worked}); null when it says neither.
   */
  UsageFact attention(EventRecord event);
}
