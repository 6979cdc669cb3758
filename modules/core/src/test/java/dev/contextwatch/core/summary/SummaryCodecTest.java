package dev.contextwatch.core.summary;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.contextwatch.core.model.ContextPrediction;
import dev.contextwatch.core.model.SessionStatus;
import dev.contextwatch.core.summary.SessionSummary.Compaction;
import dev.contextwatch.core.summary.SessionSummary.Context;
import dev.contextwatch.core.summary.SessionSummary.Errors;
import dev.contextwatch.core.summary.SessionSummary.LastError;
import dev.contextwatch.core.summary.SessionSummary.Identity;
import dev.contextwatch.core.summary.SessionSummary.SubagentRun;
import dev.contextwatch.core.summary.SessionSummary.Subagents;
import dev.contextwatch.core.summary.SessionSummary.ToolCalls;
import dev.contextwatch.core.summary.SessionSummary.Totals;
import dev.contextwatch.core.summary.SessionSummary.Usage;
import dev.contextwatch.core.cluster.WireCodecs;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class SummaryCodecTest {
  private static final Instant T0 = Instant.parse("2026-11-23T05:00:00Z");

  private static SessionSummary everyPart() {
    Identity identity = new Identity("s1", true, SessionStatus.CLOSED, "claude-code", "acme", "term-7", "user-1", "2.1.197",
        "run-1", "parent-1", true, T0, T0.plusSeconds(60), T0.plusSeconds(61), T0.plusSeconds(120));
    Usage main = new Usage(100, 200, 30_000, 400, 123_456, 5, 1);
    Usage subagent = new Usage(1, 2, 3, 4, 5, 6, 7);
    Totals totals = new Totals(new Usage(101, 202, 30_003, 404, 123_461, 11, 8), "events", 3, 42, 7, 2, 1, 310.5);
    ContextPrediction prediction = new ContextPrediction(1_000.5, 20_000.25, 12.5, null, 90.0, 4.5);
    Context context = new Context(50_000L, 60_000, "claude-sonnet-4-5", 2, true,
        List.of(new ContextPrediction.Sample(T0, 40_000), new ContextPrediction.Sample(T0.plusSeconds(30), 50_000)),
        200_000L, 167_000L, 25.0, 29.94, prediction, "observed", 167_000L, new Compaction("auto", true, 167_000L, 2_982L));
    Errors errors = new Errors(3, 1, 1, Map.of("400", 1L, "unknown", 2L),
        new LastError("api_retries_exhausted", null, "Repeated 529 Overloaded errors", 3, T0.plusSeconds(90)));
    return new SessionSummary(identity, List.of("claude-haiku-4-5", "claude-sonnet-4-5"), List.of("claude-sonnet-4-5"),
        totals, Map.of("main", main, "subagent", subagent), Map.of("claude-sonnet-4-5", main),
        Map.of("costUsd", 0.135456, "linesAdded", 42.0), Map.of("Bash", new ToolCalls(3, 2, 1)), context, "Bash", "p-9",
        "fix the build", new Subagents(Map.of("general-purpose", subagent), List.of(new SubagentRun(T0.plusSeconds(50),
            "general-purpose", "a38", 60_060L, 4L, 237.5, "claude-sonnet-4-5"), new SubagentRun(null, "Explore", null, null,
            null, null, null)), 3), List.of("fresh", "resume"), errors,
        new SessionSummary.Lifecycle("resume", T0, "other", "s0", T0.plusSeconds(40), "auto", "Worked on the parser", true,
            false), new SessionSummary.Waiting(T0.plusSeconds(95), "permission_prompt"), statusLine());
  }

  private static SessionSummary.StatusLine statusLine() {
    SessionSummary.RateLimit fiveHour = new SessionSummary.RateLimit(23.5, T0.plusSeconds(3_600));
    SessionSummary.RateLimit sevenDay = new SessionSummary.RateLimit(41.2, T0.plusSeconds(86_400));
    return new SessionSummary.StatusLine(T0.plusSeconds(59), "claude-sonnet-4-5", "2.1.332", 200_000L, 40.0, 0.1173,
        fiveHour, sevenDay, List.of(new SessionSummary.QuotaSample(T0, new SessionSummary.RateLimit(20.0, T0.plusSeconds(3_600)),
            null), new SessionSummary.QuotaSample(T0.plusSeconds(59), fiveHour, sevenDay)));
  }

  @Test
  @DisplayName("every part of a summary is read back from its JSON as it was written")
  void roundTrip() {
    SessionSummary summary = everyPart();
    JsonObject json = SummaryCodec.toJson(summary);
    assertThat(SummaryCodec.fromJson("s1", json)).isEqualTo(summary);
    assertThat(SummaryCodec.fromJson("s1", new JsonObject(json.encode()))).as("through its text").isEqualTo(summary);
    assertThat(json.getJsonObject("metrics").getLong("costMicros")).isEqualTo(135_456L);
    assertThat(json.getJsonObject("context").getDouble("growthPerRequest")).isEqualTo(1_000.5);
    assertThat(json.getBoolean("resumed")).isTrue();
    assertThat(json.getJsonObject("lifecycle").getString("endReason")).isEqualTo("other");
    assertThat(json.getJsonObject("waiting").getString("reason")).isEqualTo("permission_prompt");
    assertThat(json.getJsonObject("subagents").getJsonObject("byType").getJsonObject("general-purpose").getLong("costMicros"))
        .isEqualTo(5L);
  }

  @Test
  @DisplayName("a summary sent to another node through its wire codec comes back equal, in its one JSON form")
  void wireRoundTrip() {
    SessionSummary summary = everyPart();
    Buffer buffer = Buffer.buffer("frame header");
    int position = buffer.length();
    WireCodecs.SESSION_SUMMARY.encodeToWire(buffer, summary);
    assertThat(WireCodecs.SESSION_SUMMARY.decodeFromWire(position, buffer)).isEqualTo(summary);
  }

  @Test
  @DisplayName("a context without a known model is written without window, threshold or prediction, and read back so")
  void contextWithoutModel() {
    SessionSummary summary = everyPart();
    SessionSummary bare = new SessionSummary(summary.identity(), List.of(), List.of(), summary.totals(), Map.of(), Map.of(),
        Map.of(), Map.of(), Context.NONE, null, null, null, Subagents.NONE, List.of(), Errors.NONE,
        SessionSummary.Lifecycle.NONE, null, null);
    JsonObject context = SummaryCodec.toJson(bare).getJsonObject("context");
    assertThat(context.fieldNames()).containsExactlyInAnyOrder("tokens", "peak", "model", "compactions", "compactionSeen",
        "samples");
    assertThat(SummaryCodec.fromJson("s1", SummaryCodec.toJson(bare))).isEqualTo(bare);
  }

  @Test
  @DisplayName("a summary without subagent work or start types is written without those parts, and reads them back empty")
  void withoutSubagentsOrStarts() {
    SessionSummary summary = everyPart();
    SessionSummary fresh = new SessionSummary(summary.identity(), summary.models(), summary.oneMillionModels(),
        summary.totals(), summary.byThread(), summary.byModel(), summary.metrics(), summary.tools(), summary.context(),
        summary.lastTool(), summary.lastPromptId(), summary.lastPrompt(), Subagents.NONE, List.of(), summary.errors(),
        SessionSummary.Lifecycle.NONE, null, null);
    JsonObject json = SummaryCodec.toJson(fresh);
    assertThat(json.fieldNames()).doesNotContain("subagents", "startTypes", "resumed", "lifecycle", "waiting", "statusLine");
    assertThat(SummaryCodec.fromJson("s1", json)).isEqualTo(fresh);
    assertThat(fresh.resumed()).isFalse();
  }

  @Test
  @DisplayName("a summary stored by the version before the summary was typed is read whole and written back byte for byte the same")
  void storedByThePreviousVersion() throws Exception {
    JsonObject stored = resource("/summary/stored-before-typed.json");
    SessionSummary summary = SummaryCodec.fromJson("stored-1", stored);
    assertThat(summary.status()).isEqualTo(SessionStatus.CLOSED);
    assertThat(summary.totals().usage().costMicros()).isEqualTo(155_456L);
    assertThat(summary.totals().linesAdded()).isEqualTo(42);
    assertThat(summary.byModel()).containsOnlyKeys("claude-haiku-4-5", "claude-sonnet-4-5");
    assertThat(summary.tools().get("Read")).isEqualTo(new ToolCalls(1, 0, 1));
    assertThat(summary.context().samples()).hasSize(4);
    assertThat(summary.context().requestsLeft()).isEqualTo(8.80184331797235);
    assertThat(summary.metrics()).containsEntry("costUsd", 0.135456).doesNotContainKey("costMicros");
    assertThat(SummaryCodec.toJson(summary)).isEqualTo(stored);
    assertThat(SummaryCodec.toJson(summary).encode()).isEqualTo(stored.encode());
  }

  @Test
  @DisplayName("values of the wrong type are read as 0, null or empty, never thrown, and the session's bad fields logged in one line")
  void lenient() {
    JsonObject stored = new JsonObject("""
        {"pseudo": "yes", "status": 7, "firstSeen": 3, "closedAt": "2026-11-23T05:15:00Z", "totals": {"prompts": "NaN"},
         "byThread": {"main": {"costUsd": "NaN", "inputTokens": 5, "apiRequests": 1}, "subagent": 7},
         "metrics": {"costUsd": "Infinity", "commits": 2}, "tools": {"Bash": {"calls": "x", "successes": 1}},
         "context": {"tokens": "NaN", "samples": [{"time": "soon"}, 4], "percentOfThreshold": "full", "prediction": 3},
         "models": [1, "claude-sonnet-4-5"], "lastPrompt": ["a"], "startTypes": ["resume", 3],
         "subagents": {"byType": {"Explore": 4, "general-purpose": {"apiRequests": 2}}, "runs": [1, {"totalTokens": "many",
           "agentType": "Explore"}], "runCount": "x"}}""");
    ListAppender<ILoggingEvent> log = capture();
    try {
      SessionSummary summary = SummaryCodec.fromJson("s12", stored);
      assertThat(summary.identity().pseudo()).isFalse();
      assertThat(summary.identity().firstSeen()).isNull();
      assertThat(summary.status()).as("as every version wrote it for a closed session").isEqualTo(SessionStatus.CLOSED);
      assertThat(summary.totals().prompts()).isZero();
      assertThat(summary.byThread()).containsOnlyKeys("main");
      assertThat(summary.byThread().get("main").costMicros()).isZero();
      assertThat(summary.byThread().get("main").inputTokens()).isEqualTo(5);
      assertThat(summary.metrics()).containsEntry("costUsd", 0.0).containsEntry("commits", 2.0);
      assertThat(summary.tools().get("Bash")).isEqualTo(new ToolCalls(0, 1, 0));
      assertThat(summary.context().tokens()).isZero();
      assertThat(summary.context().samples()).isEmpty();
      assertThat(summary.context().percentOfThreshold()).isNull();
      assertThat(summary.context().prediction()).isNull();
      assertThat(summary.models()).containsExactly("claude-sonnet-4-5");
      assertThat(summary.lastPrompt()).isNull();
      assertThat(summary.startTypes()).containsExactly("resume");
      assertThat(summary.resumed()).isTrue();
      assertThat(summary.subagents().byType()).containsOnlyKeys("general-purpose");
      assertThat(summary.subagents().runs()).containsExactly(new SubagentRun(null, "Explore", null, 0L, null, null, null));
      assertThat(summary.subagents().runCount()).isZero();
      assertThat(log.list).hasSize(1);
      assertThat(log.list.get(0).getFormattedMessage()).contains("session_id=s12", "status", "pseudo", "lastPrompt",
          "context.prediction", "startTypes", "subagents.byType", "subagents.runs", "totalTokens", "runCount");
    } finally {
      release(log);
    }
  }

  @Test
  @DisplayName("a stored value that is not an object, or a summary without a status, reads as an empty summary of that session")
  void emptyOrOld() {
    SessionSummary empty = SummaryCodec.fromJson("s13", "not an object");
    assertThat(empty.sessionId()).isEqualTo("s13");
    assertThat(empty.status()).isEqualTo(SessionStatus.ACTIVE);
    assertThat(empty.totals().usage()).isEqualTo(Usage.NONE);
    assertThat(empty.context()).isEqualTo(Context.NONE);
    assertThat(empty.errors()).isEqualTo(Errors.NONE);
  }

  @Test
  @DisplayName("an unknown threshold source and a damaged compaction or error are read as null or zero and logged, never thrown")
  void lenientCompactionAndErrors() {
    JsonObject stored = new JsonObject("""
        {"context": {"thresholdSource": "guessed", "observedThreshold": "many", "lastCompaction": {"preTokens": "195098",
          "postTokens": 2982, "trigger": "auto", "success": true}},
         "errors": {"apiErrors": 2, "retriesExhausted": "one", "byStatus": {"400": "x", "529": 1}, "last": 5}}""");
    ListAppender<ILoggingEvent> log = capture();
    try {
      SessionSummary summary = SummaryCodec.fromJson("s14", stored);
      assertThat(summary.context().thresholdSource()).isNull();
      assertThat(summary.context().observedThreshold()).isZero();
      assertThat(summary.context().lastCompaction()).isEqualTo(new Compaction("auto", true, 0L, 2_982L));
      assertThat(summary.errors().apiErrors()).isEqualTo(2);
      assertThat(summary.errors().retriesExhausted()).isZero();
      assertThat(summary.errors().byStatus()).containsEntry("400", 0L).containsEntry("529", 1L);
      assertThat(summary.errors().last()).isNull();
      assertThat(log.list).hasSize(1);
      assertThat(log.list.get(0).getFormattedMessage()).contains("session_id=s14", "context.thresholdSource", "errors.last");
    } finally {
      release(log);
    }
  }

  private static JsonObject resource(String name) throws Exception {
    try (InputStream in = SummaryCodecTest.class.getResourceAsStream(name)) {
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  private static ListAppender<ILoggingEvent> capture() {
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    ((Logger) LoggerFactory.getLogger(LenientReader.class)).addAppender(appender);
    return appender;
  }

  private static void release(ListAppender<ILoggingEvent> appender) {
    ((Logger) LoggerFactory.getLogger(LenientReader.class)).detachAppender(appender);
  }
}
