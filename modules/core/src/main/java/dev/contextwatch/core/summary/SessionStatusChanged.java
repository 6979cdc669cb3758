package dev.contextwatch.core.summary;

import dev.contextwatch.core.model.SessionStatus;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * What {@code contextwatch.session.status} carries (local codec): a session's status changed from
 * {@code from} (null for a new session) to {@code to}; with its project, run and synthetic mark,
 * which the live feed routes by.
 */
public record SessionStatusChanged(String sessionId, String project, String runId, boolean synthetic, SessionStatus from,
    SessionStatus to, Instant time) {

  /** The feed frame's {@code data}. */
  public JsonObject toJson() {
    return new JsonObject().put("sessionId", sessionId).put("project", project).put("runId", runId).put("synthetic", synthetic)
        .put("from", from == null ? null : from.label()).put("to", to.label()).put("time", time.toString());
  }
}
