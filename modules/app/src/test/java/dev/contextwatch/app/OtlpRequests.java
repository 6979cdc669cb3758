package dev.contextwatch.app;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.vertx.core.buffer.Buffer;

/** Small OTLP requests shaped like Claude Code's, for tests that need many distinct records. */
final class OtlpRequests {
  static final String PROTOBUF = "application/x-protobuf";
  static final String JSON = "application/json";
  private static final long T0 = 1_795_411_735_000_000_000L;

  private OtlpRequests() {}

  /** {@code count} api_request events of one session with sequence numbers from {@code firstSequence}. */
  static Buffer apiRequests(String session, long firstSequence, int count) {
    return Buffer.buffer(ExportLogsServiceRequest.newBuilder().addResourceLogs(apiRequestLogs(session, firstSequence, count))
        .build().toByteArray());
  }

  /** One api_request of each session in one request, all with sequence {@code sequence}. */
  static Buffer apiRequestsOfSessions(long sequence, String... sessions) {
    ExportLogsServiceRequest.Builder request = ExportLogsServiceRequest.newBuilder();
    for (String session : sessions) {
      request.addResourceLogs(apiRequestLogs(session, sequence, 1));
    }
    return Buffer.buffer(request.build().toByteArray());
  }

  private static ResourceLogs apiRequestLogs(String session, long firstSequence, int count) {
    ScopeLogs.Builder scope = ScopeLogs.newBuilder();
    for (long seq = firstSequence; seq < firstSequence + count; seq++) {
      scope.addLogRecords(LogRecord.newBuilder()
          .setTimeUnixNano(T0 + seq * 1_000_000L)
          .setBody(AnyValue.newBuilder().setStringValue("claude_code.api_request"))
          .addAttributes(string("session.id", session))
          .addAttributes(string("event.name", "api_request"))
          .addAttributes(KeyValue.newBuilder().setKey("event.sequence").setValue(AnyValue.newBuilder().setIntValue(seq)))
          .addAttributes(KeyValue.newBuilder().setKey("input_tokens").setValue(AnyValue.newBuilder().setIntValue(100))));
    }
    return ResourceLogs.newBuilder()
        .setResource(Resource.newBuilder().addAttributes(string("service.name", "claude-code")))
        .addScopeLogs(scope).build();
  }

  /**
   * One main-thread api_request of {@code session} whose prompt (input 100 + cache read) is
   * {@code promptTokens}, {@code sequence} seconds after the start of the session.
   */
  static Buffer mainRequest(String session, long sequence, long promptTokens) {
    return mainRequest(resource("acme", null, false), session, sequence, promptTokens);
  }

  /**
   * The same from a session of {@code project} and {@code run} (null: none) whose resource says
   * {@code contextwatch.synthetic=true} when {@code synthetic}, as the load test's sessions do.
   */
  static Buffer mainRequest(String project, String run, boolean synthetic, String session, long sequence, long promptTokens) {
    return mainRequest(resource(project, run, synthetic), session, sequence, promptTokens);
  }

  private static Buffer mainRequest(Resource resource, String session, long sequence, long promptTokens) {
    return event(resource, session, sequence, "api_request",
        KeyValue.newBuilder().setKey("model").setValue(text("claude-sonnet-4-5")).build(),
        KeyValue.newBuilder().setKey("query_source").setValue(text("sdk")).build(),
        number("input_tokens", 100), number("cache_read_tokens", promptTokens - 100), number("output_tokens", 50));
  }

  /** A main-thread api_request whose cost comes as cost_usd only, as clients before cost_usd_micros sent it. */
  static Buffer pricedRequest(String session, long sequence, double costUsd) {
    return event(resource("acme", null, false), session, sequence, "api_request", KeyValue.newBuilder().setKey("model").setValue(text("claude-sonnet-4-5")).build(),
        number("input_tokens", 100), KeyValue.newBuilder().setKey("cost_usd").setValue(AnyValue.newBuilder().setDoubleValue(costUsd)).build());
  }

