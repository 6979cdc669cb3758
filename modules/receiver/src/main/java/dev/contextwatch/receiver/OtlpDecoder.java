package dev.contextwatch.receiver;

import com.google.protobuf.ByteString;
import com.google.protobuf.MessageLite;
import dev.contextwatch.core.config.ReceiverConfig;
import dev.contextwatch.core.model.EventRecord;
import dev.contextwatch.core.model.MetricPoint;
import dev.contextwatch.core.model.MetricPoint.MetricType;
import dev.contextwatch.core.model.MetricPoint.Temporality;
import dev.contextwatch.core.model.Origin;
import dev.contextwatch.core.model.Plausible;
import dev.contextwatch.core.model.RecordBatch;
import dev.contextwatch.core.model.Rejections;
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
 * resource, scope and own attributes, the fields any client's record has (times, session, event
 * name and sequence, metric value) and its dedup key. It knows no client: what a client's records
 * mean (tokens, cost, model) is read by its source adapter in the processor. Unknown event names and
 * attributes are kept. Records that cannot be stored ({@link Checks} says which) are counted as
 * rejected with the first reason, never thrown: one bad record never fails its neighbours.
 *
 * <p>Attributes and bodies are stored as {@link StoredValues} makes them: content redacted unless
 * {@code storeContent}, attribute count and string length limited; an event whose attributes the
 * limits cut also carries them as sent, for its adapter. Fields and dedup keys are read from the
 * record as it came over the wire, so that configuration changes neither. One decoder per receiver
 * verticle; it keeps no state between requests.
 */
