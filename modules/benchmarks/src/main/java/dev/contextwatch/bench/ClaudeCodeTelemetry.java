package dev.contextwatch.bench;

import dev.contextwatch.core.config.ConfigLoader;
import dev.contextwatch.core.model.RecordBatch;
import dev.contextwatch.core.model.Signal;
import dev.contextwatch.receiver.OtlpDecoder;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
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
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Synthetic Claude Code telemetry, shaped like the recorded 2.1.197 requests
 * (modules/core/src/test/resources/fixtures): the same resource, scope, attribute names and value
 * types, with resource attributes copied onto every record as the CLI does with
 * OTEL_RESOURCE_ATTRIBUTES. Deterministic, so every run measures the same bytes.
 */
public final class ClaudeCodeTelemetry {
  /** 2026-11-23T05:30:00Z, the day the fixtures were recorded. */
  public static final long T0_NANOS = 1_795_411_800_000_000_000L;
  private static final long SECOND = 1_000_000_000L;
  private static final String VERSION = "2.1.197";
  private static final String MODEL = "claude-sonnet-4-5";
  private static final String SUBAGENT_MODEL = "claude-haiku-4-5";
  private static final String[] TOOLS = {"Bash", "Read", "Edit", "Grep"};
  private static final InstrumentationScope EVENTS_SCOPE =
      InstrumentationScope.newBuilder().setName("com.anthropic.claude_code.events").setVersion(VERSION).build();
  private static final InstrumentationScope METRICS_SCOPE =
      InstrumentationScope.newBuilder().setName("com.anthropic.claude_code").setVersion(VERSION).build();

  /** Records per session turn in {@link #sessionRecord}: 6 events then 4 cumulative points. */
  public static final int TURN = 10;

  private ClaudeCodeTelemetry() {}

  public static String sessionId(int session) {
    return UUID.nameUUIDFromBytes(("session-" + session).getBytes(StandardCharsets.UTF_8)).toString();
  }

  static String userId(int session) {
    // 64 hex characters like the CLI's user.id; 50 users share the sessions
    String id = UUID.nameUUIDFromBytes(("user-" + session % 50).getBytes(StandardCharsets.UTF_8)).toString().replace("-", "");
    return id + id;
  }

  static String project(int session) {
    return "project-" + session % 20;
  }

  static String label(int session) {
    return "term-" + session;
  }

  public static Resource resource(int session) {
    return Resource.newBuilder()
        .addAttributes(string("service.namespace", project(session)))
        .addAttributes(string("service.instance.id", label(session)))
        .addAttributes(string("contextwatch.run_id", "run-" + session % 100))
        .addAttributes(string("host.arch", "amd64"))
        .addAttributes(string("os.type", "linux"))
        .addAttributes(string("os.version", "6.18.44-fc-v657"))
        .addAttributes(string("service.name", "claude-code"))
        .addAttributes(string("service.version", VERSION))
        .build();
  }

  // ---- one OTLP request of 'count' api_request events from one session ----

  /** One logs request of one session holding {@code count} api_request events, context growing. */
  public static ExportLogsServiceRequest apiRequests(int count) {
    int session = 7;
    ScopeLogs.Builder scope = ScopeLogs.newBuilder().setScope(EVENTS_SCOPE);
    for (int i = 0; i < count; i++) {
      long prompt = 20_000 + (i % 40) * 4_000L;
      scope.addLogRecords(apiRequest(session, i, T0_NANOS + i * 250_000_000L, "p-" + i / 4, MODEL, "main", prompt));
    }
    return ExportLogsServiceRequest.newBuilder()
        .addResourceLogs(ResourceLogs.newBuilder().setResource(resource(session)).addScopeLogs(scope))
        .build();
  }

  // ---- the processor's workload ----

