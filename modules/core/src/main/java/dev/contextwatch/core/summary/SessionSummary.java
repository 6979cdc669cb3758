package dev.contextwatch.core.summary;

import dev.contextwatch.core.model.ContextPrediction;
import dev.contextwatch.core.model.SessionStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A session's summary: the whole state the processor keeps for it, as stored in {@code
 * sessions.summary}, published on {@code contextwatch.session.updated} and shown by the API and
 * the live feed. {@link SummaryCodec} is its one JSON form (docs/architecture.md lists the fields).
 * Maps iterate in the order they were given (the processor's are sorted by key). {@code startTypes}:
 * how the client said the session started ({@code claude_code.session.count}'s {@code start_type}:
 * fresh, resume, continue, ...), each once, sorted. {@code waiting}: since when and why the session
 * waits for a person (null while it does not; see {@link Waiting}).
 */
public record SessionSummary(Identity identity, List<String> models, List<String> oneMillionModels, Totals totals,
    Map<String, Usage> byThread, Map<String, Usage> byModel, Map<String, Double> metrics, Map<String, ToolCalls> tools,
    Context context, String lastTool, String lastPromptId, String lastPrompt, Subagents subagents,
    List<String> startTypes, Errors errors, Lifecycle lifecycle, Waiting waiting, StatusLine statusLine) {

  /** The start types that say a session continues an earlier conversation ({@code --resume}, {@code --continue}). */
  public static final List<String> RESUMING_START_TYPES = List.of("resume", "continue");

  /**
   * Who and when: {@code status} is the session's status when the summary was written (see {@link
   * SessionStatus#whenUpdated}); a reader showing it later computes it as of then with {@link
   * SessionStatus#of}.
   */
  public record Identity(String sessionId, boolean pseudo, SessionStatus status, String serviceName, String project,
      String label, String userId, String clientVersion, String runId, String parentSessionId, boolean synthetic,
      Instant firstSeen, Instant lastSeen, Instant lastReceivedAt, Instant closedAt) {

    public Identity withLastReceivedAt(Instant time) {
      return new Identity(sessionId, pseudo, status, serviceName, project, label, userId, clientVersion, runId,
          parentSessionId, synthetic, firstSeen, lastSeen, time, closedAt);
    }
  }

  /** Tokens, cost (in micro-dollars) and requests of a session or one slice of it (a thread kind, a model). */
  public record Usage(long inputTokens, long outputTokens, long cacheReadTokens, long cacheCreationTokens, long costMicros,
      long apiRequests, long apiErrors) {
    public static final Usage NONE = new Usage(0, 0, 0, 0, 0, 0, 0);
  }

  /**
   * The session's totals: {@code usage} counted from its events, or from its metrics when it sent
   * none ({@code source} says which: events or metrics); the rest from its prompts and metrics.
   */
  public record Totals(Usage usage, String source, long prompts, long linesAdded, long linesRemoved, long commits,
      long pullRequests, double activeTimeSeconds) {}

  /** Calls, successes and failures of one tool. */
  public record ToolCalls(long calls, long successes, long failures) {}

  /**
   * The session's subagent work: the usage of its subagents' requests by subagent type, and the
   * runs the client reported finished ({@code subagent_completed}), the latest {@code runs} (oldest
   * first) of {@code runCount} in all.
   */
  public record Subagents(Map<String, Usage> byType, List<SubagentRun> runs, long runCount) {
    public static final Subagents NONE = new Subagents(Map.of(), List.of(), 0);
  }

  /**
   * One subagent run as the client reported it when it finished: when, its type and id, the tokens
   * and tool uses it counted, how long it took and its model (null when not sent).
   */
  public record SubagentRun(Instant time, String agentType, String agentId, Long totalTokens, Long totalToolUses,
      Double durationMs, String model) {}

  /**
   * The main thread's context window: its size ({@code tokens}, null before the first main-thread
   * request), peak, model, compactions and recent samples; once the model is known, its window,
   * auto-compact threshold, how full it is and the {@link ContextPrediction} (else those are null).
   * {@code thresholdSource} says where the threshold came from (one of {@link #THRESHOLD_SOURCES});
   * {@code observedThreshold} is the {@code pre_tokens} of the session's last automatic compaction,
   * {@code lastCompaction} what the client said of its last compaction (both null until one).
   */
  public record Context(Long tokens, long peak, String model, int compactions, boolean compactionSeen,
      List<ContextPrediction.Sample> samples, Long window, Long threshold, Double percentOfWindow,
      Double percentOfThreshold, ContextPrediction prediction, String thresholdSource, Long observedThreshold,
      Compaction lastCompaction) {

    /**
     * Set by hand (autoCompactThresholds), seen in the session's compactions, given by the model
     * table, or computed; client: computed on the window the client's status line gave (ranked after
     * observed); project: seen in the compactions of its project's other sessions (same model and
     * client version; after client, before the model table).
     */
    public static final List<String> THRESHOLD_SOURCES = List.of("configured", "observed", "model", "formula", "client",
        "project");
    public static final Context NONE = new Context(null, 0, null, 0, false, List.of(), null, null, null, null, null, null,
        null, null);

    /** Requests predicted until the auto-compact threshold; null when unknown or not growing. */
    public Double requestsLeft() {
      return prediction == null ? null : prediction.requestsLeft();
    }

    /** Minutes predicted until the auto-compact threshold; null when unknown or not growing. */
    public Double minutesLeft() {
      return prediction == null ? null : prediction.minutesLeft();
    }
  }

  /**
   * One compaction as the client reported it: {@code trigger} (auto or manual, as sent), whether it
   * succeeded, and the context's size before and after (null when not sent or unreadable).
   */
  public record Compaction(String trigger, boolean success, Long preTokens, Long postTokens) {}

  /**
   * The session's failed model requests: {@code apiErrors} requests that failed (each {@code
   * api_error}), by HTTP status ({@code unknown} when none was sent); {@code retriesExhausted}
   * times the client gave up retrying; {@code promptTooLong} requests refused as longer than the
   * window, each of which forced a compaction; and the last error.
   */
  public record Errors(long apiErrors, long retriesExhausted, long promptTooLong, Map<String, Long> byStatus,
      LastError last) {
    public static final Errors NONE = new Errors(0, 0, 0, Map.of(), null);
  }

  /**
   * The last failed request: {@code kind} is the event that said so ({@code api_error} or {@code
   * api_retries_exhausted}), its status, message (cut to a bounded length) and attempt (for retries
   * exhausted, the attempts made).
   */
  public record LastError(String kind, Integer status, String message, Integer attempt, Instant time) {}

  /**
   * What the client's hooks said of the session's life: how it started ({@code startSource}:
   * startup, resume, clear, compact, as sent) and when, why it ended ({@code endReason}, as sent;
   * the session is then closed), the session it continues ({@code predecessorId}: another session
   * id the client named on a resume or compaction), and its last compaction's time and trigger
   * with the compact summary (only when content is stored). The two flags pair the hooks' and
   * the telemetry's reports of one compaction, so that it is counted once whichever comes first.
   */
  public record Lifecycle(String startSource, Instant startedAt, String endReason, String predecessorId,
      Instant lastCompactionAt, String lastCompactionTrigger, String compactSummary, boolean hookCompactionUnmatched,
      boolean eventCompactionUnmatched) {
    public static final Lifecycle NONE = new Lifecycle(null, null, null, null, null, null, null, false, false);
  }

  /**
   * The session waits for a person since {@code since} (the time of the record that said so),
   * {@code reason} being what the client said: {@code permission_prompt} (a tool waits to be
   * allowed) or {@code idle_prompt} (the client waits for the next prompt).
   */
  public record Waiting(Instant since, String reason) {}

  public String sessionId() {
    return identity.sessionId();
  }

  public String project() {
    return identity.project();
  }

  public String runId() {
    return identity.runId();
  }

  public boolean synthetic() {
    return identity.synthetic();
  }

  public SessionStatus status() {
    return identity.status();
  }

  /** The client said this session continues an earlier conversation (resumed or continued). */
  public boolean resumed() {
    return startTypes.stream().anyMatch(RESUMING_START_TYPES::contains);
  }

  public SessionSummary withIdentity(Identity newIdentity) {
    return new SessionSummary(newIdentity, models, oneMillionModels, totals, byThread, byModel, metrics, tools, context,
        lastTool, lastPromptId, lastPrompt, subagents, startTypes, errors, lifecycle, waiting, statusLine);
  }

  /**
   * What the client's own status line said last (null until one): when, its model id and version,
   * its context window size and how full it said the window was (percent of the window, null before
   * the first response), its cost in dollars, and the plan's rate limits (null with an API key or
   * before the first response); {@code quotaSamples} the latest readings of those limits, oldest
   * first, for the burn rate.
   */
  public record StatusLine(Instant time, String model, String version, Long window, Double usedPercentage,
      Double costUsd, RateLimit fiveHour, RateLimit sevenDay, List<QuotaSample> quotaSamples) {}

  /** One plan rate limit: percent used (0 to 100, more once over) and when its window resets. */
  public record RateLimit(double usedPercentage, Instant resetsAt) {}

  /** The plan's limits at one status-line update (null: not given). */
  public record QuotaSample(Instant time, RateLimit fiveHour, RateLimit sevenDay) {}
}
