package dev.contextwatch.receiver;

import com.google.protobuf.ByteString;
import dev.contextwatch.core.model.EventRecord;
import dev.contextwatch.core.model.MetricPoint;
import dev.contextwatch.core.model.MetricPoint.MetricType;
import dev.contextwatch.core.model.MetricPoint.Temporality;
import dev.contextwatch.core.model.Origin;
import dev.contextwatch.core.model.RecordBatch;
import dev.contextwatch.core.model.Signal;
import dev.contextwatch.core.model.SpanRecord;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Turns OTLP export requests into records: one per log record, data point and span, each with its
 * resource, scope and own attributes, typed fields and dedup key. Unknown event names and
 * attributes are kept. Records that cannot be stored are counted as rejected, never thrown.
 */
public final class OtlpDecoder {
  static final String SESSION_ID = "session.id";

  private OtlpDecoder() {}

  public static RecordBatch logs(ExportLogsServiceRequest request) {
    List<EventRecord> events = new ArrayList<>();
    Rejections rejections = new Rejections("log records");
    for (ResourceLogs resourceLogs : request.getResourceLogsList()) {
      for (ScopeLogs scopeLogs : resourceLogs.getScopeLogsList()) {
        Origin origin = origin(resourceLogs.getResource(), scopeLogs.getScope());
        for (LogRecord log : scopeLogs.getLogRecordsList()) {
          String problem = idProblem(log.getTraceId(), 16, "trace_id") + idProblem(log.getSpanId(), 8, "span_id");
          if (problem.isEmpty()) {
            events.add(event(resourceLogs.getResource(), origin, scopeLogs.getScope(), log));
          } else {
            rejections.add(problem);
          }
        }
      }
    }
    return new RecordBatch(Signal.LOGS, events, List.of(), List.of(), rejections.count, rejections.message());
  }

  public static RecordBatch metrics(ExportMetricsServiceRequest request) {
    List<MetricPoint> points = new ArrayList<>();
    Rejections rejections = new Rejections("data points");
    for (ResourceMetrics resourceMetrics : request.getResourceMetricsList()) {
      for (ScopeMetrics scopeMetrics : resourceMetrics.getScopeMetricsList()) {
        Origin origin = origin(resourceMetrics.getResource(), scopeMetrics.getScope());
        for (Metric metric : scopeMetrics.getMetricsList()) {
          new MetricDecoder(resourceMetrics.getResource(), origin, metric, points, rejections).decode();
        }
      }
    }
    return new RecordBatch(Signal.METRICS, List.of(), points, List.of(), rejections.count, rejections.message());
  }

  public static RecordBatch traces(ExportTraceServiceRequest request) {
    List<SpanRecord> spans = new ArrayList<>();
    Rejections rejections = new Rejections("spans");
    for (ResourceSpans resourceSpans : request.getResourceSpansList()) {
      for (ScopeSpans scopeSpans : resourceSpans.getScopeSpansList()) {
        Origin origin = origin(resourceSpans.getResource(), scopeSpans.getScope());
        for (Span span : scopeSpans.getSpansList()) {
          String problem = (span.getTraceId().size() == 16 ? "" : "trace_id must be 16 bytes; ")
              + (span.getSpanId().size() == 8 ? "" : "span_id must be 8 bytes; ")
              + idProblem(span.getParentSpanId(), 8, "parent_span_id");
          if (problem.isEmpty()) {
            spans.add(span(origin, span));
          } else {
            rejections.add(problem);
          }
        }
      }
    }
    return new RecordBatch(Signal.TRACES, List.of(), List.of(), spans, rejections.count, rejections.message());
  }