  /**
   * {@code batches} batches of {@code batchSize} records; batch b holds {@code sessionsPerBatch}
   * sessions (the next ones round-robin over {@code sessions}), each with {@code batchSize /
   * sessionsPerBatch} consecutive records of its own stream ({@link #sessionRecord}). Each batch is
   * one logs request and one metrics request, decoded with the receiver's decoder and merged.
   */
  public static List<RecordBatch> workload(int sessions, int batches, int batchSize, int sessionsPerBatch) {
    if (batchSize % sessionsPerBatch != 0) {
      throw new IllegalArgumentException("batchSize must be a multiple of sessionsPerBatch");
    }
    int perSession = batchSize / sessionsPerBatch;
    int[] next = new int[sessions];
    List<RecordBatch> out = new ArrayList<>(batches);
    int cursor = 0;
    for (int b = 0; b < batches; b++) {
      ExportLogsServiceRequest.Builder logs = ExportLogsServiceRequest.newBuilder();
      ExportMetricsServiceRequest.Builder metrics = ExportMetricsServiceRequest.newBuilder();
      for (int j = 0; j < sessionsPerBatch; j++) {
        int session = cursor++ % sessions;
        ScopeLogs.Builder events = ScopeLogs.newBuilder().setScope(EVENTS_SCOPE);
        ScopeMetrics.Builder points = ScopeMetrics.newBuilder().setScope(METRICS_SCOPE);
        for (int r = 0; r < perSession; r++) {
          sessionRecord(session, next[session]++, events, points);
        }
        if (events.getLogRecordsCount() > 0) {
          logs.addResourceLogs(ResourceLogs.newBuilder().setResource(resource(session)).addScopeLogs(events));
        }
        if (points.getMetricsCount() > 0) {
          metrics.addResourceMetrics(ResourceMetrics.newBuilder().setResource(resource(session)).addScopeMetrics(points));
        }
      }
      OtlpDecoder decoder = new OtlpDecoder(ConfigLoader.defaults().receiver());
      RecordBatch e = decoder.logs(logs.build());
      RecordBatch p = decoder.metrics(metrics.build());
      RecordBatch merged = new RecordBatch(Signal.LOGS, e.events(), p.points(), List.of(), 0, null);
      if (merged.size() != batchSize) {
        throw new IllegalStateException("batch " + b + " has " + merged.size() + " records, not " + batchSize);
      }
      out.add(merged);
    }
    return out;
  }

  /**
   * Record {@code i} of a session's stream. Every turn of {@link #TURN} records: user_prompt,
   * api_request (main), tool_result, api_request (main), tool_result, api_request (subagent), then
   * the cumulative token.usage input / output / cacheRead and cost.usage points. The main context
   * grows by 7,000 tokens per main request from 20,000.
   */
  static void sessionRecord(int session, int i, ScopeLogs.Builder events, ScopeMetrics.Builder points) {
    int turn = i / TURN;
    int k = i % TURN;
    long time = T0_NANOS + (session % 60) * SECOND + i * SECOND;
    String promptId = UUID.nameUUIDFromBytes(("prompt-" + session + "-" + turn).getBytes(StandardCharsets.UTF_8)).toString();
    long mainRequests = turn * 2L + (k >= 3 ? 1 : 0); // main requests before this record
    switch (k) {
      case 0 -> events.addLogRecords(userPrompt(session, i, time, promptId));
      case 1, 3 -> events.addLogRecords(apiRequest(session, i, time, promptId, MODEL, "main", 20_000 + mainRequests * 7_000));
      case 2, 4 -> events.addLogRecords(toolResult(session, i, time, promptId, TOOLS[(turn + k) % TOOLS.length], (turn + k) % 7 != 0));
      case 5 -> events.addLogRecords(apiRequest(session, i, time, promptId, SUBAGENT_MODEL, "subagent", 9_000));
      case 6 -> points.addMetrics(cumulative(session, "claude_code.token.usage", "tokens", "input", time, (turn + 1) * 1_500.0));
      case 7 -> points.addMetrics(cumulative(session, "claude_code.token.usage", "tokens", "output", time, (turn + 1) * 900.0));
      case 8 -> points.addMetrics(cumulative(session, "claude_code.token.usage", "tokens", "cacheRead", time,
          (turn + 1) * 60_000.0 + turn * turn * 7_000.0));
      case 9 -> points.addMetrics(cumulative(session, "claude_code.cost.usage", "USD", null, time, (turn + 1) * 0.0613));
      default -> throw new IllegalStateException();
    }
  }

