package dev.contextwatch.core.model;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * One OTLP metric data point. {@code value} is the number of a sum or gauge and the sum of a
 * histogram or summary; {@code data} keeps the buckets and quantiles of the latter. {@code delta}
 * is set by the processor for sums: what the point adds to its series (null until then).
 */
public record MetricPoint(
    Instant time,
    Instant startTime,
    String sessionId,
    String metricName,
    MetricType type,
    Temporality temporality,
    Boolean monotonic,
    String unit,
    Double value,
    Long count,
    JsonObject data,
    Origin origin,
    JsonObject attributes,
    String dedupKey,
    Double delta) {

  /** The same point with the session it belongs to and its delta, as the processor derived them. */
  public MetricPoint processed(String newSessionId, Double newDelta) {
    return new MetricPoint(time, startTime, newSessionId, metricName, type, temporality, monotonic, unit, value, count,
        data, origin, attributes, dedupKey, newDelta);
  }

  /** The OTLP metric data kinds. */
  public enum MetricType {
    SUM,
    GAUGE,
    HISTOGRAM,
    EXPONENTIAL_HISTOGRAM,
    SUMMARY
  }

  /** Aggregation temporality of sums and histograms; null for gauges and summaries. */
  public enum Temporality {
    DELTA,
    CUMULATIVE
  }
}
