package dev.contextwatch.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.testkit.Fixtures;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * What the live-feed and dashboard tests send through the pipeline: the recorded fixtures, and
 * generated sessions whose events are shaped like Claude Code's (a main-thread tool loop whose
 * context grows by a fixed step per request).
 */
final class PushLoad {
  static final String PROTOBUF = "application/x-protobuf";
  /** Seconds between two generated turns. */
  private static final long TURN_SECONDS = 20;

  private PushLoad() {}

  /** A generated session: who it is, and where its context starts and how fast it grows. */
  record Session(String id, String project, String label, String runId, String parentId, String model,
      long startTokens, long growth, Instant start) {

    Session(String id, String project, String label, String model, long startTokens, long growth, Instant start) {
      this(id, project, label, null, null, model, startTokens, growth, start);
    }

    Instant turnTime(long turn) {
      return start.plus(Duration.ofSeconds(turn * TURN_SECONDS));
    }
  }

  /** Replays a recorded CLI run, request by request, expecting a 200 for each. */
  static void replay(PipelineHarness pipeline, Fixtures.Folder folder) throws Exception {
    for (Fixtures.Request request : folder.requests()) {
      PipelineHarness.Response response = pipeline.postAndWait(request.path(), request.contentType(), request.body(), Map.of());
      assertThat(response.status()).as("%s: %s", request.file(), response.body()).isEqualTo(200);
    }
  }

  /** Posts turns {@code first} to {@code first + count - 1} of the session as one logs request, expecting a 200. */
  static void post(PipelineHarness pipeline, Session session, int first, int count) throws Exception {
    PipelineHarness.Response response = pipeline.postAndWait("/v1/logs", PROTOBUF, turns(session, first, count), Map.of());
    assertThat(response.status()).as("%s: %s", session.id(), response.body()).isEqualTo(200);
  }

  /**
   * One logs request with {@code count} turns of the session: a user_prompt every fourth turn, then
   * per turn an api_request and a tool_result ({@link #events} counts them).
   */
  static Buffer turns(Session session, int first, int count) {
    ScopeLogs.Builder scope = ScopeLogs.newBuilder();
    for (int turn = first; turn < first + count; turn++) {
      String promptId = session.id() + "-p" + turn / 4;
      if (turn % 4 == 0) {
        scope.addLogRecords(event(session, turn, 0, "user_prompt", promptId)
            .addAttributes(string("prompt", PROMPTS[(turn / 4) % PROMPTS.length])));
      }
      long prompt = session.startTokens() + session.growth() * turn;
      long output = 300 + (turn % 5) * 40L;
      long cacheCreation = Math.min(session.growth(), prompt / 2);
      long input = 40;
      long cacheRead = prompt - input - cacheCreation;
      scope.addLogRecords(event(session, turn, 1, "api_request", promptId)
          .addAttributes(string("model", session.model()))
          .addAttributes(string("query_source", "main"))
          .addAttributes(number("input_tokens", input))
          .addAttributes(number("output_tokens", output))
          .addAttributes(number("cache_read_tokens", cacheRead))
          .addAttributes(number("cache_creation_tokens", cacheCreation))
          .addAttributes(decimal("cost_usd", (input * 3.0 + output * 15.0 + cacheRead * 0.3 + cacheCreation * 3.75) / 1e6))
          .addAttributes(number("duration_ms", 2000 + turn % 7 * 300L)));
      scope.addLogRecords(event(session, turn, 2, "tool_result", promptId)
          .addAttributes(string("tool_name", TOOLS[turn % TOOLS.length]))
          .addAttributes(string("tool_input", TOOL_INPUTS[turn % TOOLS.length]))
          .addAttributes(string("success", "true")));
    }
    return Buffer.buffer(ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
        .setResource(resource(session)).addScopeLogs(scope)).build().toByteArray());
  }

  /** Events the {@code count} turns from turn {@code first} make. */
  static int events(int first, int count) {
    int prompts = 0;
    for (int turn = first; turn < first + count; turn++) {
      prompts += turn % 4 == 0 ? 1 : 0;
    }
    return 2 * count + prompts;
  }

  private static final String[] TOOLS = {"Read", "Edit", "Bash", "Grep", "Bash", "Write"};
  /** What the CLI sends as tool_input with OTEL_LOG_TOOL_DETAILS=1, one per tool above. */
  private static final String[] TOOL_INPUTS = {
      "{\"file_path\":\"src/main/java/billing/Ledger.java\"}",
      "{\"file_path\":\"src/main/java/billing/Ledger.java\",\"old_string\":\"total +=\",\"new_string\":\"total = total.add(\"}",
      "{\"command\":\"mvn -q verify -pl billing\",\"description\":\"Run the billing tests\"}",
      "{\"pattern\":\"retryAfter\",\"path\":\"src\"}",
      "{\"command\":\"git diff --stat\",\"description\":\"Show what changed\"}",
      "{\"file_path\":\"docs/ledger.md\",\"content\":\"# Ledger\"}"};
  private static final String[] PROMPTS = {
      "Add retry with backoff to the webhook sender and cover it with a test",
      "Why does the cumulative-to-delta conversion double count after a restart?",
      "Refactor the session summary into smaller methods",
      "Run the test suite and fix what fails"};

  private static LogRecord.Builder event(Session session, long turn, int step, String name, String promptId) {
    Instant time = session.turnTime(turn).plusMillis(step * 500L);
    long nanos = time.getEpochSecond() * 1_000_000_000L + time.getNano();
    return LogRecord.newBuilder()
        .setTimeUnixNano(nanos)
        .setObservedTimeUnixNano(nanos)
        .setBody(AnyValue.newBuilder().setStringValue("claude_code." + name))
        .addAttributes(string("session.id", session.id()))
        .addAttributes(string("event.name", name))
        .addAttributes(string("event.timestamp", time.toString()))
        .addAttributes(number("event.sequence", turn * 3 + step))
        .addAttributes(string("prompt.id", promptId));
  }

  private static Resource resource(Session session) {
    Resource.Builder resource = Resource.newBuilder().addAttributes(string("service.name", "claude-code"))
        .addAttributes(string("service.version", "2.1.197"));
    if (session.project() != null) {
      resource.addAttributes(string("service.namespace", session.project()));
    }
    if (session.label() != null) {
      resource.addAttributes(string("service.instance.id", session.label()));
    }
    if (session.runId() != null) {
      resource.addAttributes(string("contextwatch.run_id", session.runId()));
    }
    if (session.parentId() != null) {
      resource.addAttributes(string("contextwatch.parent_session_id", session.parentId()));
    }
    return resource.build();
  }

  private static KeyValue string(String key, String value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }

  private static KeyValue number(String key, long value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setIntValue(value)).build();
  }

  private static KeyValue decimal(String key, double value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setDoubleValue(value)).build();
  }
}
