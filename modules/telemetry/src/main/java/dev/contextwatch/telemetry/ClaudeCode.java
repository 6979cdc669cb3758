package dev.contextwatch.telemetry;

import static dev.contextwatch.telemetry.Otlp.flag;
import static dev.contextwatch.telemetry.Otlp.integer;
import static dev.contextwatch.telemetry.Otlp.real;
import static dev.contextwatch.telemetry.Otlp.text;

import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.resource.v1.Resource;
import java.util.ArrayList;
import java.util.List;

/**
 * Claude Code's telemetry as the recorded 2.1.197 requests show it
 * (modules/core/src/test/resources/fixtures, docs in claude-code-telemetry): its resource and
 * scopes, and each event with its attribute names and value types (numbers as int, double or
 * string where the CLI sends them so). Callers decide the values; the shapes are here once.
 */
public final class ClaudeCode {
  public static final String VERSION = "2.1.197";
  public static final String SERVICE_NAME = "claude-code";
  public static final InstrumentationScope EVENTS =
      InstrumentationScope.newBuilder().setName("com.anthropic.claude_code.events").setVersion(VERSION).build();
  public static final InstrumentationScope METRICS =
      InstrumentationScope.newBuilder().setName("com.anthropic.claude_code").setVersion(VERSION).build();

  private ClaudeCode() {}

  /** The CLI's resource: the user's OTEL_RESOURCE_ATTRIBUTES, then the host's and its own. */
  public static Resource resource(List<KeyValue> userAttributes) {
    return Resource.newBuilder()
        .addAllAttributes(userAttributes)
        .addAttributes(text("host.arch", "amd64"))
        .addAttributes(text("os.type", "linux"))
        .addAttributes(text("os.version", "6.18.44-fc-v657"))
        .addAttributes(text("service.name", SERVICE_NAME))
        .addAttributes(text("service.version", VERSION))
        .build();
  }

  /** What the CLI puts on every record of a session: the user's resource attributes, the user, the session, the terminal. */
  public static List<KeyValue> identity(List<KeyValue> userAttributes, String userId, String sessionId) {
    List<KeyValue> identity = new ArrayList<>(userAttributes);
    identity.add(text("user.id", userId));
    identity.add(text("session.id", sessionId));
    identity.add(text("terminal.type", "xterm"));
    return List.copyOf(identity);
  }

  public static LogRecord.Builder apiRequest(EventHeader at, ApiCall call) {
    return at.record("api_request")
        .addAttributes(text("model", call.model()))
        .addAttributes(integer("input_tokens", call.input()))
        .addAttributes(integer("output_tokens", call.output()))
        .addAttributes(integer("cache_read_tokens", call.cacheRead()))
        .addAttributes(integer("cache_creation_tokens", call.cacheCreation()))
        .addAttributes(real("cost_usd", call.costUsd()))
        .addAttributes(integer("cost_usd_micros", call.costMicros()))
        .addAttributes(integer("duration_ms", call.durationMs()))
        .addAttributes(text("speed", "normal"))
        .addAttributes(text("query_source", call.querySource()));
  }

  /** A user_prompt; the CLI sends the prompt's length even when it redacts the prompt. */
  public static LogRecord.Builder userPrompt(EventHeader at, int promptLength, String prompt) {
    return at.record("user_prompt")
        .addAttributes(text("prompt_length", Integer.toString(promptLength)))
        .addAttributes(text("prompt", prompt));
  }

  public static LogRecord.Builder toolDecision(EventHeader at, String tool, String toolUseId) {
    return at.record("tool_decision")
        .addAttributes(text("decision", "accept"))
        .addAttributes(text("source", "config"))
        .addAttributes(text("tool_name", tool))
        .addAttributes(text("tool_use_id", toolUseId));
  }

  public static LogRecord.Builder toolResult(EventHeader at, String tool, String toolUseId, boolean success, long durationMs,
      long inputBytes, long resultBytes) {
    return at.record("tool_result")
        .addAttributes(text("tool_name", tool))
        .addAttributes(text("tool_use_id", toolUseId))
        .addAttributes(text("success", Boolean.toString(success)))
        .addAttributes(text("duration_ms", Long.toString(durationMs)))
        .addAttributes(text("tool_input_size_bytes", Long.toString(inputBytes)))
        .addAttributes(text("tool_result_size_bytes", Long.toString(resultBytes)));
  }

  public static LogRecord.Builder assistantResponse(EventHeader at, int responseLength, String model, String querySource) {
    return at.record("assistant_response")
        .addAttributes(integer("response_length", responseLength))
        .addAttributes(text("response", "<REDACTED>"))
        .addAttributes(text("model", model))
        .addAttributes(text("query_source", querySource));
  }

  /** An auto-compaction: the context drops from {@code preTokens} to a summary of {@code postTokens}. */
  public static LogRecord.Builder compaction(EventHeader at, long preTokens, long postTokens, long durationMs) {
    return at.record("compaction")
        .addAttributes(text("trigger", "auto"))
        .addAttributes(flag("success", true))
        .addAttributes(integer("pre_tokens", preTokens))
        .addAttributes(integer("post_tokens", postTokens))
        .addAttributes(integer("duration_ms", durationMs));
  }
}