  private static EventRecord event(Resource resource, Origin origin, InstrumentationScope scope, LogRecord log) {
    JsonObject attributes = Attributes.toJson(log.getAttributesList());
    String sessionId = Attributes.string(attributes, origin.resource(), SESSION_ID);
    String eventName = attributes.getValue("event.name") instanceof String s ? s : bodyEventName(log.getBody());
    Long sequence = Attributes.wholeNumber(attributes, "event.sequence");
    String eventTimestamp = Attributes.string(attributes, new JsonObject(), "event.timestamp");
    String promptId = Attributes.string(attributes, new JsonObject(), "prompt.id");
    long timeNanos = log.getTimeUnixNano() != 0 ? log.getTimeUnixNano() : log.getObservedTimeUnixNano();
    if (timeNanos == 0 && eventTimestamp != null) {
      timeNanos = parseIsoNanos(eventTimestamp);
    }
    DedupKeys key = sessionId != null && eventName != null && sequence != null
        ? DedupKeys.of("event").text(sessionId).text(eventName).number(sequence).text(eventTimestamp).text(promptId)
        : DedupKeys.of("log").attributes(resource.getAttributesList()).text(scope.getName()).text(scope.getVersion())
            .number(log.getTimeUnixNano()).number(log.getObservedTimeUnixNano()).number(log.getSeverityNumberValue())
            .text(log.getSeverityText()).bytes(log.getBody().toByteString()).attributes(log.getAttributesList())
            .bytes(log.getTraceId()).bytes(log.getSpanId());
    return new EventRecord(
        instant(timeNanos),
        log.getObservedTimeUnixNano() == 0 ? null : instant(log.getObservedTimeUnixNano()),
        sessionId,
        eventName,
        sequence,
        promptId,
        Attributes.string(attributes, new JsonObject(), "model"),
        Attributes.wholeNumber(attributes, "input_tokens"),
        Attributes.wholeNumber(attributes, "output_tokens"),
        Attributes.wholeNumber(attributes, "cache_read_tokens"),
        Attributes.wholeNumber(attributes, "cache_creation_tokens"),
        Attributes.number(attributes, "cost_usd"),
        Attributes.number(attributes, "duration_ms"),
        log.getSeverityNumberValue(),
        emptyToNull(Text.clean(log.getSeverityText())),
        log.getBody().getValueCase() == AnyValue.ValueCase.VALUE_NOT_SET ? null : bodyText(log.getBody()),
        hex(log.getTraceId()),
        hex(log.getSpanId()),
        origin,
        attributes,
        key.key());
  }

  /** Claude Code's body is "claude_code.&lt;name&gt;"; other clients may only name the event there. */
  private static String bodyEventName(AnyValue body) {
    return body.hasStringValue() && !body.getStringValue().isEmpty() ? Text.clean(body.getStringValue()) : null;
  }

  private static String bodyText(AnyValue body) {
    Object value = Attributes.toJava(body);
    return value == null ? null : value.toString();
  }

  private static SpanRecord span(Origin origin, Span span) {
    JsonArray events = new JsonArray();
    span.getEventsList().forEach(e -> events.add(new JsonObject()
        .put("time", instant(e.getTimeUnixNano()).toString())
        .put("name", Text.clean(e.getName()))
        .put("attributes", Attributes.toJson(e.getAttributesList()))));
    JsonArray links = new JsonArray();
    span.getLinksList().forEach(l -> links.add(new JsonObject()
        .put("traceId", hex(l.getTraceId()))
        .put("spanId", hex(l.getSpanId()))
        .put("attributes", Attributes.toJson(l.getAttributesList()))));
    JsonObject attributes = Attributes.toJson(span.getAttributesList());
    return new SpanRecord(
        instant(span.getStartTimeUnixNano()),
        instant(span.getEndTimeUnixNano()),
        hex(span.getTraceId()),
        hex(span.getSpanId()),
        hex(span.getParentSpanId()),
        Attributes.string(attributes, origin.resource(), SESSION_ID),
        Text.clean(span.getName()),
        span.getKindValue(),
        span.getStatus().getCodeValue(),
        emptyToNull(Text.clean(span.getStatus().getMessage())),
        origin,
        attributes,
        events,
        links,
        DedupKeys.of("span").bytes(span.getTraceId()).bytes(span.getSpanId()).key());
  }

