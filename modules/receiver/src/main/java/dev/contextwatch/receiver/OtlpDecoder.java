package dev.contextwatch.receiver;

import com.google.protobuf.ByteString;
import dev.contextwatch.core.config.ReceiverConfig;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns OTLP export requests into records: one per log record, data point and span, each with its
 * resource, scope and own attributes, typed fields and dedup key. Unknown event names and
 * attributes are kept. Records that cannot be stored are counted as rejected, never thrown.
 *
 * <p>Attributes and bodies are stored as {@link StoredValues} makes them: content redacted unless
 * {@code storeContent}, attribute count and string length limited. Typed fields and dedup keys are
 * read from the record as it came over the wire, so that configuration changes neither. One decoder
 * per receiver verticle; it keeps no state between requests.
 */
public final class OtlpDecoder {
  static final String SESSION_ID = "session.id";
  private static final Logger LOG = LoggerFactory.getLogger(OtlpDecoder.class);

  private final ReceiverConfig config;

  public OtlpDecoder(ReceiverConfig config) {
    this.config = config;
  }

  public RecordBatch logs(ExportLogsServiceRequest request) {
    List<EventRecord> events = new ArrayList<>();
    Rejections rejections = new Rejections("log records");
    StoredValues stored = new StoredValues(config);
    for (ResourceLogs resourceLogs : request.getResourceLogsList()) {
      Shared shared = Shared.of(stored, resourceLogs.getResource());
      DedupKeys resourceKey = DedupKeys.of("log").attributes(resourceLogs.getResource().getAttributesList());
      for (ScopeLogs scopeLogs : resourceLogs.getScopeLogsList()) {
        Origin origin = shared.origin(scopeLogs.getScope());
        DedupKeys scopeKey = resourceKey.copy().text(scopeLogs.getScope().getName()).text(scopeLogs.getScope().getVersion());
        for (LogRecord log : scopeLogs.getLogRecordsList()) {
          String problem = idProblem(log.getTraceId(), 16, "trace_id") + idProblem(log.getSpanId(), 8, "span_id");
          if (problem.isEmpty()) {
            events.add(event(stored, shared, origin, scopeKey, log));
          } else {
            rejections.add(problem);
          }
        }
      }
    }
    return logged(stored, new RecordBatch(Signal.LOGS, events, List.of(), List.of(), rejections.count, rejections.message()));
  }

  public RecordBatch metrics(ExportMetricsServiceRequest request) {
    List<MetricPoint> points = new ArrayList<>();
    Rejections rejections = new Rejections("data points");
    StoredValues stored = new StoredValues(config);
    for (ResourceMetrics resourceMetrics : request.getResourceMetricsList()) {
      Shared shared = Shared.of(stored, resourceMetrics.getResource());
      DedupKeys resourceKey = DedupKeys.of("point").attributes(resourceMetrics.getResource().getAttributesList());
      for (ScopeMetrics scopeMetrics : resourceMetrics.getScopeMetricsList()) {
        Origin origin = shared.origin(scopeMetrics.getScope());
        for (Metric metric : scopeMetrics.getMetricsList()) {
          new MetricDecoder(stored, shared, origin, resourceKey, metric, points, rejections).decode();
        }
      }
    }
    return logged(stored, new RecordBatch(Signal.METRICS, List.of(), points, List.of(), rejections.count, rejections.message()));
  }

  public RecordBatch traces(ExportTraceServiceRequest request) {
    List<SpanRecord> spans = new ArrayList<>();
    Rejections rejections = new Rejections("spans");
    StoredValues stored = new StoredValues(config);
    for (ResourceSpans resourceSpans : request.getResourceSpansList()) {
      Shared shared = Shared.of(stored, resourceSpans.getResource());
      for (ScopeSpans scopeSpans : resourceSpans.getScopeSpansList()) {
        Origin origin = shared.origin(scopeSpans.getScope());
        for (Span span : scopeSpans.getSpansList()) {
          String problem = (span.getTraceId().size() == 16 ? "" : "trace_id must be 16 bytes; ")
              + (span.getSpanId().size() == 8 ? "" : "span_id must be 8 bytes; ")
              + idProblem(span.getParentSpanId(), 8, "parent_span_id");
          if (problem.isEmpty()) {
            spans.add(span(stored, shared, origin, span));
          } else {
            rejections.add(problem);
          }
        }
      }
    }
    return logged(stored, new RecordBatch(Signal.TRACES, List.of(), List.of(), spans, rejections.count, rejections.message()));
  }

  /** What the limits cut is worth a line for whoever debugs a client, not a field in the batch. */
  private static RecordBatch logged(StoredValues stored, RecordBatch batch) {
    if (stored.cutAnything()) {
      LOG.debug("event=attributes_limited signal={} records={} dropped_attributes={} truncated_values={}",
          batch.signal(), batch.size(), stored.droppedAttributes(), stored.truncatedValues());
    }
    return batch;
  }

  /**
   * What the records under one resource share, worked out once per resource: per record it would
   * cost the resource's size again for every record, quadratic in a request's size.
   */
  private record Shared(JsonObject resource, String sessionId) {
    static Shared of(StoredValues stored, Resource resource) {
      return new Shared(stored.attributes(resource.getAttributesList()), Attributes.string(resource.getAttributesList(), SESSION_ID));
    }

    Origin origin(InstrumentationScope scope) {
      return new Origin(resource, emptyToNull(Text.clean(scope.getName())), emptyToNull(Text.clean(scope.getVersion())));
    }

    /** The record's own session.id, else its resource's. */
    String sessionId(List<KeyValue> attributes) {
      String own = Attributes.string(attributes, SESSION_ID);
      return own != null ? own : sessionId;
    }
  }

