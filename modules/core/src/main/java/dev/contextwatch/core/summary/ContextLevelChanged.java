package dev.contextwatch.core.summary;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * What {@code contextwatch.context.level} carries (local codec): a session's context level changed
 * (levels: ok, warning, critical, compacted) in compaction epoch {@code epoch}, with the context it
 * was assessed on; and its project, run and synthetic mark, which the live feed routes by.
 */
public record ContextLevelChanged(String sessionId, String project, String runId, boolean synthetic, String from, String to,
    int epoch, Long contextTokens, Double percentOfThreshold, Double requestsLeft, Double minutesLeft, Instant time) {

  /** The change of {@code summary}'s session, assessed on its context. */
  public static ContextLevelChanged of(SessionSummary summary, String from, String to, int epoch, Instant time) {
    SessionSummary.Context context = summary.context();
    return new ContextLevelChanged(summary.sessionId(), summary.project(), summary.runId(), summary.synthetic(), from, to,
        epoch, context.tokens(), context.percentOfThreshold(), context.requestsLeft(), context.minutesLeft(), time);
  }

  /** The feed frame's {@code data}. */
  public JsonObject toJson() {
    return new JsonObject().put("sessionId", sessionId).put("project", project).put("runId", runId).put("synthetic", synthetic)
        .put("from", from).put("to", to).put("epoch", epoch).put("contextTokens", contextTokens)
        .put("percentOfThreshold", percentOfThreshold).put("requestsLeft", requestsLeft).put("minutesLeft", minutesLeft)
        .put("time", time.toString());
  }
}
