package dev.contextwatch.processor;

import dev.contextwatch.core.config.CompactionThresholds;
import dev.contextwatch.core.model.Costs;
import dev.contextwatch.core.model.Models;
import dev.contextwatch.core.model.SessionStatus;
import dev.contextwatch.core.model.StoreBatch.SessionRow;
import dev.contextwatch.core.summary.SessionSummary;
import dev.contextwatch.core.summary.SummaryCodec;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * A session's state as stored and published: its {@link SessionSummary} (the whole state, read
 * back after a restart) and its row in the sessions table, the summary's JSON written by {@link
 * SummaryCodec}.
 */
final class SessionSummaries {
  private SessionSummaries() {}

  /**
   * {@code thresholds}: the auto-compact thresholds set by hand, per session or project; {@code
   * inProjects}: those seen in each project's compactions.
   */
  static SessionSummary toSummary(SessionState s, Models table, CompactionThresholds thresholds, ProjectThresholds inProjects) {
    return new SessionSummary(identity(s), List.copyOf(s.models), List.copyOf(s.oneMillionModels), totals(s),
        sorted(s.byThread, Usage::toSummary), sorted(s.byModel, Usage::toSummary), sorted(s.metrics, Function.identity()),
        sorted(s.tools, t -> new SessionSummary.ToolCalls(t.calls, t.successes, t.failures)),
        s.context.toSummary(table, s.oneMillionModels, thresholds.forSession(s.sessionId, s.project),
            inProjects.forSession(s.project, s.context.model, s.clientVersion)), s.lastTool,
        s.lastPromptId, s.lastPrompt,
        new SessionSummary.Subagents(sorted(s.bySubagentType, Usage::toSummary), List.copyOf(s.subagentRuns),
            s.subagentRunCount),
        List.copyOf(s.startTypes), s.errors.toSummary(), lifecycle(s), waiting(s), s.statusLine);
  }

  private static SessionSummary.Lifecycle lifecycle(SessionState s) {
    return new SessionSummary.Lifecycle(s.startSource, s.startedAt, s.endReason, s.predecessorId, s.lastCompactionAt,
        s.lastCompactionTrigger, s.compactSummary, s.context.hookCompactionUnmatched, s.context.eventCompactionUnmatched);
  }

  /** Closed beats waiting: a closed session waits for nobody, however it was closed. */
  private static SessionSummary.Waiting waiting(SessionState s) {
    return s.waitingSince == null || s.closedAt != null ? null : new SessionSummary.Waiting(s.waitingSince, s.waitingReason);
  }

  private static SessionSummary.Identity identity(SessionState s) {
    return new SessionSummary.Identity(s.sessionId, s.pseudo, SessionStatus.whenUpdated(s.closedAt, s.waitingSince), s.serviceName,
        s.project, s.label, s.userId, s.clientVersion, s.runId, s.parentSessionId, s.synthetic, s.firstSeen, s.lastSeen,
        s.lastReceivedAt, s.closedAt);
  }

  private static SessionSummary.Totals totals(SessionState s) {
    return new SessionSummary.Totals(s.totals().toSummary(), s.totalsFromEvents() ? "events" : "metrics", s.prompts,
        Math.round(s.metrics.getOrDefault("linesAdded", 0.0)), Math.round(s.metrics.getOrDefault("linesRemoved", 0.0)),
        Math.round(s.metrics.getOrDefault("commits", 0.0)), Math.round(s.metrics.getOrDefault("pullRequests", 0.0)),
        s.metrics.getOrDefault("activeTimeSeconds", 0.0));
  }

  private static <T, R> Map<String, R> sorted(Map<String, T> values, Function<T, R> convert) {
    Map<String, R> converted = new TreeMap<>();
    values.forEach((key, value) -> converted.put(key, convert.apply(value)));
    return Collections.unmodifiableMap(converted);
  }