  /** Decodes the points of one metric into records, whatever its data kind. */
  private static final class MetricDecoder {
    private final Resource resource;
    private final Origin origin;
    private final Metric metric;
    private final List<MetricPoint> points;
    private final Rejections rejections;
    private final String name;
    private final String unit;

    MetricDecoder(Resource resource, Origin origin, Metric metric, List<MetricPoint> points, Rejections rejections) {
      this.resource = resource;
      this.origin = origin;
      this.metric = metric;
      this.points = points;
      this.rejections = rejections;
      this.name = Text.clean(metric.getName());
      this.unit = emptyToNull(Text.clean(metric.getUnit()));
    }

    void decode() {
      if (name.isEmpty()) {
        rejections.add("metric without a name");
        return;
      }
      switch (metric.getDataCase()) {
        case SUM -> metric.getSum().getDataPointsList().forEach(p ->
            number(p, MetricType.SUM, temporality(metric.getSum().getAggregationTemporality()), metric.getSum().getIsMonotonic()));
        case GAUGE -> metric.getGauge().getDataPointsList().forEach(p -> number(p, MetricType.GAUGE, null, null));
        case HISTOGRAM -> metric.getHistogram().getDataPointsList().forEach(p ->
            histogram(p, temporality(metric.getHistogram().getAggregationTemporality())));
        case EXPONENTIAL_HISTOGRAM -> metric.getExponentialHistogram().getDataPointsList().forEach(p -> aggregate(
            MetricType.EXPONENTIAL_HISTOGRAM, temporality(metric.getExponentialHistogram().getAggregationTemporality()),
            p.getAttributesList(), p.getStartTimeUnixNano(), p.getTimeUnixNano(), p.hasSum() ? p.getSum() : null,
            p.getCount(), p.toBuilder().clearAttributes().build().toByteString(), new JsonObject()
                .put("scale", p.getScale()).put("zeroCount", p.getZeroCount())
                .put("positive", buckets(p.getPositive().getOffset(), p.getPositive().getBucketCountsList()))
                .put("negative", buckets(p.getNegative().getOffset(), p.getNegative().getBucketCountsList()))));
        case SUMMARY -> metric.getSummary().getDataPointsList().forEach(p -> aggregate(
            MetricType.SUMMARY, null, p.getAttributesList(), p.getStartTimeUnixNano(), p.getTimeUnixNano(), p.getSum(),
            p.getCount(), p.toBuilder().clearAttributes().build().toByteString(), new JsonObject().put("quantiles",
                new JsonArray(p.getQuantileValuesList().stream()
                    .map(q -> new JsonObject().put("quantile", q.getQuantile()).put("value", finite(q.getValue()))).toList()))));
        case DATA_NOT_SET -> rejections.add("metric '" + name + "' has no data");
      }
    }

    private void number(NumberDataPoint p, MetricType type, Temporality temporality, Boolean monotonic) {
      Double value = switch (p.getValueCase()) {
        case AS_DOUBLE -> p.getAsDouble();
        case AS_INT -> (double) p.getAsInt();
        case VALUE_NOT_SET -> null;
      };
      if (value == null) {
        rejections.add("data point of '" + name + "' has no value");
        return;
      }
      DedupKeys key = DedupKeys.of("point").attributes(resource.getAttributesList()).text(name)
          .attributes(p.getAttributesList()).number(p.getStartTimeUnixNano()).number(p.getTimeUnixNano())
          .number(Double.doubleToLongBits(value));
      add(type, temporality, monotonic, p.getAttributesList(), p.getStartTimeUnixNano(), p.getTimeUnixNano(),
          value, null, null, key);
    }

