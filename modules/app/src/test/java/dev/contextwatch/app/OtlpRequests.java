package dev.contextwatch.app;

import static dev.contextwatch.telemetry.Otlp.integer;
import static dev.contextwatch.telemetry.Otlp.real;
import static dev.contextwatch.telemetry.Otlp.text;

import dev.contextwatch.core.model.ClientJson;
import io.opentelemetry.proto.common.v1.InstrumentationScope;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import dev.contextwatch.core.model.Synthetic;
import dev.contextwatch.telemetry.ClaudeCode;
import dev.contextwatch.telemetry.EventHeader;
import dev.contextwatch.telemetry.Otlp;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.vertx.core.buffer.Buffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Small Claude Code requests with the exact values a test checks (the shapes are the telemetry
 * module's), for tests that need many distinct records.
 */
final class OtlpRequests {
  static final String PROTOBUF = "application/x-protobuf";
  static final String JSON = "application/json";
  private static final long T0 = 1_795_411_735_000_000_000L;
  private static final long SECOND = 1_000_000_000L;
  private static final String MODEL = "claude-sonnet-4-5";
  /** A resource without a project: such records leave a session's project as its other records set it. */
  private static final Resource SERVICE_ONLY = Resource.newBuilder().addAttributes(text("service.name", ClaudeCode.SERVICE_NAME)).build();

  private OtlpRequests() {}

  /** {@code count} api_request events of one session with sequence numbers from {@code firstSequence}. */
  static Buffer apiRequests(String session, long firstSequence, int count) {
    return body(ExportLogsServiceRequest.newBuilder().addResourceLogs(apiRequestLogs(session, firstSequence, count)).build());
  }

  /** One api_request of each session in one request, all with sequence {@code sequence}. */
  static Buffer apiRequestsOfSessions(long sequence, String... sessions) {
    ExportLogsServiceRequest.Builder request = ExportLogsServiceRequest.newBuilder();
    for (String session : sessions) {
      request.addResourceLogs(apiRequestLogs(session, sequence, 1));
    }
    return body(request.build());
  }

  private static ResourceLogs apiRequestLogs(String session, long firstSequence, int count) {
    List<LogRecord> records = new ArrayList<>(count);
    for (long seq = firstSequence; seq < firstSequence + count; seq++) {
      records.add(EventHeader.of(session, T0 + seq * 1_000_000L, seq).record("api_request")
          .addAttributes(integer("input_tokens", 100)).build());
    }
    return Otlp.resourceLogs(SERVICE_ONLY, ClaudeCode.EVENTS, records);
  }

  /**
   * One main-thread api_request of {@code session} whose prompt (input 100 + cache read) is
   * {@code promptTokens}, {@code sequence} seconds after the start of the session.
   */
  static Buffer mainRequest(String session, long sequence, long promptTokens) {
    return mainRequest("acme", null, false, session, sequence, promptTokens);
  }

  /**
   * The same from a session of {@code project} and {@code run} (null: none) whose resource says
   * {@code contextwatch.synthetic=true} when {@code synthetic}, as the load test's sessions do.
   */
  static Buffer mainRequest(String project, String run, boolean synthetic, String session, long sequence, long promptTokens) {
    return event(resource(project, run, synthetic), session, sequence, "api_request",
        text("model", MODEL), text("query_source", "sdk"),
        integer("input_tokens", 100), integer("cache_read_tokens", promptTokens - 100), integer("output_tokens", 50));
  }

  /** A main-thread api_request whose cost comes as cost_usd only, as clients before cost_usd_micros sent it. */
  static Buffer pricedRequest(String session, long sequence, double costUsd) {
    return event(resource("acme", null, false), session, sequence, "api_request", text("model", MODEL),
        integer("input_tokens", 100), real("cost_usd", costUsd));
  }

  /** An api_request of {@code session} in {@code project} at {@code time}, with {@code input} input tokens and its cost. */
  static Buffer requestAt(String project, String session, Instant time, long sequence, long input, double costUsd) {
    LogRecord record = EventHeader.of(session, time.getEpochSecond() * SECOND + time.getNano(), sequence).record("api_request")
        .addAllAttributes(List.of(text("model", MODEL), integer("input_tokens", input), real("cost_usd", costUsd))).build();
    return body(Otlp.logs(resource(project, null, false), ClaudeCode.EVENTS, List.of(record)));
  }

  /** One priced api_request: when, in which prompt, of which model, and its usage by kind. */
  record Usage(Instant time, String prompt, String model, long input, long cacheRead, long cacheCreation, long output,
      double costUsd) {}

  /** The api_requests of one session of {@code project} in one request, with sequence numbers from 1. */
  static Buffer requestsOf(String project, String session, List<Usage> requests) {
    List<LogRecord> records = new ArrayList<>(requests.size());
    long sequence = 1;
    for (Usage usage : requests) {
      long nanos = usage.time().getEpochSecond() * SECOND + usage.time().getNano();
      records.add(new EventHeader(List.of(text("session.id", session)), nanos, sequence++, usage.prompt()).record("api_request")
          .addAllAttributes(List.of(text("model", usage.model()), integer("input_tokens", usage.input()),
              integer("cache_read_tokens", usage.cacheRead()), integer("cache_creation_tokens", usage.cacheCreation()),
              integer("output_tokens", usage.output()), real("cost_usd", usage.costUsd()))).build());
    }
    return body(Otlp.logs(resource(project, null, false), ClaudeCode.EVENTS, records));
  }

  private static Resource resource(String project, String run, boolean synthetic) {
    List<KeyValue> attributes = new ArrayList<>(List.of(text("service.name", ClaudeCode.SERVICE_NAME), text("service.namespace", project)));
    if (run != null) {
      attributes.add(text("contextwatch.run_id", run));
    }
    if (synthetic) {
      attributes.add(text(Synthetic.ATTRIBUTE, "true"));
    }
    return Resource.newBuilder().addAllAttributes(attributes).build();
  }

  /** A compaction event of {@code session}. */
  static Buffer compaction(String session, long sequence, long preTokens, long postTokens) {
    return event(resource("acme", null, false), session, sequence, "compaction",
        text("trigger", "auto"), integer("pre_tokens", preTokens), integer("post_tokens", postTokens));
  }

  /**
   * A status line of {@code session} (user {@code user}, project acme) stored as the status-line route
   * stores one: scope contextwatch.statusline, event statusline, the JSON flattened; {@code fiveHour}
   * the plan's 5-hour use, resetting at epoch second {@code resetsAt}, the 7-day use half of it, resetting
   * 5 days later (no limits when negative).
   */
  static Buffer statusLine(String session, String user, long sequence, long window, double usedPercentage, double fiveHour,
      long resetsAt) {
    List<KeyValue> attributes = new ArrayList<>(List.of(text("session_id", session), text("user.id", user),
        text("model.id", MODEL), text("model.display_name", "Sonnet 4.5"), text("version", "2.1.332"),
        integer("context_window.context_window_size", window), real("context_window.used_percentage", usedPercentage),
        real("cost.total_cost_usd", 0.25)));
    if (fiveHour >= 0) {
      attributes.addAll(List.of(real("rate_limits.five_hour.used_percentage", fiveHour),
          integer("rate_limits.five_hour.resets_at", resetsAt), real("rate_limits.seven_day.used_percentage", fiveHour / 2),
          integer("rate_limits.seven_day.resets_at", resetsAt + 5 * 86_400)));
    }
    LogRecord record = EventHeader.of(session, T0 + sequence * SECOND, sequence).record(ClientJson.STATUS_LINE_EVENT)
        .addAllAttributes(attributes).build();
    InstrumentationScope scope = InstrumentationScope.newBuilder().setName(ClientJson.STATUS_LINE_SCOPE).build();
    return body(Otlp.logs(resource("acme", null, false), scope, List.of(record)));
  }

  /** A tool_result event of {@code session} with {@code attributes} attributes of {@code chars} characters each. */
  static Buffer bulkyEvent(String session, long sequence, int attributes, int chars) {
    KeyValue[] bulk = new KeyValue[attributes];
    for (int i = 0; i < attributes; i++) {
      bulk[i] = text("bulk_" + i, Character.toString('a' + i % 26).repeat(chars));
    }
    return event(resource("acme", null, false), session, sequence, "tool_result", bulk);
  }

  /** A CUMULATIVE claude_code.token.usage point of {@code session}: {@code total} input tokens so far at second {@code second}. */
  static Buffer cumulativeInputTokens(String session, long second, double total) {
    Metric.Builder metric = Otlp.monotonicSum("claude_code.token.usage", "", "tokens", true);
    metric.getSumBuilder().addDataPoints(Otlp.point(T0, T0 + second * SECOND, total)
        .addAttributes(text("session.id", session)).addAttributes(text("type", "input")).addAttributes(text("model", MODEL)));
    return body(Otlp.metrics(SERVICE_ONLY, ClaudeCode.METRICS, List.of(metric.build())));
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
        .setStartTimeUnixNano(T0 + sequence * SECOND)
        .setEndTimeUnixNano(T0 + sequence * SECOND + 1_000_000L)
        .addAttributes(text("session.id", session))
        .build();
    return body(ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
        .setResource(SERVICE_ONLY)
        .addScopeSpans(ScopeSpans.newBuilder().addSpans(span))).build());
  }

  private static Buffer event(Resource resource, String session, long sequence, String name, KeyValue... attributes) {
    LogRecord record = EventHeader.of(session, T0 + sequence * SECOND, sequence).record(name)
        .addAllAttributes(List.of(attributes)).build();
    return body(Otlp.logs(resource, ClaudeCode.EVENTS, List.of(record)));
  }

  private static Buffer body(Message request) {
    return Buffer.buffer(request.toByteArray());
  }
}