  private static Resource resource(String project, String run, boolean synthetic) {
    Resource.Builder resource = Resource.newBuilder().addAttributes(string("service.name", "claude-code"))
        .addAttributes(string("service.namespace", project));
    if (run != null) {
      resource.addAttributes(string("contextwatch.run_id", run));
    }
    if (synthetic) {
      resource.addAttributes(string("contextwatch.synthetic", "true"));
    }
    return resource.build();
  }

  /** A compaction event of {@code session}. */
  static Buffer compaction(String session, long sequence, long preTokens, long postTokens) {
    return event(resource("acme", null, false), session, sequence, "compaction",
        KeyValue.newBuilder().setKey("trigger").setValue(text("auto")).build(),
        number("pre_tokens", preTokens), number("post_tokens", postTokens));
  }

  /** A tool_result event of {@code session} with {@code attributes} attributes of {@code chars} characters each. */
  static Buffer bulkyEvent(String session, long sequence, int attributes, int chars) {
    KeyValue[] bulk = new KeyValue[attributes];
    for (int i = 0; i < attributes; i++) {
      bulk[i] = string("bulk_" + i, Character.toString('a' + i % 26).repeat(chars));
    }
    return event(resource("acme", null, false), session, sequence, "tool_result", bulk);
  }

  /** A CUMULATIVE claude_code.token.usage point of {@code session}: {@code total} input tokens so far at second {@code second}. */
  static Buffer cumulativeInputTokens(String session, long second, double total) {
    NumberDataPoint point = NumberDataPoint.newBuilder()
        .setStartTimeUnixNano(T0)
        .setTimeUnixNano(T0 + second * 1_000_000_000L)
        .setAsDouble(total)
        .addAttributes(string("session.id", session))
        .addAttributes(string("type", "input"))
        .addAttributes(string("model", "claude-sonnet-4-5"))
        .build();
    Metric metric = Metric.newBuilder().setName("claude_code.token.usage").setUnit("tokens")
        .setSum(Sum.newBuilder().setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE)
            .setIsMonotonic(true).addDataPoints(point)).build();
    return Buffer.buffer(ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
        .setResource(Resource.newBuilder().addAttributes(string("service.name", "claude-code")))
        .addScopeMetrics(ScopeMetrics.newBuilder().addMetrics(metric))).build().toByteArray());
  }

  /** One span of {@code session} (a trace exporter's), with ids that follow from {@code sequence}. */
  static Buffer span(String session, long sequence) {
    byte[] traceId = new byte[16];
    byte[] spanId = new byte[8];
    traceId[15] = (byte) sequence;
    spanId[7] = (byte) (sequence + 1);
    Span span = Span.newBuilder()
        .setTraceId(ByteString.copyFrom(traceId))
        .setSpanId(ByteString.copyFrom(spanId))
        .setName("claude_code.request")
        .setStartTimeUnixNano(T0 + sequence * 1_000_000_000L)
        .setEndTimeUnixNano(T0 + sequence * 1_000_000_000L + 1_000_000L)
        .addAttributes(string("session.id", session))
        .build();
    return Buffer.buffer(ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
        .setResource(Resource.newBuilder().addAttributes(string("service.name", "claude-code")))
        .addScopeSpans(ScopeSpans.newBuilder().addSpans(span))).build().toByteArray());
  }

  private static Buffer event(Resource resource, String session, long sequence, String name, KeyValue... attributes) {
    LogRecord.Builder record = LogRecord.newBuilder()
        .setTimeUnixNano(T0 + sequence * 1_000_000_000L)
        .setBody(AnyValue.newBuilder().setStringValue("claude_code." + name))
        .addAttributes(string("session.id", session))
        .addAttributes(string("event.name", name))
        .addAttributes(number("event.sequence", sequence));
    for (KeyValue attribute : attributes) {
      record.addAttributes(attribute);
    }
    return Buffer.buffer(ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
        .setResource(resource)
        .addScopeLogs(ScopeLogs.newBuilder().addLogRecords(record))).build().toByteArray());
  }

  private static KeyValue number(String key, long value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setIntValue(value)).build();
  }

  private static AnyValue text(String value) {
    return AnyValue.newBuilder().setStringValue(value).build();
  }

  private static KeyValue string(String key, String value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }
}
