package dev.contextwatch.processor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.core.model.ClientJson;
import dev.contextwatch.core.model.EventRecord;
import dev.contextwatch.core.model.SessionStatus;
import dev.contextwatch.core.model.MetricPoint.MetricType;
import dev.contextwatch.core.model.MetricPoint.Temporality;
import dev.contextwatch.core.model.MetricPoint;
import dev.contextwatch.core.config.CompactionThresholds;
import dev.contextwatch.core.model.Models;
import dev.contextwatch.core.model.Origin;
import dev.contextwatch.core.model.RecordBatch;
import dev.contextwatch.core.model.Signal;
import dev.contextwatch.core.model.StoreBatch.SeriesState;
import dev.contextwatch.core.model.StoreBatch.SessionRow;
import dev.contextwatch.core.model.StoreBatch;
import dev.contextwatch.core.summary.SessionSummary;
import dev.contextwatch.core.summary.SummaryCodec;
import dev.contextwatch.processor.source.SourceAdapters;
import dev.contextwatch.processor.source.UsageFact;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SessionProcessorTest {
  private static final Instant T0 = Instant.parse("2026-11-23T05:00:00Z");
  private static final Origin ORIGIN = new Origin(new JsonObject()
      .put("service.name", "claude-code").put("service.namespace", "acme").put("service.instance.id", "term-7")
      .put("contextwatch.run_id", "run-1"), "com.anthropic.claude_code.events", "2.1.197");

  /** No project's compaction seen. */
  private static final ProjectThresholds NOTHING_LEARNT = new ProjectThresholds(1);

  private final SessionProcessor processor = new SessionProcessor(Models.load(""),
      new SessionAttributes("contextwatch.run_id", "contextwatch.parent_session_id"), 200, CompactionThresholds.NONE);
  private final Map<String, SessionState> sessions = new HashMap<>();
  private final Map<String, SeriesState> series = new HashMap<>();
  private int sequence;

  /** The summary's JSON, as stored and published. */
  private static JsonObject json(SessionState s, Models models) {
    return SummaryCodec.toJson(SessionSummaries.toSummary(s, models, CompactionThresholds.NONE, NOTHING_LEARNT));
  }

  private static SessionRow row(SessionState s, Models models) {
    return SessionSummaries.toRow(SessionSummaries.toSummary(s, models, CompactionThresholds.NONE, NOTHING_LEARNT), s.version);
  }

  @Test
  @DisplayName("identity, project, label and run come from the resource; tools and prompts are counted")
  void identityAndTools() {
    SessionState s = apply(event("s1", "user_prompt", Map.of("prompt", "<REDACTED>")),
        event("s1", "tool_result", Map.of("tool_name", "Bash", "success", "true")),
        event("s1", "tool_result", Map.of("tool_name", "Bash", "success", false)),
        request("s1", "main", "claude-sonnet-4-5", 1_000, 50));
    assertThat(s.project).isEqualTo("acme");
    assertThat(s.label).isEqualTo("term-7");
    assertThat(s.runId).isEqualTo("run-1");
    assertThat(s.prompts).isEqualTo(1);
    assertThat(s.lastPrompt).isNull();
    assertThat(s.tools.get("Bash").calls).isEqualTo(2);
    assertThat(s.tools.get("Bash").successes).isEqualTo(1);
    assertThat(s.tools.get("Bash").failures).isEqualTo(1);
    assertThat(s.lastTool).isEqualTo("Bash");
  }

  @Test
  @DisplayName("records of one batch under one resource each take the resource's identity first, then their own attributes; their own user.id wins")
  void identityPerRecordUnderSharedResource() {
    Origin withUser = new Origin(new JsonObject().put("service.name", "claude-code").put("user.id", "u-resource"), "scope", null);
    EventRecord a = event("shared-a", "user_prompt", Map.of("user.id", "u-a", "service.version", "2.1.197", "service.namespace", "other"));
    EventRecord b = event("shared-b", "user_prompt", Map.of("user.id", "u-b"));
    EventRecord c = event("shared-c", "user_prompt", Map.of(), withUser);
    EventRecord d = event("shared-c", "user_prompt", Map.of("user.id", "u-own"), withUser);
    processor.apply(BatchPlan.of(batch(List.of(a, b, c, d), List.of()), key -> false),
        sessions, series, T0);
    assertThat(sessions.get("shared-a")).extracting(s -> s.project, s -> s.userId, s -> s.clientVersion)
        .containsExactly("acme", "u-a", "2.1.197");
    assertThat(sessions.get("shared-b")).extracting(s -> s.project, s -> s.userId, s -> s.clientVersion)
        .containsExactly("acme", "u-b", null);
    assertThat(sessions.get("shared-c")).extracting(s -> s.project, s -> s.userId, s -> s.serviceName)
        .containsExactly(null, "u-own", "claude-code");
  }

  @Test
  @DisplayName("a session is synthetic once a record or its resource says contextwatch.synthetic=true, and stays so through its row and summary")
  void synthetic() {
    SessionState real = apply(request("real", "main", "claude-sonnet-4-5", 1_000, 50));
    assertThat(real.synthetic).isFalse();
    assertThat(row(real, Models.load("")).synthetic()).isFalse();
    SessionState simulated = apply(event("sim", "user_prompt", Map.of("contextwatch.synthetic", "true")),
        request("sim", "main", "claude-sonnet-4-5", 1_000, 50));
    assertThat(simulated.synthetic).isTrue();
    assertThat(row(simulated, Models.load("")).synthetic()).isTrue();
    JsonObject summary = SummaryCodec.toJson(processor.summary(simulated));
    assertThat(summary.getBoolean("synthetic")).isTrue();
    assertThat(SessionSummaries.fromJson("sim", summary, 1, 200).synthetic).isTrue();
  }

  @Test
  @DisplayName("subagent and auxiliary requests count in the totals but never move the main context")
  void threadsKeptApart() {
    SessionState s = apply(request("s2", "sdk", "claude-sonnet-4-5", 40_000, 10),
        request("s2", "subagent", "claude-haiku-4-5", 90_000, 10),
        request("s2", "auxiliary", "claude-haiku-4-5", 500, 10));
    assertThat(s.context.tokens).isEqualTo(40_000);
    assertThat(s.byThread.get("main").apiRequests).isEqualTo(1);
    assertThat(s.byThread.get("subagent").cacheReadTokens).isEqualTo(89_800);
    assertThat(s.byThread.get("auxiliary").apiRequests).isEqualTo(1);
    assertThat(s.totals().cacheReadTokens).isEqualTo(39_800 + 89_800 + 300);
    assertThat(s.totals().apiRequests).isEqualTo(3);
  }

  @Test
  @DisplayName("an interactive session's main thread (query_source repl_main_thread, as 2.1.332 sends it in a terminal) moves the context; its title request stays auxiliary")
  void interactiveMainThread() {
    SessionState s = apply(request("s2i", "repl_main_thread", "claude-opus-5-5", 30_000, 10),
        request("s2i", "generate_session_title", "claude-opus-5-5", 500, 10));
    assertThat(s.context.tokens).isEqualTo(30_000);
    assertThat(s.byThread.get("main").apiRequests).isEqualTo(1);
    assertThat(s.byThread.get("auxiliary").apiRequests).isEqualTo(1);
  }

  @Test
  @DisplayName("a subagent's requests count under its type; its finished runs are kept, the latest maxKeys of all; start types too; all survive a restart")
  void subagentsAndStarts() {
    SessionProcessor small = new SessionProcessor(Models.load(""),
        new SessionAttributes("contextwatch.run_id", "contextwatch.parent_session_id"), 2, CompactionThresholds.NONE);
    Map<String, SessionState> states = new HashMap<>();
    List<EventRecord> events = List.of(request("s14", "sdk", "claude-opus-5-5", 40_000, 10),
        request("s14", "agent:builtin:general-purpose", "claude-sonnet-4-5", 20_000, 10),
        request("s14", "agent:builtin:Explore", "claude-sonnet-4-5", 10_000, 10),
        request("s14", "agent:builtin:Explore", "claude-sonnet-4-5", 12_000, 10),
        request("s14", "compact", "claude-opus-5-5", 50_000, 10),
        completed("s14", "general-purpose", "a1"), completed("s14", "Explore", "a2"), completed("s14", "Explore", "a3"));
    List<MetricPoint> points = List.of(start("s14", "fresh"), start("s14", "resume"));
    small.apply(BatchPlan.of(batch(events, points), key -> false), states, series, T0);
    SessionState s = states.get("s14");

    assertThat(s.context.tokens).as("only the main thread moves the context").isEqualTo(40_000);
    assertThat(s.byThread.get("subagent").apiRequests).isEqualTo(3);
    assertThat(s.byThread.get("auxiliary").apiRequests).isEqualTo(1);
    assertThat(s.bySubagentType).containsOnlyKeys("Explore", "general-purpose");
    assertThat(s.bySubagentType.get("Explore").apiRequests).isEqualTo(2);
    assertThat(s.bySubagentType.get("Explore").costMicros).isEqualTo(20_000);
    assertThat(s.subagentRuns).extracting(SessionSummary.SubagentRun::agentId).containsExactly("a2", "a3");
    assertThat(s.subagentRunCount).isEqualTo(3);
    assertThat(s.startTypes).containsExactly("fresh", "resume");
    SessionSummary summary = SessionSummaries.toSummary(s, small.models(), CompactionThresholds.NONE, NOTHING_LEARNT);
    assertThat(summary.resumed()).isTrue();
    assertThat(summary.subagents().runs().get(0)).isEqualTo(new SessionSummary.SubagentRun(T0.plusSeconds(sequence - 2),
        "Explore", "a2", 60_060L, 4L, 237.0, "claude-sonnet-4-5"));
    assertThat(json(SessionSummaries.fromJson("s14", json(s, small.models()), 1, 2), small.models()))
        .isEqualTo(json(s, small.models()));
  }

  @Test
  @DisplayName("a drop by more than half between two main requests is a compaction, and the growth starts again")
  void compactionByDrop() {
    SessionState s = apply(request("s3", "main", "claude-sonnet-4-5", 100_000, 1),
        request("s3", "main", "claude-sonnet-4-5", 140_000, 1),
        request("s3", "main", "claude-sonnet-4-5", 30_000, 1));
    assertThat(s.context.compactions).isEqualTo(1);
    assertThat(s.context.tokens).isEqualTo(30_000);
    assertThat(s.context.peak).isEqualTo(140_000);
    assertThat(s.context.recent).hasSize(1);
  }

  @Test
  @DisplayName("a compaction event counts once even when the next request also shows the drop")
  void compactionEvent() {
    SessionState s = apply(request("s4", "main", "claude-sonnet-4-5", 160_000, 1),
        event("s4", "compaction", Map.of("trigger", "auto", "pre_tokens", 160_000, "post_tokens", 20_000)),
        request("s4", "main", "claude-sonnet-4-5", 25_000, 1));
    assertThat(s.context.compactions).isEqualTo(1);
    assertThat(s.context.tokens).isEqualTo(25_000);
  }

  @Test
  @DisplayName("a compaction sent with its numbers as strings (2.1.332) sets the context to its post_tokens until the next request, and its pre_tokens becomes the session's threshold")
  void compactionWithStrings() {
    SessionState s = apply(request("s4b", "sdk", "claude-sonnet-4-5", 190_000, 1),
        event("s4b", "compaction", Map.of("trigger", "auto", "success", "true", "pre_tokens", "195098", "post_tokens", "2982")));
    SessionSummary.Context context = processor.summary(s).context();
    assertThat(context.compactions()).isEqualTo(1);
    assertThat(context.tokens()).isEqualTo(2_982L);
    assertThat(context.lastCompaction()).isEqualTo(new SessionSummary.Compaction("auto", true, 195_098L, 2_982L));
    assertThat(context.threshold()).isEqualTo(195_098L);
    assertThat(context.thresholdSource()).isEqualTo("observed");
    s = apply(request("s4b", "sdk", "claude-sonnet-4-5", 30_000, 1));
    assertThat(processor.summary(s).context().tokens()).isEqualTo(30_000L);
    assertThat(processor.summary(s).context().compactions()).as("the request after says no more compaction").isEqualTo(1);
  }

  @Test
  @DisplayName("a manual compaction or one that failed teaches no threshold; a failed one is no compaction")
  void compactionNotLearnt() {
    SessionState s = apply(request("s4c", "sdk", "claude-sonnet-4-5", 100_000, 1),
        event("s4c", "compaction", Map.of("trigger", "manual", "pre_tokens", 100_000, "post_tokens", 3_000)),
        request("s4c", "sdk", "claude-sonnet-4-5", 120_000, 1),
        event("s4c", "compaction", Map.of("trigger", "auto", "success", false, "pre_tokens", "120000")));
    SessionSummary.Context context = processor.summary(s).context();
    assertThat(context.compactions()).isEqualTo(1);
    assertThat(context.tokens()).isEqualTo(120_000L);
    assertThat(context.lastCompaction().success()).isFalse();
    assertThat(context.threshold()).isEqualTo(167_000L);
    assertThat(context.thresholdSource()).isEqualTo("formula");
  }

  @Test
  @DisplayName("a threshold set for the session or its project wins over the observed one and the model's")
  void configuredThreshold() {
    SessionProcessor configured = new SessionProcessor(Models.load(""),
        new SessionAttributes("contextwatch.run_id", "contextwatch.parent_session_id"), 200,
        new CompactionThresholds(Map.of("s4d", 120_000L), Map.of("acme", 150_000L)));
    SessionState s = apply(request("s4d", "sdk", "claude-sonnet-4-5", 60_000, 1),
        event("s4d", "compaction", Map.of("trigger", "auto", "pre_tokens", 190_000, "post_tokens", 3_000)),
        request("s4d", "sdk", "claude-sonnet-4-5", 60_000, 1));
    assertThat(configured.summary(s).context().threshold()).isEqualTo(120_000L);
    assertThat(configured.summary(s).context().thresholdSource()).isEqualTo("configured");
    assertThat(configured.summary(s).context().percentOfThreshold()).isEqualTo(50.0);
    SessionState other = apply(request("s4e", "sdk", "claude-sonnet-4-5", 60_000, 1));
    assertThat(configured.summary(other).context().threshold()).as("the project's").isEqualTo(150_000L);
  }

  @Test
  @DisplayName("the client's status line gives the session's window (its threshold computed on it, source client), its cost and the plan's limits; kept through a restart")
  void statusLineWindowAndLimits() {
    SessionState s = apply(request("s4f", "sdk", "claude-sonnet-4-5", 60_000, 1),
        statusLine("s4f", 1_000_000, 6.0, Map.of("rate_limits.five_hour.used_percentage", 23.5,
            "rate_limits.five_hour.resets_at", 1_795_996_800L, "rate_limits.seven_day.used_percentage", "41",
            "rate_limits.seven_day.resets_at", 1_796_400_000L)));
    SessionSummary summary = processor.summary(s);
    assertThat(summary.context().window()).isEqualTo(1_000_000L);
    assertThat(summary.context().threshold()).as("the formula on the client's window").isEqualTo(967_000L);
    assertThat(summary.context().thresholdSource()).isEqualTo("client");
    SessionSummary.StatusLine line = summary.statusLine();
    assertThat(line.model()).isEqualTo("claude-sonnet-4-5");
    assertThat(line.version()).isEqualTo("2.1.332");
    assertThat(line.usedPercentage()).isEqualTo(6.0);
    assertThat(line.costUsd()).isEqualTo(0.1173);
    assertThat(line.fiveHour()).isEqualTo(new SessionSummary.RateLimit(23.5, Instant.ofEpochSecond(1_795_996_800L)));
    assertThat(line.sevenDay()).isEqualTo(new SessionSummary.RateLimit(41.0, Instant.ofEpochSecond(1_796_400_000L)));
    assertThat(line.quotaSamples()).hasSize(1);

    SessionState restored = SessionSummaries.fromJson("s4f", SummaryCodec.toJson(summary), 1, 200);
    assertThat(processor.summary(restored).context().threshold()).isEqualTo(967_000L);
    assertThat(processor.summary(restored).statusLine()).isEqualTo(line);

    s = apply(event("s4f", "compaction", Map.of("trigger", "auto", "pre_tokens", 900_000, "post_tokens", 3_000)));
    assertThat(processor.summary(s).context().thresholdSource()).as("observed outranks the client's window").isEqualTo("observed");
  }

  @Test
  @DisplayName("a status line without limits (an API key) keeps none; unreadable numbers are left out, never refused; a session seen only by its status line gets its model and context from it")
  void statusLineAlone() {
    SessionState s = apply(statusLine("s4g", 200_000, 40.0, Map.of("context_window.current_usage.input_tokens", 500,
        "context_window.current_usage.cache_read_input_tokens", 76_000,
        "context_window.current_usage.cache_creation_input_tokens", 3_500, "rate_limits.five_hour.used_percentage", "lots")));
    SessionSummary summary = processor.summary(s);
    assertThat(summary.statusLine().fiveHour()).isNull();
    assertThat(summary.statusLine().quotaSamples()).isEmpty();
    assertThat(summary.context().tokens()).isEqualTo(80_000L);
    assertThat(summary.context().model()).isEqualTo("claude-sonnet-4-5");
    assertThat(summary.context().percentOfWindow()).isEqualTo(40.0);
    SessionState bad = apply(statusLine("s4h", -5, Double.NaN, Map.of()));
    assertThat(processor.summary(bad).statusLine().window()).isNull();
    assertThat(processor.summary(bad).statusLine().usedPercentage()).isNull();
  }

  @Test
  @DisplayName("a session that has not compacted takes the threshold its project's committed sessions of its model and client version compacted at, before the model table; its own compaction then wins")
  void projectThreshold() {
    SessionState compacted = apply(request("s4f", "sdk", "claude-sonnet-4-5", 190_000, 1),
        event("s4f", "compaction", Map.of("trigger", "auto", "pre_tokens", "195098", "post_tokens", "2982")));
    SessionState fresh = apply(request("s4g", "sdk", "claude-sonnet-4-5", 60_000, 1));
    assertThat(processor.summary(fresh).context().thresholdSource()).as("nothing committed yet").isEqualTo("formula");

    processor.learn(processor.summary(compacted));
    SessionSummary.Context context = processor.summary(fresh).context();
    assertThat(context.threshold()).isEqualTo(195_098L);
    assertThat(context.thresholdSource()).isEqualTo("project");
    assertThat(context.observedThreshold()).as("not seen in this session").isNull();
    SessionState otherModel = apply(request("s4h", "sdk", "claude-haiku-4-5", 60_000, 1));
    assertThat(processor.summary(otherModel).context().thresholdSource()).as("another model").isEqualTo("formula");

    fresh = apply(event("s4g", "compaction", Map.of("trigger", "auto", "pre_tokens", 180_000, "post_tokens", 3_000)));
    assertThat(processor.summary(fresh).context().threshold()).isEqualTo(180_000L);
    assertThat(processor.summary(fresh).context().thresholdSource()).isEqualTo("observed");
  }

  @Test
  @DisplayName("api_error is counted by status with its message cut and attempt, prompt too long apart, and api_retries_exhausted counted")
  void errorsCounted() {
    SessionState s = apply(event("s4f", "api_error", Map.of("status_code", 400, "attempt", 1, "query_source", "sdk",
            "error", "prompt is too long: 220000 tokens > 200000 maximum")),
        event("s4f", "api_error", Map.of("attempt", "3", "error", "x".repeat(5_000))),
        event("s4f", "api_retries_exhausted", Map.of("error", "Repeated 529 Overloaded errors", "total_attempts", 3)));
    SessionSummary.Errors errors = processor.summary(s).errors();
    assertThat(errors.apiErrors()).isEqualTo(2);
    assertThat(errors.promptTooLong()).isEqualTo(1);
    assertThat(errors.retriesExhausted()).isEqualTo(1);
    assertThat(errors.byStatus()).containsExactlyInAnyOrderEntriesOf(Map.of("400", 1L, "unknown", 1L));
    assertThat(errors.last()).usingRecursiveComparison().ignoringFields("time").isEqualTo(new SessionSummary.LastError(
        "api_retries_exhausted", null, "Repeated 529 Overloaded errors", 3, null));
    assertThat(s.byThread.get("main").apiErrors).isEqualTo(2);
    SessionState back = SessionSummaries.fromJson("s4f", SummaryCodec.toJson(processor.summary(s)), 1, 200);
    assertThat(processor.summary(back).errors()).as("read back after a restart").isEqualTo(errors);
    SessionState cut = apply(event("s4g", "api_error", Map.of("attempt", "3", "error", "x".repeat(5_000))));
    assertThat(processor.summary(cut).errors().last().message()).hasSize(RequestErrors.MAX_MESSAGE_CHARS);
    assertThat(processor.summary(cut).errors().last().attempt()).isEqualTo(3);
    SessionState many = apply(java.util.stream.IntStream.range(0, 100)
        .mapToObj(i -> event("s4h", "api_error", Map.of("status_code", 400 + i))).toArray(EventRecord[]::new));
    assertThat(processor.summary(many).errors().byStatus()).hasSize(RequestErrors.MAX_STATUSES + 1)
        .containsEntry(SessionState.OTHER, 100L - RequestErrors.MAX_STATUSES);
  }

  @Test
  @DisplayName("records without session.id go to a pseudo-session per user.id and service.instance.id")
  void pseudoSession() {
    EventRecord anonymous = new EventRecord(T0, null, null, "api_request", 0L, null, "claude-sonnet-4-5", 10L, 1L, 0L, 0L,
        10_000L, 5.0, 9, null, null, null, null, ORIGIN, new JsonObject().put("user.id", "u-9"), "anon-1");
    BatchPlan plan = BatchPlan.of(batch(List.of(anonymous), List.of()), key -> false);
    processor.apply(plan, sessions, series, T0);
    assertThat(sessions).containsOnlyKeys("pseudo:u-9/term-7");
    assertThat(sessions.get("pseudo:u-9/term-7").pseudo).isTrue();
    assertThat(plan.events.get(0).sessionId()).isEqualTo("pseudo:u-9/term-7");
  }

  @Test
  @DisplayName("records already stored or repeated within the batch are dropped before the database and counted")
  void dedup() {
    EventRecord a = request("s5", "main", "claude-sonnet-4-5", 1_000, 1);
    EventRecord b = request("s5", "main", "claude-sonnet-4-5", 2_000, 1);
    BatchPlan plan = BatchPlan.of(batch(List.of(a, a, b), List.of()), Set.of(b.dedupKey())::contains);
    assertThat(plan.events).containsExactly(a);
    assertThat(plan.duplicates).isEqualTo(2);
  }

  @Test
  @DisplayName("a batch is planned once: its lock keys name its sessions and series, and each attempt only drops what is stored by then")
  void plannedOnce() {
    EventRecord a = request("s11", "main", "claude-sonnet-4-5", 1_000, 1);
    MetricPoint cumulative = point("s12", "claude_code.token.usage", "input", 1_000, 2_000, 500);
    BatchRecords records = BatchRecords.of(batch(List.of(a), List.of(cumulative)), SourceAdapters.known());
    String seriesKey = Canonical.seriesKey(ORIGIN.resource(), "claude_code.token.usage", cumulative.attributes());

    assertThat(records.lockKeys()).containsExactlyInAnyOrder("session:s11", "session:s12", "series:" + seriesKey);
    assertThat(records.plan(key -> false, Set.of()).sessionIds).containsExactly("s11", "s12");
    BatchPlan retried = records.plan(Set.of(a.dedupKey())::contains, Set.of());
    assertThat(retried.events).isEmpty();
    assertThat(retried.sessionIds).containsExactly("s12");
    assertThat(retried.seriesKeys).containsExactly(seriesKey);
  }

  @Test
  @DisplayName("a session that sends only metrics takes its totals from the metric deltas; a [1m] model means a 1M window")
  void metricsOnly() {
    MetricPoint first = point("s6", "claude_code.token.usage", "input", 1_000, 2_000, 500);
    MetricPoint second = point("s6", "claude_code.token.usage", "input", 1_000, 3_000, 1_200);
    BatchPlan plan = BatchPlan.of(batch(List.of(), List.of(first, second)), key -> false);
    StoreBatch stored = processor.apply(plan, sessions, series, T0).store();
    SessionState s = sessions.get("s6");
    assertThat(stored.points()).extracting(MetricPoint::delta).containsExactly(500.0, 700.0);
    assertThat(stored.series()).hasSize(1);
    assertThat(s.totalsFromEvents()).isFalse();
    assertThat(s.totals().inputTokens).isEqualTo(1_200);
    assertThat(s.oneMillionModels).containsExactly("claude-opus-4-8");
    assertThat(stored.sessions().get(0).inputTokens()).isEqualTo(1_200);
  }

  @Test
  @DisplayName("a session's summary read back after a restart is the same state")
  void roundTrip() {
    SessionState s = apply(request("s7", "main", "claude-sonnet-4-5", 50_000, 10),
        request("s7", "main", "claude-sonnet-4-5", 60_000, 10),
        event("s7", "tool_result", Map.of("tool_name", "Read", "success", true)));
    Models models = processor.models();
    assertThat(json(SessionSummaries.fromJson("s7", json(s, models), 0, 200), models))
        .isEqualTo(json(s, models));
  }

  @Test
  @DisplayName("a session's summary is written exactly as the version before the summary was typed wrote it, with where its threshold came from")
  void summaryAsBefore() throws Exception {
    SessionState s = apply(event("stored-1", "user_prompt", Map.of("prompt", "fix the failing build, then run the tests")),
        request("stored-1", "main", "claude-sonnet-4-5", 40_000, 120),
        event("stored-1", "tool_result", Map.of("tool_name", "Bash", "success", "true")),
        event("stored-1", "tool_result", Map.of("tool_name", "Read", "success", false)),
        request("stored-1", "main", "claude-sonnet-4-5", 52_000, 300, 123_456L),
        request("stored-1", "subagent", "claude-haiku-4-5", 8_000, 40, 2_000L),
        request("stored-1", "main", "claude-sonnet-4-5", 66_000, 500),
        request("stored-1", "main", "claude-sonnet-4-5", 71_500, 200));
    processor.apply(BatchPlan.of(batch(List.of(), List.of(
        point("stored-1", "claude_code.cost.usage", "x", 1_000, 2_000, 0.135456),
        point("stored-1", "claude_code.lines_of_code.count", "added", 1_000, 2_000, 42))), key -> false), sessions, series, T0);
    s.closedAt = T0.plusSeconds(900);
    JsonObject before;
    try (java.io.InputStream in = getClass().getResourceAsStream("/summary/stored-before-typed.json")) {
      before = new JsonObject(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
    }
    JsonObject now = withoutThresholdSource(json(s, processor.models()));
    JsonObject subagents = (JsonObject) now.remove("subagents");
    assertThat(subagents.getJsonObject("byType").getMap()).as("the one part added since: the subagent request, of no named type")
        .containsOnlyKeys("unnamed");
    assertThat(subagents.getJsonObject("byType").getJsonObject("unnamed")).isEqualTo(now.getJsonObject("byThread").getJsonObject("subagent"));
    assertThat(now.encode()).isEqualTo(before.encode());
    assertThat(withoutThresholdSource(json(SessionSummaries.fromJson("stored-1", before, 4, 200), processor.models())))
        .as("read back as written").isEqualTo(before);
  }

  /** The summary without the one key added since (where the threshold came from: here the formula). */
  private static JsonObject withoutThresholdSource(JsonObject summary) {
    assertThat(summary.getJsonObject("context").remove("thresholdSource")).isEqualTo("formula");
    return summary;
  }

  @Test
  @DisplayName("a record whose application throws is named and its session left out of the batch; the other sessions' records are stored")
  void failingRecordFailsItsSessionOnly() {
    EventRecord fine = request("s8", "main", "claude-sonnet-4-5", 1_000, 10);
    EventRecord bare = new EventRecord(T0, null, "s9", "api_request", 1L, "p", null, 1L, 1L, 1L, 1L, 0L, null, 9, null,
        null, null, null, ORIGIN, null, "s9-bare");
    EventRecord sibling = request("s9", "main", "claude-sonnet-4-5", 2_000, 10);
    SessionProcessor.Outcome outcome = processor.apply(BatchPlan.of(batch(List.of(fine, bare, sibling), List.of()), key -> false),
        sessions, series, T0);
    assertThat(outcome.failed()).containsExactly("s9-bare");
    assertThat(outcome.damaged()).containsExactly("s9");
    assertThat(outcome.unapplied()).isEqualTo(2);
    assertThat(outcome.store().events()).containsExactly(fine);
    assertThat(outcome.store().sessions()).extracting(StoreBatch.SessionRow::sessionId).containsExactly("s8");
    assertThat(outcome.sessions()).containsOnlyKeys("s8");
  }

  @Test
  @DisplayName("a session whose summary cannot be built fails alone, without naming a record")
  void failingSummaryFailsItsSessionOnly() {
    SessionState broken = new SessionState("s10", false, 200);
    broken.context.model = "claude-sonnet-4-5";
    broken.context.tokens = 1_000L;
    broken.context.recent.add(new dev.contextwatch.core.model.ContextPrediction.Sample(null, 1));
    sessions.put("s10", broken);
    SessionProcessor.Outcome outcome = processor.apply(BatchPlan.of(batch(List.of(
        event("s10", "user_prompt", Map.of()), request("s11", "main", "claude-sonnet-4-5", 1_000, 10)), List.of()),
        key -> false), sessions, series, T0);
    assertThat(outcome.failed()).isEmpty();
    assertThat(outcome.damaged()).containsExactly("s10");
    assertThat(outcome.unapplied()).isEqualTo(1);
    assertThat(outcome.store().sessions()).extracting(StoreBatch.SessionRow::sessionId).containsExactly("s11");
  }

  @Test
  @DisplayName("costs add in micro-dollars, exactly: 0.1 + 0.2 dollars is 0.3 in the totals, per thread and per model, and in the stored row")
  void costsAddExactly() {
    SessionState s = apply(request("s14", "main", "claude-sonnet-4-5", 1_000, 10, 100_000L),
        request("s14", "subagent", "claude-sonnet-4-5", 1_000, 10, 200_000L),
        request("s14", "main", "claude-sonnet-4-5", 1_000, 10, null));
    JsonObject json = json(s, Models.load(""));
    assertThat(json.getJsonObject("totals").getValue("costUsd")).isEqualTo(0.3);
    assertThat(json.getJsonObject("totals").getLong("costMicros")).isEqualTo(300_000L);
    assertThat(json.getJsonObject("byThread").getJsonObject("main").getLong("costMicros")).isEqualTo(100_000L);
    assertThat(json.getJsonObject("byModel").getJsonObject("claude-sonnet-4-5").getValue("costUsd")).isEqualTo(0.3);
    assertThat(row(s, Models.load("")).costUsd()).isEqualTo(0.3);
  }

  @Test
  @DisplayName("a summary stored before costs were micro-dollars (costUsd only, as the doubles added up) reads back to the nearest micro-dollar")
  void costsOfAnOlderSummary() {
    JsonObject stored = new JsonObject("""
        {"totals": {"costUsd": 0.42052500000000004, "apiRequests": 3},
         "byThread": {"main": {"costUsd": 0.42052500000000004, "apiRequests": 3}},
         "byModel": {"claude-sonnet-4-5": {"costUsd": 0.42052500000000004, "apiRequests": 3}},
         "metrics": {"costUsd": 0.42052500000000004}}""");
    SessionState s = SessionSummaries.fromJson("s15", stored, 1, 200);
    assertThat(s.byThread.get("main").costMicros).isEqualTo(420_525L);
    sessions.put("s15", s);
    JsonObject json = json(apply(request("s15", "main", "claude-sonnet-4-5", 1_000, 10, 100_000L)), Models.load(""));
    assertThat(json.getJsonObject("totals").getValue("costUsd")).isEqualTo(0.520525);
    assertThat(json.getJsonObject("totals").getLong("costMicros")).isEqualTo(520_525L);
    assertThat(json.getJsonObject("byModel").getJsonObject("claude-sonnet-4-5").getLong("costMicros")).isEqualTo(520_525L);
    assertThat(json.getJsonObject("metrics").getValue("costUsd")).isEqualTo(0.420525);
    assertThat(json.getJsonObject("metrics").getLong("costMicros")).isEqualTo(420_525L);
    assertThat(json(SessionSummaries.fromJson("s15", json, 2, 200), Models.load(""))).as("read back as written")
        .isEqualTo(json);
  }

  @Test
  @DisplayName("a summary holding strings where numbers belong (an older version's \"NaN\") is read as 0 there, never thrown")
  void lenientRead() {
    JsonObject stored = new JsonObject("""
        {"pseudo": "yes", "firstSeen": 3, "totals": {"prompts": "NaN"},
         "byThread": {"main": {"costUsd": "NaN", "inputTokens": 5, "apiRequests": 1}, "subagent": 7},
         "metrics": {"costUsd": "Infinity", "commits": 2}, "tools": {"Bash": {"calls": "x", "successes": 1}},
         "context": {"tokens": "NaN", "samples": [{"time": "soon"}, 4]}, "models": [1, "claude-sonnet-4-5"]}""");
    SessionState s = SessionSummaries.fromJson("s12", stored, 3, 200);
    assertThat(s.version).isEqualTo(3);
    assertThat(s.pseudo).isFalse();
    assertThat(s.firstSeen).isNull();
    assertThat(s.byThread.get("main").costMicros).isZero();
    assertThat(s.byThread.get("main").inputTokens).isEqualTo(5);
    assertThat(s.byThread).containsOnlyKeys("main");
    assertThat(s.metrics).containsEntry("costUsd", 0.0).containsEntry("commits", 2.0);
    assertThat(s.tools.get("Bash").calls).isZero();
    assertThat(s.context.tokens).isZero();
    assertThat(s.context.recent).isEmpty();
    assertThat(s.models).containsExactly("claude-sonnet-4-5");
  }

  @Test
  @DisplayName("tools and models beyond the per-session cap are counted under other, and long names are cut")
  void keysCapped() {
    SessionProcessor small = new SessionProcessor(Models.load(""),
        new SessionAttributes("contextwatch.run_id", "contextwatch.parent_session_id"), 2, CompactionThresholds.NONE);
    Map<String, SessionState> states = new HashMap<>();
    List<EventRecord> events = List.of(event("s13", "tool_result", Map.of("tool_name", "A")),
        event("s13", "tool_result", Map.of("tool_name", "B".repeat(500))),
        event("s13", "tool_result", Map.of("tool_name", "C")), event("s13", "tool_result", Map.of("tool_name", "D")),
        event("s13", "tool_result", Map.of("tool_name", "A")));
    small.apply(BatchPlan.of(batch(events, List.of()), key -> false), states, series, T0);
    SessionState s = states.get("s13");
    assertThat(s.tools).containsOnlyKeys("A", "B".repeat(SessionState.MAX_KEY_CHARS), SessionState.OTHER);
    assertThat(s.tools.get("A").calls).isEqualTo(2);
    assertThat(s.tools.get(SessionState.OTHER).calls).isEqualTo(2);
  }

  @Test
  @DisplayName("metric totals of 1e308 + 1e308 stop at the largest finite double; the summary holds no Infinity")
  void metricTotalsSaturate() {
    SessionState s = new SessionState("s13", false, 200);
    s.apply(new UsageFact.MetricDelta(UsageFact.MetricTotal.COST_USD, 1e308), T0, "k1");
    s.apply(new UsageFact.MetricDelta(UsageFact.MetricTotal.COST_USD, 1e308), T0, "k2");

    assertThat(s.metrics.get("costUsd")).isEqualTo(Double.MAX_VALUE);
    assertThat(json(s, Models.load("")).encode()).doesNotContain("Infinity");
  }

  @Test
  @DisplayName("an unrecognised client's records are stored and make a session with its identity and times, adding to no total")
  void unknownClientStoredAndVisible() {
    Origin codex = new Origin(new JsonObject().put("service.name", "codex").put("service.namespace", "acme"), "codex_cli_rs", "0.60.0");
    EventRecord other = new EventRecord(T0, null, "codex-1", "api_request", 0L, "p", "gpt-5", 100L, 10L, 0L, 0L, 5L, 1.0, 9,
        null, null, null, null, codex, new JsonObject().put("session.id", "codex-1"), "codex-1-0");

    SessionProcessor.Outcome outcome = processor.apply(BatchPlan.of(batch(List.of(other), List.of()), key -> false), sessions,
        series, T0.plusSeconds(60));

    assertThat(outcome.store().events()).extracting(EventRecord::dedupKey).containsExactly("codex-1-0");
    assertThat(outcome.store().sessions()).extracting(SessionRow::sessionId).containsExactly("codex-1");
    SessionState s = sessions.get("codex-1");
    assertThat(s.project).isEqualTo("acme");
    assertThat(s.lastSeen).isEqualTo(T0);
    assertThat(s.totals().apiRequests).isZero();
    assertThat(s.models).isEmpty();
  }

  @Test
  @DisplayName("a SessionStart hook opens the session with its source and a SessionEnd hook closes it at that time with its reason, through a restart")
  void hookLifecycle() {
    SessionState s = apply(hook("h1", "SessionStart", Map.of("source", "startup")),
        request("h1", "sdk", "claude-sonnet-4-5", 40_000, 10), hook("h1", "SessionEnd", Map.of("reason", "other")));
    SessionSummary summary = processor.summary(s);
    assertThat(summary.lifecycle().startSource()).isEqualTo("startup");
    assertThat(summary.lifecycle().endReason()).isEqualTo("other");
    assertThat(summary.identity().closedAt()).isEqualTo(T0.plusSeconds(sequence - 1));
    assertThat(summary.status()).isEqualTo(SessionStatus.CLOSED);
    assertThat(SessionSummaries.fromJson("h1", SummaryCodec.toJson(summary), 1, 200).endReason).isEqualTo("other");
    s = apply(hook("h1", "Stop", Map.of()));
    assertThat(s.closedAt).as("a hook after the end leaves it closed").isNotNull();
    s = apply(hook("h1", "SessionStart", Map.of("source", "resume")));
    assertThat(s.closedAt).as("resumed, it is open again").isNull();
    assertThat(s.endReason).isNull();
  }

  @Test
  @DisplayName("a resume or compact start whose transcript is another session's links the session to it; its own transcript links nothing")
  void predecessor() {
    SessionState resumed = apply(hook("new-2", "SessionStart", Map.of("source", "resume",
        "transcript_path", "/home/dev/.claude/projects/-home-dev-work/old-1.jsonl")));
    assertThat(resumed.predecessorId).isEqualTo("old-1");
    assertThat(processor.summary(resumed).lifecycle().predecessorId()).isEqualTo("old-1");
    SessionState compacted = apply(hook("same-3", "SessionStart", Map.of("source", "compact",
        "transcript_path", "/home/dev/.claude/projects/-home-dev-work/same-3.jsonl")));
    assertThat(compacted.predecessorId).isNull();
    SessionState fresh = apply(hook("fresh-4", "SessionStart", Map.of("source", "startup",
        "transcript_path", "/home/dev/.claude/projects/-home-dev-work/other-5.jsonl")));
    assertThat(fresh.predecessorId).as("a fresh start continues nothing").isNull();
  }

  @Test
  @DisplayName("a PreCompact hook and the telemetry's compaction event of one compaction count it once, whichever comes first")
  void hookAndEventCompactionCountedOnce() {
    Map<String, Object> compaction = Map.of("trigger", "auto", "pre_tokens", 160_000, "post_tokens", 20_000);
    SessionState hookFirst = apply(hook("c1", "SessionStart", Map.of("source", "startup")),
        request("c1", "sdk", "claude-sonnet-4-5", 160_000, 1), hook("c1", "PreCompact", Map.of("trigger", "auto")));
    assertThat(hookFirst.context.compactions).isEqualTo(1);
    assertThat(hookFirst.lastCompactionTrigger).isEqualTo("auto");
    apply(event("c1", "compaction", compaction));
    assertThat(hookFirst.context.compactions).isEqualTo(1);
    assertThat(hookFirst.context.tokens).as("the event's sizes still count").isEqualTo(20_000);
    apply(hook("c1", "PreCompact", Map.of("trigger", "manual")));
    assertThat(hookFirst.context.compactions).as("a second compaction").isEqualTo(2);

    SessionState eventFirst = apply(hook("c2", "SessionStart", Map.of("source", "startup")),
        request("c2", "sdk", "claude-sonnet-4-5", 160_000, 1), event("c2", "compaction", compaction));
    apply(hook("c2", "PreCompact", Map.of("trigger", "auto")));
    assertThat(eventFirst.context.compactions).isEqualTo(1);
    assertThat(eventFirst.lastCompactionAt).isNotNull();

    SessionState telemetryOnly = apply(request("c3", "sdk", "claude-sonnet-4-5", 160_000, 1), event("c3", "compaction", compaction),
        event("c3", "compaction", compaction));
    assertThat(telemetryOnly.context.compactions).as("without hooks every event counts").isEqualTo(2);
  }

  @Test
  @DisplayName("PostCompact's compact_summary is kept when sent as text (content stored), never when redacted")
  void compactSummary() {
    SessionState redacted = apply(hook("p1", "PostCompact", Map.of("trigger", "auto",
        "compact_summary", new JsonObject().put("redacted", true).put("length", 20))));
    assertThat(redacted.compactSummary).isNull();
    SessionState stored = apply(hook("p2", "PostCompact", Map.of("trigger", "auto", "compact_summary", "Worked on the parser")));
    assertThat(processor.summary(stored).lifecycle().compactSummary()).isEqualTo("Worked on the parser");
  }

  private EventRecord hook(String session, String name, Map<String, Object> attributes) {
    JsonObject json = new JsonObject(new HashMap<>(attributes)).put("session_id", session).put("hook_event_name", name);
    return new EventRecord(T0.plusSeconds(sequence), null, session, ClientJson.HOOK_EVENT_PREFIX + name, null, null, null,
        null, null, null, null, null, null, 0, null, null, null, null, new Origin(new JsonObject(), ClientJson.HOOKS_SCOPE, null),
        json, session + "-" + sequence++);
  }

  private SessionState apply(EventRecord... events) {
    BatchPlan plan = BatchPlan.of(batch(List.of(events), List.of()), key -> false);
    processor.apply(plan, sessions, series, T0.plusSeconds(60));
    return sessions.get(events[0].sessionId());
  }

  private static RecordBatch batch(List<EventRecord> events, List<MetricPoint> points) {
    return new RecordBatch(Signal.LOGS, events, points, List.of(), 0, null);
  }

  /** An api_request whose prompt (input 100 + cache read + cache creation 100) is {@code promptTokens}. */
  private EventRecord request(String session, String querySource, String model, long promptTokens, long output) {
    return request(session, querySource, model, promptTokens, output, 10_000L);
  }

  private EventRecord request(String session, String querySource, String model, long promptTokens, long output, Long costMicros) {
    return new EventRecord(T0.plusSeconds(sequence), null, session, "api_request", (long) sequence, "p", model, 100L, output,
        promptTokens - 200, 100L, costMicros, 5.0, 9, null, null, null, null, ORIGIN,
        new JsonObject().put("query_source", querySource).put("session.id", session), session + "-" + sequence++);
  }

  private EventRecord event(String session, String name, Map<String, Object> attributes) {
    return event(session, name, attributes, ORIGIN);
  }

  private EventRecord event(String session, String name, Map<String, Object> attributes, Origin origin) {
    JsonObject json = new JsonObject(new HashMap<>(attributes)).put("session.id", session);
    return new EventRecord(T0.plusSeconds(sequence), null, session, name, (long) sequence, "p", null, null, null, null, null,
        null, null, 9, null, null, null, null, origin, json, session + "-" + sequence++);
  }

  /** A status-line delivery as the receiver stores it: flattened, under the status-line scope. */
  private EventRecord statusLine(String session, long window, double usedPercentage, Map<String, Object> more) {
    JsonObject json = new JsonObject(new HashMap<>(more)).put("session_id", session).put("model.id", "claude-sonnet-4-5")
        .put("version", "2.1.332").put("cost.total_cost_usd", 0.1173).put("context_window.context_window_size", window)
        .put("context_window.used_percentage", usedPercentage);
    Origin origin = new Origin(new JsonObject(), ClientJson.STATUS_LINE_SCOPE, null);
    return new EventRecord(T0.plusSeconds(sequence), null, session, ClientJson.STATUS_LINE_EVENT, null, null, null, null, null,
        null, null, null, null, 9, null, null, null, null, origin, json, session + "-" + sequence++);
  }

  private EventRecord completed(String session, String type, String agentId) {
    return event(session, "subagent_completed", Map.of("agent_type", type, "agent_id", agentId, "total_tokens", 60_060,
        "total_tool_uses", 4, "duration_ms", 237, "model", "claude-sonnet-4-5"));
  }

  private static MetricPoint start(String session, String startType) {
    JsonObject attributes = new JsonObject().put("session.id", session).put("start_type", startType);
    return new MetricPoint(T0, T0.minusSeconds(1), session, "claude_code.session.count", MetricType.SUM, Temporality.DELTA,
        true, null, 1.0, null, null, ORIGIN, attributes, "count-" + startType, null);
  }

  private static MetricPoint point(String session, String metric, String type, long startNs, long timeNs, double value) {
    JsonObject attributes = new JsonObject().put("session.id", session).put("type", type).put("model", "claude-opus-4-8[1m]");
    return new MetricPoint(Instant.ofEpochSecond(0, timeNs), Instant.ofEpochSecond(0, startNs), session, metric, MetricType.SUM,
        Temporality.CUMULATIVE, true, "tokens", value, null, null, ORIGIN, attributes, metric + timeNs, null);
  }
}