  static LogRecord apiRequest(int session, long sequence, long time, String promptId, String model, String querySource,
      long promptTokens) {
    long input = 500;
    long cacheCreation = 6_500;
    long cacheRead = Math.max(0, promptTokens - input - cacheCreation);
    long output = 320 + sequence % 200;
    double cost = (input * 3 + cacheCreation * 3.75 + cacheRead * 0.3 + output * 15) / 1_000_000.0;
    return event(session, sequence, time, "api_request", promptId)
        .addAttributes(string("model", model))
        .addAttributes(integer("input_tokens", input))
        .addAttributes(integer("output_tokens", output))
        .addAttributes(integer("cache_read_tokens", cacheRead))
        .addAttributes(integer("cache_creation_tokens", cacheCreation))
        .addAttributes(KeyValue.newBuilder().setKey("cost_usd").setValue(AnyValue.newBuilder().setDoubleValue(cost)))
        .addAttributes(integer("cost_usd_micros", Math.round(cost * 1_000_000)))
        .addAttributes(integer("duration_ms", 900 + sequence % 2_000))
        .addAttributes(string("speed", "normal"))
        .addAttributes(string("query_source", querySource))
        .build();
  }

  static LogRecord userPrompt(int session, long sequence, long time, String promptId) {
    String prompt = "Step " + sequence + ": run the tests, read the failures and fix the code until they pass";
    return event(session, sequence, time, "user_prompt", promptId)
        .addAttributes(string("prompt_length", Integer.toString(prompt.length())))
        .addAttributes(string("prompt", prompt))
        .build();
  }

  static LogRecord toolResult(int session, long sequence, long time, String promptId, String tool, boolean success) {
    String command = "mvn -q test -pl modules/m" + sequence % 5;
    return event(session, sequence, time, "tool_result", promptId)
        .addAttributes(string("tool_name", tool))
        .addAttributes(string("tool_use_id", "toolu_" + session + "_" + sequence))
        .addAttributes(string("success", Boolean.toString(success)))
        .addAttributes(string("duration_ms", Long.toString(40 + sequence % 3_000)))
        .addAttributes(string("tool_parameters", "{\"bash_command\":\"mvn\",\"full_command\":\"" + command
            + "\",\"description\":\"run the tests\"}"))
        .addAttributes(string("tool_input", "{\"command\":\"" + command + "\",\"description\":\"run the tests\"}"))
        .addAttributes(string("tool_input_size_bytes", "61"))
        .addAttributes(string("tool_result_size_bytes", Long.toString(200 + sequence % 5_000)))
        .build();
  }

  private static LogRecord.Builder event(int session, long sequence, long time, String name, String promptId) {
    return LogRecord.newBuilder()
        .setTimeUnixNano(time)
        .setObservedTimeUnixNano(time)
        .setBody(AnyValue.newBuilder().setStringValue("claude_code." + name))
        .addAttributes(string("service.namespace", project(session)))
        .addAttributes(string("service.instance.id", label(session)))
        .addAttributes(string("contextwatch.run_id", "run-" + session % 100))
        .addAttributes(string("user.id", userId(session)))
        .addAttributes(string("session.id", sessionId(session)))
        .addAttributes(string("terminal.type", "xterm"))
        .addAttributes(string("event.name", name))
        .addAttributes(string("event.timestamp", Instant.ofEpochSecond(0, time).toString()))
        .addAttributes(integer("event.sequence", sequence))
        .addAttributes(string("prompt.id", promptId));
  }

  /** One cumulative Sum metric with one point, attributes as the CLI sends them. */
  static Metric cumulative(int session, String name, String unit, String type, long time, double value) {
    NumberDataPoint.Builder point = NumberDataPoint.newBuilder()
        .setStartTimeUnixNano(T0_NANOS + (session % 60) * SECOND)
        .setTimeUnixNano(time)
        .setAsDouble(value)
        .addAttributes(string("service.namespace", project(session)))
        .addAttributes(string("service.instance.id", label(session)))
        .addAttributes(string("contextwatch.run_id", "run-" + session % 100))
        .addAttributes(string("user.id", userId(session)))
        .addAttributes(string("session.id", sessionId(session)))
        .addAttributes(string("terminal.type", "xterm"))
        .addAttributes(string("model", MODEL))
        .addAttributes(string("query_source", "main"));
    if (type != null) {
      point.addAttributes(string("type", type));
    }
    return Metric.newBuilder().setName(name).setUnit(unit)
        .setSum(Sum.newBuilder().setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE)
            .setIsMonotonic(true).addDataPoints(point))
        .build();
  }

  private static KeyValue string(String key, String value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }

  private static KeyValue integer(String key, long value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setIntValue(value)).build();
  }
}