    private void histogram(HistogramDataPoint p, Temporality temporality) {
      aggregate(MetricType.HISTOGRAM, temporality, p.getAttributesList(), p.getStartTimeUnixNano(), p.getTimeUnixNano(),
          p.hasSum() ? p.getSum() : null, p.getCount(), p.toBuilder().clearAttributes().build().toByteString(),
          new JsonObject()
              .put("bounds", new JsonArray(p.getExplicitBoundsList().stream().map(MetricDecoder::finite).toList()))
              .put("counts", new JsonArray(new ArrayList<>(p.getBucketCountsList())))
              .put("min", p.hasMin() ? finite(p.getMin()) : null)
              .put("max", p.hasMax() ? finite(p.getMax()) : null));
    }

    private void aggregate(MetricType type, Temporality temporality, List<KeyValue> attributes, long start, long time,
        Double sum, long count, ByteString pointWithoutAttributes, JsonObject data) {
      DedupKeys key = DedupKeys.of("point").attributes(resource.getAttributesList()).text(name)
          .attributes(attributes).number(start).number(time).bytes(pointWithoutAttributes);
      add(type, temporality, null, attributes, start, time, sum, count, data, key);
    }

    private void add(MetricType type, Temporality temporality, Boolean monotonic, List<KeyValue> attributeList,
        long start, long time, Double value, Long count, JsonObject data, DedupKeys key) {
      JsonObject attributes = Attributes.toJson(attributeList);
      points.add(new MetricPoint(
          instant(time),
          start == 0 ? null : instant(start),
          Attributes.string(attributes, origin.resource(), SESSION_ID),
          name,
          type,
          temporality,
          monotonic,
          unit,
          value,
          count,
          data,
          origin,
          attributes,
          key.key(),
          null));
    }

    private static JsonObject buckets(int offset, List<Long> counts) {
      return new JsonObject().put("offset", offset).put("counts", new JsonArray(new ArrayList<>(counts)));
    }

    private static Object finite(double value) {
      return Double.isFinite(value) ? value : Double.toString(value);
    }
  }

  private static Temporality temporality(AggregationTemporality temporality) {
    return switch (temporality) {
      case AGGREGATION_TEMPORALITY_DELTA -> Temporality.DELTA;
      case AGGREGATION_TEMPORALITY_CUMULATIVE -> Temporality.CUMULATIVE;
      default -> null;
    };
  }

  private static Origin origin(Resource resource, InstrumentationScope scope) {
    return new Origin(Attributes.toJson(resource.getAttributesList()),
        emptyToNull(Text.clean(scope.getName())), emptyToNull(Text.clean(scope.getVersion())));
  }

  private static String idProblem(ByteString id, int length, String field) {
    return id.isEmpty() || id.size() == length ? "" : field + " must be " + length + " bytes; ";
  }

  private static long parseIsoNanos(String timestamp) {
    try {
      Instant t = Instant.parse(timestamp);
      return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    } catch (RuntimeException e) {
      return 0;
    }
  }

  /** OTLP times are unsigned nanoseconds since the epoch; 0 means unknown and maps to the epoch itself. */
  static Instant instant(long unixNanos) {
    return Instant.ofEpochSecond(Long.divideUnsigned(unixNanos, 1_000_000_000L), Long.remainderUnsigned(unixNanos, 1_000_000_000L));
  }

  private static String hex(ByteString id) {
    return id.isEmpty() ? null : HexFormat.of().formatHex(id.toByteArray());
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  /** Counts refused records and keeps the first reason, for OTLP partial success. */
  private static final class Rejections {
    private final String what;
    private long count;
    private String first;

    Rejections(String what) {
      this.what = what;
    }

    void add(String reason) {
      count++;
      if (first == null) {
        first = reason.endsWith("; ") ? reason.substring(0, reason.length() - 2) : reason;
      }
    }

    String message() {
      return count == 0 ? null : count + " " + what + " rejected; first: " + first;
    }
  }
}