  /** The row of a summary computed from the stored row of version {@code basedOnVersion}; its JSON is the codec's. */
  static SessionRow toRow(SessionSummary summary, long basedOnVersion) {
    SessionSummary.Identity i = summary.identity();
    SessionSummary.Usage totals = summary.totals().usage();
    SessionSummary.Context context = summary.context();
    return new SessionRow(i.sessionId(), i.pseudo(), i.synthetic(), i.serviceName(), i.project(), i.label(), i.userId(),
        i.clientVersion(), i.runId(), i.parentSessionId(), i.firstSeen(), i.lastSeen(), i.lastReceivedAt(), i.closedAt(),
        totals.inputTokens(), totals.outputTokens(), totals.cacheReadTokens(), totals.cacheCreationTokens(),
        Costs.usd(totals.costMicros()), totals.apiRequests(), totals.apiErrors(), context.tokens(), context.window(),
        context.threshold(), context.tokens() == null ? null : context.peak(), context.compactions(), context.requestsLeft(),
        SummaryCodec.toJson(summary), basedOnVersion, summary.waiting() == null ? null : summary.waiting().since());
  }

  /**
   * The state a stored summary describes (its version {@code version}): tools and models beyond
   * {@code maxKeys} (an older version kept them all) are folded into other.
   */
  static SessionState toState(SessionSummary summary, long version, int maxKeys) {
    SessionSummary.Identity i = summary.identity();
    SessionState s = new SessionState(i.sessionId(), i.pseudo(), maxKeys);
    s.version = version;
    s.serviceName = i.serviceName();
    s.project = i.project();
    s.label = i.label();
    s.userId = i.userId();
    s.clientVersion = i.clientVersion();
    s.runId = i.runId();
    s.parentSessionId = i.parentSessionId();
    s.synthetic = i.synthetic();
    s.firstSeen = i.firstSeen();
    s.lastSeen = i.lastSeen();
    s.lastReceivedAt = i.lastReceivedAt();
    s.closedAt = i.closedAt();
    summary.models().forEach(m -> s.addCapped(s.models, m));
    summary.oneMillionModels().forEach(m -> s.addCapped(s.oneMillionModels, m));
    s.prompts = summary.totals().prompts();
    summary.byThread().forEach((thread, usage) -> s.byThread.put(thread, Usage.of(usage)));
    summary.byModel().forEach((model, usage) -> s.byModel.computeIfAbsent(s.keyIn(s.byModel, model), m -> new Usage())
        .add(Usage.of(usage)));
    s.metrics.putAll(summary.metrics());
    summary.tools().forEach((tool, calls) -> s.tools.computeIfAbsent(s.keyIn(s.tools, tool), k -> new SessionState.ToolStats())
        .add(SessionState.ToolStats.of(calls)));
    s.context.restore(summary.context());
    s.errors.restore(summary.errors());
    s.lastTool = summary.lastTool();
    s.lastPromptId = summary.lastPromptId();
    s.lastPrompt = summary.lastPrompt();
    summary.subagents().byType().forEach((type, usage) -> s.bySubagentType
        .computeIfAbsent(s.keyIn(s.bySubagentType, type), t -> new Usage()).add(Usage.of(usage)));
    summary.subagents().runs().forEach(s::addSubagentRun);
    s.subagentRunCount = summary.subagents().runCount();
    summary.startTypes().forEach(t -> s.addCapped(s.startTypes, t));
    restoreLifecycle(s, summary.lifecycle());
    if (summary.waiting() != null) {
      s.waitingSince = summary.waiting().since();
      s.waitingReason = summary.waiting().reason();
    }
    s.statusLine = summary.statusLine();
    s.context.clientWindow = summary.statusLine() == null ? null : summary.statusLine().window();
    return s;
  }

  private static void restoreLifecycle(SessionState s, SessionSummary.Lifecycle l) {
    s.startSource = l.startSource();
    s.startedAt = l.startedAt();
    s.endReason = l.endReason();
    s.predecessorId = l.predecessorId();
    s.lastCompactionAt = l.lastCompactionAt();
    s.lastCompactionTrigger = l.lastCompactionTrigger();
    s.compactSummary = l.compactSummary();
    s.context.hookCompactionUnmatched = l.hookCompactionUnmatched();
    s.context.eventCompactionUnmatched = l.eventCompactionUnmatched();
  }

  /** The state stored as {@code stored} (read leniently by the codec). */
  static SessionState fromJson(String sessionId, Object stored, long version, int maxKeys) {
    return toState(SummaryCodec.fromJson(sessionId, stored), version, maxKeys);
  }}
