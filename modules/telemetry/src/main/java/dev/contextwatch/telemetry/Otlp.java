package dev.contextwatch.telemetry;

import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.resource.v1.Resource;

/** OTLP building blocks: typed attributes, sums and gauges, and requests of one resource and one scope. */
public final class Otlp {
  private Otlp() {}

  public static KeyValue text(String key, String value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }

  public static KeyValue integer(String key, long value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setIntValue(value)).build();
  }

  public static KeyValue real(String key, double value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setDoubleValue(value)).build();
  }

  public static KeyValue flag(String key, boolean value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setBoolValue(value)).build();
  }

  /** A monotonic Sum without points yet, cumulative or delta. */
  public static Metric.Builder monotonicSum(String name, String description, String unit, boolean cumulative) {
    return Metric.newBuilder().setName(name).setDescription(description).setUnit(unit)
        .setSum(Sum.newBuilder().setIsMonotonic(true).setAggregationTemporality(cumulative
            ? AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE : AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA));
  }

  /** A cumulative Sum of one point at {@code timeNanos}. */
  public static Metric sum(String name, long timeNanos, double value, boolean monotonic) {
    return Metric.newBuilder().setName(name).setSum(Sum.newBuilder().setIsMonotonic(monotonic)
        .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE)
        .addDataPoints(NumberDataPoint.newBuilder().setTimeUnixNano(timeNanos).setAsDouble(value))).build();
  }

  /** A Gauge of one point at {@code timeNanos}. */
  public static Metric gauge(String name, long timeNanos, double value) {
    return Metric.newBuilder().setName(name).setGauge(Gauge.newBuilder()
        .addDataPoints(NumberDataPoint.newBuilder().setTimeUnixNano(timeNanos).setAsDouble(value))).build();
  }

  /** A Sum's point counted from {@code startNanos} to {@code timeNanos}, without attributes yet. */
  public static NumberDataPoint.Builder point(long startNanos, long timeNanos, double value) {
    return NumberDataPoint.newBuilder().setStartTimeUnixNano(startNanos).setTimeUnixNano(timeNanos).setAsDouble(value);
  }

  /** A logs request of one resource and one scope. */
  public static ExportLogsServiceRequest logs(Resource resource, InstrumentationScope scope, Iterable<LogRecord> records) {
    return ExportLogsServiceRequest.newBuilder().addResourceLogs(resourceLogs(resource, scope, records)).build();
  }

  /** One resource's records under one scope, for a request that carries several resources. */
  public static ResourceLogs resourceLogs(Resource resource, InstrumentationScope scope, Iterable<LogRecord> records) {
    return ResourceLogs.newBuilder().setResource(resource)
        .addScopeLogs(ScopeLogs.newBuilder().setScope(scope).addAllLogRecords(records)).build();
  }

  /** A metrics request of one resource and one scope. */
  public static ExportMetricsServiceRequest metrics(Resource resource, InstrumentationScope scope, Iterable<Metric> metrics) {
    return ExportMetricsServiceRequest.newBuilder().addResourceMetrics(resourceMetrics(resource, scope, metrics)).build();
  }

  /** One resource's metrics under one scope, for a request that carries several resources. */
  public static ResourceMetrics resourceMetrics(Resource resource, InstrumentationScope scope, Iterable<Metric> metrics) {
    return ResourceMetrics.newBuilder().setResource(resource)
        .addScopeMetrics(ScopeMetrics.newBuilder().setScope(scope).addAllMetrics(metrics)).build();
  }
}
