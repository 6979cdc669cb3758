package dev.contextwatch.app;

import static dev.contextwatch.telemetry.Otlp.integer;
import static dev.contextwatch.telemetry.Otlp.real;
import static dev.contextwatch.telemetry.Otlp.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.telemetry.ClaudeCode;
import dev.contextwatch.telemetry.EventHeader;
import dev.contextwatch.telemetry.Otlp;
import dev.contextwatch.testkit.Fixtures;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.resource.v1.Resource;
import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
    List<LogRecord> records = new ArrayList<>();
    for (int turn = first; turn < first + count; turn++) {
      String promptId = session.id() + "-p" + turn / 4;
      if (turn % 4 == 0) {
        records.add(event(session, turn, 0, "user_prompt", promptId)
            .addAttributes(text("prompt", PROMPTS[(turn / 4) % PROMPTS.length])).build());
      }
      long prompt = session.startTokens() + session.growth() * turn;
      long output = 300 + (turn % 5) * 40L;
      long cacheCreation = Math.min(session.growth(), prompt / 2);
      long input = 40;
      long cacheRead = prompt - input - cacheCreation;
      records.add(event(session, turn, 1, "api_request", promptId)
          .addAttributes(text("model", session.model()))
          .addAttributes(text("query_source", "main"))
          .addAttributes(integer("input_tokens", input))
          .addAttributes(integer("output_tokens", output))
          .addAttributes(integer("cache_read_tokens", cacheRead))
          .addAttributes(integer("cache_creation_tokens", cacheCreation))
          .addAttributes(real("cost_usd", (input * 3.0 + output * 15.0 + cacheRead * 0.3 + cacheCreation * 3.75) / 1e6))
          .addAttributes(integer("duration_ms", 2000 + turn % 7 * 300L)).build());
      records.add(event(session, turn, 2, "tool_result", promptId)
          .addAttributes(text("tool_name", TOOLS[turn % TOOLS.length]))
          .addAttributes(text("tool_input", TOOL_INPUTS[turn % TOOLS.length]))
          .addAttributes(text("success", "true")).build());
    }
    return Buffer.buffer(Otlp.logs(resource(session), ClaudeCode.EVENTS, records).toByteArray());
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
    return new EventHeader(List.of(text("session.id", session.id())), nanos, turn * 3 + step, promptId).record(name);
  }

  private static Resource resource(Session session) {
    Resource.Builder resource = Resource.newBuilder().addAttributes(text("service.name", ClaudeCode.SERVICE_NAME))
        .addAttributes(text("service.version", ClaudeCode.VERSION));
    if (session.project() != null) {
      resource.addAttributes(text("service.namespace", session.project()));
    }
    if (session.label() != null) {
      resource.addAttributes(text("service.instance.id", session.label()));
    }
    if (session.runId() != null) {
      resource.addAttributes(text("contextwatch.run_id", session.runId()));
    }
    if (session.parentId() != null) {
      resource.addAttributes(text("contextwatch.parent_session_id", session.parentId()));
    }
    return resource.build();
  }
}