public final class OtlpDecoder {
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
      Shared shared = shared(stored, resourceLogs.getResource());
      DedupKeys resourceKey = DedupKeys.prefix("log").attributes(resourceLogs.getResource().getAttributesList());
      for (ScopeLogs scopeLogs : resourceLogs.getScopeLogsList()) {
        Origin origin = shared.origin(scopeLogs.getScope());
        DedupKeys scopeKey = resourceKey.copy().text(scopeLogs.getScope().getName()).text(scopeLogs.getScope().getVersion());
        for (LogRecord log : scopeLogs.getLogRecordsList()) {
          Checks checks = shared.checks();
          EventRecord event = event(stored, shared, origin, scopeKey, log, checks);
          if (checks.failed()) {
            rejections.add(checks.problem());
          } else {
            events.add(event);
          }
        }
      }
    }
    return logged(stored, new RecordBatch(Signal.LOGS, events, List.of(), List.of(), rejections.count(), rejections.message()));
  }

  public RecordBatch metrics(ExportMetricsServiceRequest request) {
    List<MetricPoint> points = new ArrayList<>();
    Rejections rejections = new Rejections("data points");
    StoredValues stored = new StoredValues(config);
    for (ResourceMetrics resourceMetrics : request.getResourceMetricsList()) {
      Shared shared = shared(stored, resourceMetrics.getResource());
      DedupKeys resourceKey = DedupKeys.prefix("point").attributes(resourceMetrics.getResource().getAttributesList());
      for (ScopeMetrics scopeMetrics : resourceMetrics.getScopeMetricsList()) {
        Origin origin = shared.origin(scopeMetrics.getScope());
        for (Metric metric : scopeMetrics.getMetricsList()) {
          new MetricDecoder(stored, shared, origin, resourceKey, metric, points, rejections).decode();
        }
      }
    }
    return logged(stored, new RecordBatch(Signal.METRICS, List.of(), points, List.of(), rejections.count(), rejections.message()));
  }

  public RecordBatch traces(ExportTraceServiceRequest request) {
    List<SpanRecord> spans = new ArrayList<>();
    Rejections rejections = new Rejections("spans");
    StoredValues stored = new StoredValues(config);
    for (ResourceSpans resourceSpans : request.getResourceSpansList()) {
      Shared shared = shared(stored, resourceSpans.getResource());
      for (ScopeSpans scopeSpans : resourceSpans.getScopeSpansList()) {
        Origin origin = shared.origin(scopeSpans.getScope());
        for (Span span : scopeSpans.getSpansList()) {
          Checks checks = shared.checks();
          SpanRecord record = span(stored, shared, origin, span, checks);
          if (checks.failed()) {
            rejections.add(checks.problem());
          } else {
            spans.add(record);
          }
        }
      }
    }
    return logged(stored, new RecordBatch(Signal.TRACES, List.of(), List.of(), spans, rejections.count(), rejections.message()));
  }

  /** What the limits cut is worth a line for whoever debugs a client, not a field in the batch. */
  private static RecordBatch logged(StoredValues stored, RecordBatch batch) {
    if (stored.cutAnything()) {
      LOG.debug("event=attributes_limited signal={} records={} dropped_attributes={} truncated_values={}",
          batch.signal(), batch.size(), stored.droppedAttributes(), stored.truncatedValues());
    }
    return batch;
  }

  private Shared shared(StoredValues stored, Resource resource) {
    Attributes read = new Attributes();
    JsonObject attributes = stored.attributes(resource.getAttributesList(), read);
    return new Shared(attributes, read.string(Attributes.SESSION_ID),
        new Checks().identity("resource", attributes, config.runAttributes()).problem());
  }

  /**
   * What the records under one resource share, worked out once per resource: per record it would
   * cost the resource's size again for every record, quadratic in a request's size. A resource
   * refused for its own attributes ({@code problem}) refuses every record under it.
   */
  private record Shared(JsonObject resource, String sessionId, String problem) {
    Origin origin(InstrumentationScope scope) {
      return new Origin(resource, emptyToNull(Text.clean(scope.getName())), emptyToNull(Text.clean(scope.getVersion())));
    }

    /** The record's own session.id, else its resource's. */
    String sessionId(Attributes read) {
      String own = read.string(Attributes.SESSION_ID);
      return own != null ? own : sessionId;
    }

    /** Fresh checks for one record under this resource. */
    Checks checks() {
      return problem == null ? new Checks() : new Checks(problem);
    }
  }

  /** The event of a log record; null, with the reason in {@code checks}, when it cannot be stored. */
  private EventRecord event(StoredValues stored, Shared shared, Origin origin, DedupKeys scopeKey, LogRecord log, Checks checks) {
    List<KeyValue> wire = log.getAttributesList();
    Attributes read = new Attributes();
    long cutsBefore = stored.cuts();
    JsonObject attributes = stored.attributes(wire, read);
    JsonObject sent = stored.cuts() == cutsBefore ? null : stored.unlimited().attributes(wire);
    String sessionId = shared.sessionId(read);
    String eventName = read.string(Attributes.EVENT_NAME);
    if (eventName == null) {
      eventName = bodyEventName(log.getBody());
    }
    Instant time = eventTime(log, read.string(Attributes.EVENT_TIMESTAMP), checks);
    checks.binaryId("trace_id", log.getTraceId(), 16, false).binaryId("span_id", log.getSpanId(), 8, false)
        .id("session.id", sessionId).id("event.name", eventName).identity("record", attributes, config.runAttributes());
    if (checks.failed()) {
      return null;
    }
    Long sequence = read.wholeNumber(Attributes.EVENT_SEQUENCE);
    return new EventRecord(
        time,
        log.getObservedTimeUnixNano() == 0 ? null : instant(log.getObservedTimeUnixNano()),
        sessionId,
        eventName,
        sequence,
        null, null, null, null, null, null, null, null,
        log.getSeverityNumberValue(),
        emptyToNull(Text.clean(log.getSeverityText())),
        bodyText(stored, log.getBody()),
        hex(log.getTraceId()),
        hex(log.getSpanId()),
        origin,
        attributes,
        eventKey(scopeKey, log, read, sessionId, eventName, sequence),
        sent);
  }

  /**
   * An event that says which it is (session, name and sequence) is keyed by that, and by the
   * attributes that tell its retries apart ({@link EventRecord#SEQUENCED_KEY_ATTRIBUTES}); any
   * other by the whole record.
   */
  private static String eventKey(DedupKeys scopeKey, LogRecord log, Attributes read, String sessionId, String eventName,
      Long sequence) {
    if (sessionId != null && eventName != null && sequence != null) {
      DedupKeys key = DedupKeys.of("event").text(sessionId).text(eventName).number(sequence);
      for (String attribute : EventRecord.SEQUENCED_KEY_ATTRIBUTES) {
        key.text(read.string(attribute));
      }
      return key.key();
    }
    return scopeKey.copy().number(log.getTimeUnixNano()).number(log.getObservedTimeUnixNano())
        .number(log.getSeverityNumberValue()).text(log.getSeverityText()).message(log.getBody())
        .attributes(log.getAttributesList()).bytes(log.getTraceId()).bytes(log.getSpanId()).key();
  }

  /** The record's time, else its observed time, else its event.timestamp; each time it has must be plausible. */
  private static Instant eventTime(LogRecord log, String eventTimestamp, Checks checks) {
    checks.time("time_unix_nano", log.getTimeUnixNano()).time("observed_time_unix_nano", log.getObservedTimeUnixNano());
    if (log.getTimeUnixNano() != 0 || log.getObservedTimeUnixNano() != 0) {
      return instant(log.getTimeUnixNano() != 0 ? log.getTimeUnixNano() : log.getObservedTimeUnixNano());
    }
    Instant parsed = parseIso(eventTimestamp);
    checks.time("event.timestamp", parsed);
    return parsed != null ? parsed : Instant.EPOCH;
  }

  /**
   * Without an event.name attribute, the body may name the event (some clients send only that). A
   * body longer than a name can be is a message, not a name.
   */
  private static String bodyEventName(AnyValue body) {
    String text = body.getStringValue();
    return body.hasStringValue() && !text.isEmpty() && text.length() <= Plausible.MAX_ID_CHARS ? Text.clean(text) : null;
  }

  /** A structured body is stored as its JSON text, held to the same length as any other text. */
  private static String bodyText(StoredValues stored, AnyValue body) {
    Object value = stored.value(body);
    return value == null || value instanceof String ? (String) value : stored.text(value.toString());
  }

  /** The span; null, with the reason in {@code checks}, when it cannot be stored. */
  private SpanRecord span(StoredValues stored, Shared shared, Origin origin, Span span, Checks checks) {
    Attributes read = new Attributes();
    JsonObject attributes = stored.attributes(span.getAttributesList(), read);
    String sessionId = shared.sessionId(read);
    String name = Text.clean(span.getName());
    checks.binaryId("trace_id", span.getTraceId(), 16, true).binaryId("span_id", span.getSpanId(), 8, true)
        .binaryId("parent_span_id", span.getParentSpanId(), 8, false)
        .time("start_time_unix_nano", span.getStartTimeUnixNano()).time("end_time_unix_nano", span.getEndTimeUnixNano())
        .id("session.id", sessionId).id("name", name).identity("span", attributes, config.runAttributes());
    if (checks.failed()) {
      return null;
    }
    return new SpanRecord(
        instant(span.getStartTimeUnixNano()),
        instant(span.getEndTimeUnixNano()),
        hex(span.getTraceId()),
        hex(span.getSpanId()),
        hex(span.getParentSpanId()),
        sessionId,
        name,
        span.getKindValue(),
        span.getStatus().getCodeValue(),
        emptyToNull(Text.clean(span.getStatus().getMessage())),
        origin,
        attributes,
        spanEvents(stored, span),
        spanLinks(stored, span),
        DedupKeys.of("span").bytes(span.getTraceId()).bytes(span.getSpanId()).key());
  }

  private static JsonArray spanEvents(StoredValues stored, Span span) {
    JsonArray events = new JsonArray();
    span.getEventsList().forEach(e -> events.add(new JsonObject()
        .put("time", instant(e.getTimeUnixNano()).toString())
        .put("name", Text.clean(e.getName()))
        .put("attributes", stored.attributes(e.getAttributesList()))));
    return events;
  }

  private static JsonArray spanLinks(StoredValues stored, Span span) {
    JsonArray links = new JsonArray();
    span.getLinksList().forEach(l -> links.add(new JsonObject()
        .put("traceId", hex(l.getTraceId()))
        .put("spanId", hex(l.getSpanId()))
        .put("attributes", stored.attributes(l.getAttributesList()))));
    return links;
  }

  /**
   * Decodes the points of one metric into records, whatever its data kind. A Sum or Gauge value, or
   * an aggregate's sum, must be finite: a sum of NaN means nothing and poisons every total it
   * joins; a monotonic sum counts up from 0. What a client's own metrics may hold besides is its
   * source adapter's to check, in the processor.
   */
  private final class MetricDecoder {
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
      Checks checks = shared.checks().id("metric name", name);
      if (name.isEmpty() || checks.failed()) {
        rejections.add(name.isEmpty() ? "metric without a name" : "metric '" + Plausible.quoted(name) + "': " + checks.problem(),
            Math.max(1, pointCount()));
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
            p.getCount(), p.toBuilder().clearAttributes().build(), new JsonObject()
                .put("scale", p.getScale()).put("zeroCount", p.getZeroCount())
                .put("positive", buckets(p.getPositive().getOffset(), p.getPositive().getBucketCountsList()))
                .put("negative", buckets(p.getNegative().getOffset(), p.getNegative().getBucketCountsList()))));
        case SUMMARY -> metric.getSummary().getDataPointsList().forEach(p -> aggregate(
            MetricType.SUMMARY, null, p.getAttributesList(), p.getStartTimeUnixNano(), p.getTimeUnixNano(), p.getSum(),
            p.getCount(), p.toBuilder().clearAttributes().build(), new JsonObject().put("quantiles",
                new JsonArray(p.getQuantileValuesList().stream()
                    .map(q -> new JsonObject().put("quantile", q.getQuantile()).put("value", finite(q.getValue()))).toList()))));
        case DATA_NOT_SET -> rejections.add("metric '" + Plausible.quoted(name) + "' has no data");
      }
    }

    private int pointCount() {
      return switch (metric.getDataCase()) {
        case SUM -> metric.getSum().getDataPointsCount();
        case GAUGE -> metric.getGauge().getDataPointsCount();
        case HISTOGRAM -> metric.getHistogram().getDataPointsCount();
        case EXPONENTIAL_HISTOGRAM -> metric.getExponentialHistogram().getDataPointsCount();
        case SUMMARY -> metric.getSummary().getDataPointsCount();
        case DATA_NOT_SET -> 0;
      };
    }

    private void number(NumberDataPoint p, MetricType type, Temporality temporality, Boolean monotonic) {
      Double value = switch (p.getValueCase()) {
        case AS_DOUBLE -> p.getAsDouble();
        case AS_INT -> (double) p.getAsInt();
        case VALUE_NOT_SET -> null;
      };
      if (value == null) {
        rejections.add("data point of '" + Plausible.quoted(name) + "' has no value");
        return;
      }
      Checks checks = shared.checks().finite("value", value);
      if (Boolean.TRUE.equals(monotonic)) {
        checks.notNegative("value of a monotonic sum", value);
      }
      DedupKeys key = resourceKey.copy().text(name)
          .attributes(p.getAttributesList()).number(p.getStartTimeUnixNano()).number(p.getTimeUnixNano())
          .number(Double.doubleToLongBits(value));
      add(type, temporality, monotonic, p.getAttributesList(), p.getStartTimeUnixNano(), p.getTimeUnixNano(),
          value, null, null, key, checks);
    }

    private void histogram(HistogramDataPoint p, Temporality temporality) {
      aggregate(MetricType.HISTOGRAM, temporality, p.getAttributesList(), p.getStartTimeUnixNano(), p.getTimeUnixNano(),
          p.hasSum() ? p.getSum() : null, p.getCount(), p.toBuilder().clearAttributes().build(),
          new JsonObject()
              .put("bounds", new JsonArray(p.getExplicitBoundsList().stream().map(OtlpDecoder::finite).toList()))
              .put("counts", new JsonArray(new ArrayList<>(p.getBucketCountsList())))
              .put("min", p.hasMin() ? finite(p.getMin()) : null)
              .put("max", p.hasMax() ? finite(p.getMax()) : null));
    }

    private void aggregate(MetricType type, Temporality temporality, List<KeyValue> attributes, long start, long time,
        Double sum, long count, MessageLite pointWithoutAttributes, JsonObject data) {
      DedupKeys key = resourceKey.copy().text(name)
          .attributes(attributes).number(start).number(time).message(pointWithoutAttributes);
      add(type, temporality, null, attributes, start, time, sum, count, data, key, shared.checks().finite("sum", sum));
    }

    private void add(MetricType type, Temporality temporality, Boolean monotonic, List<KeyValue> attributeList,
        long start, long time, Double value, Long count, JsonObject data, DedupKeys key, Checks checks) {
      Attributes read = new Attributes();
      JsonObject attributes = stored.attributes(attributeList, read);
      String sessionId = shared.sessionId(read);
      checks.time("time_unix_nano", time).time("start_time_unix_nano", start)
          .id("session.id", sessionId).identity("data point", attributes, config.runAttributes());
      if (checks.failed()) {
        rejections.add("data point of '" + Plausible.quoted(name) + "': " + checks.problem());
        return;
      }
      points.add(new MetricPoint(instant(time), start == 0 ? null : instant(start), sessionId, name, type, temporality,
          monotonic, unit, value, count, data, origin, attributes, key.key(), null));
    }

    private static JsonObject buckets(int offset, List<Long> counts) {
      return new JsonObject().put("offset", offset).put("counts", new JsonArray(new ArrayList<>(counts)));
    }
  }

  /** jsonb has no NaN or Infinity: inside an aggregate's data they are kept as text. */
  private static Object finite(double value) {
    return Double.isFinite(value) ? value : Double.toString(value);
  }

  private static Temporality temporality(AggregationTemporality temporality) {
    return switch (temporality) {
      case AGGREGATION_TEMPORALITY_DELTA -> Temporality.DELTA;
      case AGGREGATION_TEMPORALITY_CUMULATIVE -> Temporality.CUMULATIVE;
      default -> null;
    };
  }

  /** An ISO-8601 instant; null when absent or not one. */
  private static Instant parseIso(String timestamp) {
    try {
      return timestamp == null ? null : Instant.parse(timestamp);
    } catch (RuntimeException e) {
      return null;
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
}
