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
 * fresh, resume, continue, ...), each once, sorted.
 */
public record SessionSummary(Identity identity, List<String> models, List<String> oneMillionModels, Totals totals,
    Map<String, Usage> byThread, Map<String, Usage> byModel, Map<String, Double> metrics, Map<String, ToolCalls> tools,
    Context context, String lastTool, String lastPromptId, String lastPrompt, Subagents subagents,
    List<String> startTypes, Errors errors) {

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
     * table, computed, or seen in the compactions of its project's other sessions (same model and
     * client version), which comes before the model table.
     */
    public static final List<String> THRESHOLD_SOURCES = List.of("configured", "observed", "model", "formula", "project");
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
        lastTool, lastPromptId, lastPrompt, subagents, startTypes, errors);
  }
}