  private static EventRecord event(StoredValues stored, Shared shared, Origin origin, DedupKeys scopeKey, LogRecord log) {
    List<KeyValue> wire = log.getAttributesList();
    String sessionId = shared.sessionId(wire);
    String eventName = Attributes.string(wire, "event.name");
    if (eventName == null) {
      eventName = bodyEventName(log.getBody());
    }
    Long sequence = Attributes.wholeNumber(wire, "event.sequence");
    String eventTimestamp = Attributes.string(wire, "event.timestamp");
    String promptId = Attributes.string(wire, "prompt.id");
    long timeNanos = log.getTimeUnixNano() != 0 ? log.getTimeUnixNano() : log.getObservedTimeUnixNano();
    if (timeNanos == 0 && eventTimestamp != null) {
      timeNanos = parseIsoNanos(eventTimestamp);
    }
    DedupKeys key = sessionId != null && eventName != null && sequence != null
        ? DedupKeys.of("event").text(sessionId).text(eventName).number(sequence).text(eventTimestamp).text(promptId)
        : scopeKey.copy().number(log.getTimeUnixNano()).number(log.getObservedTimeUnixNano()).number(log.getSeverityNumberValue())
            .text(log.getSeverityText()).bytes(log.getBody().toByteString()).attributes(log.getAttributesList())
            .bytes(log.getTraceId()).bytes(log.getSpanId());
    return new EventRecord(
        instant(timeNanos),
        log.getObservedTimeUnixNano() == 0 ? null : instant(log.getObservedTimeUnixNano()),
        sessionId,
        eventName,
        sequence,
        promptId,
        Attributes.string(wire, "model"),
        Attributes.wholeNumber(wire, "input_tokens"),
        Attributes.wholeNumber(wire, "output_tokens"),
        Attributes.wholeNumber(wire, "cache_read_tokens"),
        Attributes.wholeNumber(wire, "cache_creation_tokens"),
        Attributes.costMicros(wire),
        Attributes.number(wire, "duration_ms"),
        log.getSeverityNumberValue(),
        emptyToNull(Text.clean(log.getSeverityText())),
        bodyText(stored, log.getBody()),
        hex(log.getTraceId()),
        hex(log.getSpanId()),
        origin,
        stored.attributes(wire),
        key.key());
  }

  /** Claude Code's body is "claude_code.&lt;name&gt;"; other clients may only name the event there. */
  private static String bodyEventName(AnyValue body) {
    return body.hasStringValue() && !body.getStringValue().isEmpty() ? Text.clean(body.getStringValue()) : null;
  }

  /** A structured body is stored as its JSON text, held to the same length as any other text. */
  private static String bodyText(StoredValues stored, AnyValue body) {
    Object value = stored.value(body);
    return value == null || value instanceof String ? (String) value : stored.text(value.toString());
  }

  private static SpanRecord span(StoredValues stored, Shared shared, Origin origin, Span span) {
    JsonArray events = new JsonArray();
    span.getEventsList().forEach(e -> events.add(new JsonObject()
        .put("time", instant(e.getTimeUnixNano()).toString())
        .put("name", Text.clean(e.getName()))
        .put("attributes", stored.attributes(e.getAttributesList()))));
    JsonArray links = new JsonArray();
    span.getLinksList().forEach(l -> links.add(new JsonObject()
        .put("traceId", hex(l.getTraceId()))
        .put("spanId", hex(l.getSpanId()))
        .put("attributes", stored.attributes(l.getAttributesList()))));
    return new SpanRecord(
        instant(span.getStartTimeUnixNano()),
        instant(span.getEndTimeUnixNano()),
        hex(span.getTraceId()),
        hex(span.getSpanId()),
        hex(span.getParentSpanId()),
        shared.sessionId(span.getAttributesList()),
        Text.clean(span.getName()),
        span.getKindValue(),
        span.getStatus().getCodeValue(),
        emptyToNull(Text.clean(span.getStatus().getMessage())),
        origin,
        stored.attributes(span.getAttributesList()),
        events,
        links,
        DedupKeys.of("span").bytes(span.getTraceId()).bytes(span.getSpanId()).key());
  }

  /** Decodes the points of one metric into records, whatever its data kind. */
  private static final class MetricDecoder {
    private final StoredValues stored;
    private final Shared shared;
    private final Origin origin;
    private final DedupKeys resourceKey;
    private final Metric metric;
    private final List<MetricPoint> points;
    private final Rejections rejections;
    private final String name;
    private final String unit;

    MetricDecoder(StoredValues stored, Shared shared, Origin origin, DedupKeys resourceKey, Metric metric,
        List<MetricPoint> points, Rejections rejections) {
      this.stored = stored;
      this.shared = shared;
      this.origin = origin;
      this.resourceKey = resourceKey;
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
      DedupKeys key = resourceKey.copy().text(name)
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
      DedupKeys key = resourceKey.copy().text(name)
          .attributes(attributes).number(start).number(time).bytes(pointWithoutAttributes);
      add(type, temporality, null, attributes, start, time, sum, count, data, key);
    }

    private void add(MetricType type, Temporality temporality, Boolean monotonic, List<KeyValue> attributeList,
        long start, long time, Double value, Long count, JsonObject data, DedupKeys key) {
      points.add(new MetricPoint(
          instant(time),
          start == 0 ? null : instant(start),
          shared.sessionId(attributeList),
          name,
          type,
          temporality,
          monotonic,
          unit,
          value,
          count,
          data,
          origin,
          stored.attributes(attributeList),
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
