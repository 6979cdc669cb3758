package dev.contextwatch.checkpoint;

import dev.contextwatch.core.model.ClientJson;
import dev.contextwatch.core.model.Costs;
import dev.contextwatch.core.model.HookAnswer;
import dev.contextwatch.core.model.HookDelivery;
import dev.contextwatch.core.summary.SessionSummary;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Locale;
import java.util.Set;

/**
 * The context handed back to Claude Code when a session starts again after a compaction or a
 * resume ({@code SessionStart} hook of source {@code compact} or {@code resume}): what the
 * conversation was working on (the compact summary, the last prompt and tool, when content is
 * stored), its totals and its last checkpoint, as the hook's {@code additionalContext}. Any other
 * hook is answered with nothing.
 */
final class ReloadedContext {
  static final String SESSION_START = ClientJson.HOOK_EVENT_PREFIX + "SessionStart";
  private static final Set<String> RELOADING_SOURCES = Set.of("compact", "resume");

  private ReloadedContext() {}

  /** Whether the delivery asks for context at all. */
  static boolean wanted(HookDelivery delivery) {
    return SESSION_START.equals(delivery.eventName())
        && delivery.attributes().getValue("source") instanceof String source && RELOADING_SOURCES.contains(source);
  }

  /** The last checkpoint of a session: its level, when, and how full the context was. */
  record Checkpoint(String level, Instant time, Long contextTokens, Double percentOfThreshold) {}

  /** The answer for {@code summary}'s conversation (the session itself, or the one it continues), with its last checkpoint when any. */
  static HookAnswer answer(String source, SessionSummary summary, Checkpoint checkpoint) {
    StringBuilder text = new StringBuilder("contextwatch: where this conversation stood before the ")
        .append("compact".equals(source) ? "compaction" : "resume").append(" (session ").append(summary.sessionId()).append(")\n");
    SessionSummary.Lifecycle lifecycle = summary.lifecycle();
    line(text, "Working on", lifecycle.compactSummary());
    line(text, "Last prompt", summary.lastPrompt());
    line(text, "Last tool", summary.lastTool());
    SessionSummary.Totals totals = summary.totals();
    SessionSummary.Usage usage = totals.usage();
    line(text, "Totals", String.format(Locale.ROOT, "%d prompts, %d model requests, %d input + %d cache read tokens, %d output tokens, $%.2f",
        totals.prompts(), usage.apiRequests(), usage.inputTokens(), usage.cacheReadTokens(), usage.outputTokens(),
        Costs.usd(usage.costMicros())));
    if (checkpoint != null) {
      line(text, "Last checkpoint", checkpoint.level() + " at " + checkpoint.time()
          + (checkpoint.contextTokens() == null ? "" : ", " + checkpoint.contextTokens() + " tokens in context")
          + (checkpoint.percentOfThreshold() == null ? ""
              : String.format(Locale.ROOT, " (%.0f%% of the auto-compact threshold)", checkpoint.percentOfThreshold())));
    }
    return new HookAnswer(new JsonObject().put("hookSpecificOutput", new JsonObject()
        .put("hookEventName", "SessionStart").put("additionalContext", text.toString())));
  }

  private static void line(StringBuilder text, String label, String value) {
    if (value != null && !value.isBlank()) {
      text.append("- ").append(label).append(": ").append(value).append('\n');
    }
  }
}
