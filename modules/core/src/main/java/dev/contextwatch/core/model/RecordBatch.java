package dev.contextwatch.core.model;

import java.util.List;

/**
 * The records decoded from one OTLP request, stored all together or not at all. {@code rejected}
 * counts the records the decoder refused (reported back as OTLP partial success).
 */
public record RecordBatch(
    Signal signal,
    List<EventRecord> events,
    List<MetricPoint> points,
    List<SpanRecord> spans,
    long rejected,
    String rejectionMessage) {

  public RecordBatch {
    events = List.copyOf(events);
    points = List.copyOf(points);
    spans = List.copyOf(spans);
  }

  public int size() {
    return events.size() + points.size() + spans.size();
  }
}
