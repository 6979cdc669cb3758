package dev.contextwatch.processor.source;

import dev.contextwatch.core.summary.SessionSummary;

/**
 * What one record says about its session's usage, in no client's vocabulary: a {@link SourceAdapter}
 * turns a client's records into these, and the session state adds them up. Numbers are already
 * checked (whole, not negative); a model is named as the client sent it.
 */
public sealed interface UsageFact {

  /** The thread of a session a request or error belongs to; only the main thread measures the context window. */
  enum Thread {
    MAIN("main"),
    SUBAGENT("subagent"),
    AUXILIARY("auxiliary");

    private final String key;

    Thread(String key) {
      this.key = key;
    }

    /** The key the thread is shown under in the summary. */
    public String key() {
      return key;
    }
  }

  /** A model the record names; {@code oneMillion}: the client says it runs with a 1M-token window. */
  record ModelNamed(String model, boolean oneMillion) implements UsageFact {}

  /** A prompt the user sent; {@code text} only when the client sent it unredacted. */
  record Prompt(String promptId, String text) implements UsageFact {}

  /**
   * One model request: its tokens by kind and its cost in micro-dollars; {@code subagentType}: the
   * type of the subagent that sent it (null unless the thread is a subagent).
   */
  record Request(Thread thread, String model, String promptId, long inputTokens, long outputTokens,
      long cacheReadTokens, long cacheCreationTokens, long costMicros, String subagentType) implements UsageFact {}

  /**
   * A model request that failed: its HTTP status, message (as sent) and attempt when given; {@code
   * promptTooLong}: refused as longer than the window, which makes the client compact.
   */
  record RequestError(Thread thread, Integer status, String message, Integer attempt, boolean promptTooLong)
      implements UsageFact {}

  /** The client gave up retrying a request after {@code attempts} attempts (when given). */
  record RetriesExhausted(Thread thread, String message, Integer attempts) implements UsageFact {}

  /** One tool call's result. */
  record ToolResult(String tool, boolean success) implements UsageFact {}

  /**
   * The client compacted the context: {@code postTokens} and {@code preTokens}, when known, its size
   * after and before; {@code trigger} auto or manual as sent; {@code success} false only when the
   * client said it failed.
   */
  record Compaction(Long postTokens, String trigger, boolean success, Long preTokens) implements UsageFact {}

  /** A subagent run finished: its type and id, tokens, tool uses, duration and model as the client counted them (null when not sent). */
  record SubagentRun(String agentType, String agentId, Long totalTokens, Long totalToolUses, Double durationMs,
      String model) implements UsageFact {}

  /** The client said how the session started: fresh, resume, continue, ... */
  record SessionStart(String startType) implements UsageFact {}

  /**
   * The client's hook said the session started: {@code source} as sent (startup, resume, clear,
   * compact), and the session it continues when the client named another one (null otherwise).
   */
  record SessionOpened(String source, String predecessorId) implements UsageFact {}

  /** The client's hook said the session ended (its process is gone), with its reason as sent. */
  record SessionEnded(String reason) implements UsageFact {}

  /** The client's hook said it is about to compact, {@code trigger} auto or manual as sent. */
  record CompactionStarting(String trigger) implements UsageFact {}

  /** The client's hook said it compacted, with its summary ({@code summary} null unless content is stored). */
  record CompactionSummarized(String trigger, String summary) implements UsageFact {}

  /**
   * The client waits for a person: {@code reason} as it said it ({@code permission_prompt},
   * {@code idle_prompt}). The session waits until a later {@link Worked}.
   */
  record WaitingForInput(String reason) implements UsageFact {}

  /** The record shows the session at work (a prompt, a request, a tool, a hook of its work): a wait before it is over. */
  record Worked() implements UsageFact {}

  /**
   * The client's status line: its model and version, its context window size, how full it says the
   * window is (percent of the window) and the last request's prompt tokens ({@code currentTokens}),
   * its cost so far in dollars, and the plan's 5-hour and 7-day limits; each null when not sent or
   * not plausible.
   */
  record StatusLine(String model, String version, Long window, Double usedPercentage, Long currentTokens, Double costUsd,
      SessionSummary.RateLimit fiveHour, SessionSummary.RateLimit sevenDay) implements UsageFact {}

  /** What a counter metric's point adds to one of the per-interval totals. */
  record MetricDelta(MetricTotal total, double delta) implements UsageFact {}

  /** The totals the clients' counter metrics feed. */
  enum MetricTotal {
    INPUT_TOKENS("inputTokens"),
    OUTPUT_TOKENS("outputTokens"),
    CACHE_READ_TOKENS("cacheReadTokens"),
    CACHE_CREATION_TOKENS("cacheCreationTokens"),
    COST_USD("costUsd"),
    LINES_ADDED("linesAdded"),
    LINES_REMOVED("linesRemoved"),
    COMMITS("commits"),
    PULL_REQUESTS("pullRequests"),
    ACTIVE_TIME_SECONDS("activeTimeSeconds");

    private final String key;

    MetricTotal(String key) {
      this.key = key;
    }

    /** The key the total is shown under in the summary's metrics. */
    public String key() {
      return key;
    }
  }
}
