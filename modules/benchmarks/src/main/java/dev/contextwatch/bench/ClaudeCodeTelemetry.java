package dev.contextwatch.bench;

import static dev.contextwatch.telemetry.Otlp.text;

import dev.contextwatch.core.config.ConfigLoader;
import dev.contextwatch.core.model.RecordBatch;
import dev.contextwatch.core.model.Signal;
import dev.contextwatch.receiver.OtlpDecoder;
import dev.contextwatch.telemetry.ApiCall;
import dev.contextwatch.telemetry.ClaudeCode;
import dev.contextwatch.telemetry.EventHeader;
import dev.contextwatch.telemetry.Model;
import dev.contextwatch.telemetry.Otlp;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.resource.v1.Resource;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The benchmarks' workload: a fixed stream of Claude Code telemetry per session (the shapes are
 * the telemetry module's {@link ClaudeCode}), deterministic, so every run measures the same bytes.
 */
public final class ClaudeCodeTelemetry {
  /** 2026-11-23T05:30:00Z, the day the fixtures were recorded. */
  public static final long T0_NANOS = 1_795_411_800_000_000_000L;
  private static final long SECOND = 1_000_000_000L;
  private static final String[] TOOLS = {"Bash", "Read", "Edit", "Grep"};

  /** Records per session turn in {@link #sessionRecord}: 6 events then 4 cumulative points. */
  public static final int TURN = 10;

  private ClaudeCodeTelemetry() {}

  public static String sessionId(int session) {
    return UUID.nameUUIDFromBytes(("session-" + session).getBytes(StandardCharsets.UTF_8)).toString();
  }

  private static String userId(int session) {
    // 64 hex characters like the CLI's user.id; 50 users share the sessions
    String id = UUID.nameUUIDFromBytes(("user-" + session % 50).getBytes(StandardCharsets.UTF_8)).toString().replace("-", "");
    return id + id;
  }

  /** The session's OTEL_RESOURCE_ATTRIBUTES: 20 projects, a label per session, 100 runs. */
  private static List<KeyValue> userAttributes(int session) {
    return List.of(text("service.namespace", "project-" + session % 20), text("service.instance.id", "term-" + session),
        text("contextwatch.run_id", "run-" + session % 100));
  }

  private static List<KeyValue> identity(int session) {
    return ClaudeCode.identity(userAttributes(session), userId(session), sessionId(session));
  }

  public static Resource resource(int session) {
    return ClaudeCode.resource(userAttributes(session));
  }

  // ---- one OTLP request of 'count' api_request events from one session ----

  /** One logs request of one session holding {@code count} api_request events, context growing. */
  public static ExportLogsServiceRequest apiRequests(int count) {
    int session = 7;
    List<LogRecord> records = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      long prompt = 20_000 + (i % 40) * 4_000L;
      records.add(apiRequest(header(session, i, T0_NANOS + i * 250_000_000L, "p-" + i / 4), Model.SONNET, "main", prompt));
    }
    return Otlp.logs(resource(session), ClaudeCode.EVENTS, records);
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
        List<LogRecord> events = new ArrayList<>();
        List<Metric> points = new ArrayList<>();
        for (int r = 0; r < perSession; r++) {
          sessionRecord(session, next[session]++, events, points);
        }
        if (!events.isEmpty()) {
          logs.addResourceLogs(Otlp.resourceLogs(resource(session), ClaudeCode.EVENTS, events));
        }
        if (!points.isEmpty()) {
          metrics.addResourceMetrics(Otlp.resourceMetrics(resource(session), ClaudeCode.METRICS, points));
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
  private static void sessionRecord(int session, int i, List<LogRecord> events, List<Metric> points) {
    int turn = i / TURN;
    int k = i % TURN;
    long time = T0_NANOS + (session % 60) * SECOND + i * SECOND;
    String promptId = UUID.nameUUIDFromBytes(("prompt-" + session + "-" + turn).getBytes(StandardCharsets.UTF_8)).toString();
    EventHeader at = header(session, i, time, promptId);
    long mainRequests = turn * 2L + (k >= 3 ? 1 : 0); // main requests before this record
    switch (k) {
      case 0 -> events.add(userPrompt(at));
      case 1, 3 -> events.add(apiRequest(at, Model.SONNET, "main", 20_000 + mainRequests * 7_000));
      case 2, 4 -> events.add(toolResult(at, session, TOOLS[(turn + k) % TOOLS.length], (turn + k) % 7 != 0));
      case 5 -> events.add(apiRequest(at, Model.HAIKU, "subagent", 9_000));
      case 6 -> points.add(cumulative(session, "claude_code.token.usage", "tokens", "input", time, (turn + 1) * 1_500.0));
      case 7 -> points.add(cumulative(session, "claude_code.token.usage", "tokens", "output", time, (turn + 1) * 900.0));
      case 8 -> points.add(cumulative(session, "claude_code.token.usage", "tokens", "cacheRead", time,
          (turn + 1) * 60_000.0 + turn * turn * 7_000.0));
      case 9 -> points.add(cumulative(session, "claude_code.cost.usage", "USD", null, time, (turn + 1) * 0.0613));
      default -> throw new IllegalStateException();
    }
  }

  private static EventHeader header(int session, long sequence, long time, String promptId) {
    return new EventHeader(identity(session), time, sequence, promptId);
  }

  private static LogRecord apiRequest(EventHeader at, Model model, String querySource, long promptTokens) {
    long input = 500;
    long cacheCreation = 6_500;
    long cacheRead = Math.max(0, promptTokens - input - cacheCreation);
    long output = 320 + at.sequence() % 200;
    return ClaudeCode.apiRequest(at, ApiCall.priced(model, querySource, input, output, cacheRead, cacheCreation,
        900 + at.sequence() % 2_000)).build();
  }

  private static LogRecord userPrompt(EventHeader at) {
    String prompt = "Step " + at.sequence() + ": run the tests, read the failures and fix the code until they pass";
    return ClaudeCode.userPrompt(at, prompt.length(), prompt).build();
  }

  private static LogRecord toolResult(EventHeader at, int session, String tool, boolean success) {
    long sequence = at.sequence();
    String command = "mvn -q test -pl modules/m" + sequence % 5;
    return ClaudeCode.toolResult(at, tool, "toolu_" + session + "_" + sequence, success, 40 + sequence % 3_000, 61,
            200 + sequence % 5_000)
        .addAttributes(text("tool_parameters", "{\"bash_command\":\"mvn\",\"full_command\":\"" + command
            + "\",\"description\":\"run the tests\"}"))
        .addAttributes(text("tool_input", "{\"command\":\"" + command + "\",\"description\":\"run the tests\"}"))
        .build();
  }

  /** One cumulative Sum metric with one point, attributes as the CLI sends them. */
  private static Metric cumulative(int session, String name, String unit, String type, long time, double value) {
    NumberDataPoint.Builder point = Otlp.point(T0_NANOS + (session % 60) * SECOND, time, value)
        .addAllAttributes(identity(session))
        .addAttributes(text("model", Model.SONNET.name()))
        .addAttributes(text("query_source", "main"));
    if (type != null) {
      point.addAttributes(text("type", type));
    }
    Metric.Builder metric = Otlp.monotonicSum(name, "", unit, true);
    metric.getSumBuilder().addDataPoints(point);
    return metric.build();
  }
}
