package dev.contextwatch.checkpoint;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One webhook event: its type, the key that makes it unique (the outbox stores one delivery per
 * endpoint and key, so replays and restarts never announce twice), whether its session is
 * synthetic (only endpoints that opt in hear of those), and the payload documented in
 * docs/webhooks.md.
 */
record Notification(String type, String key, String sessionId, String project, boolean synthetic, JsonObject payload) {

  /** The events a transition announces, in the order they happened. */
  static List<Notification> of(Transition t, JsonObject summary, Instant now) {
    String id = t.after().sessionId();
    List<Notification> events = new ArrayList<>();
    if (t.started()) {
      events.add(notification("session.started", "session.started:" + id, summary, t, now));
    }
    for (Level level : t.announced()) {
      events.add(notification(level.eventType(), level.eventType() + ":" + id + ":" + t.after().epoch(), summary, t, now));
    }
    if (t.statusChanged() && "stale".equals(t.statusAfter())) {
      events.add(notification("session.stale", "session.stale:" + id + ":" + summary.getString("lastReceivedAt"), summary, t, now));
    }
    if (t.statusChanged() && "closed".equals(t.statusAfter())) {
      events.add(notification("session.closed", "session.closed:" + id, summary, t, now));
    }
    return events;
  }

  private static Notification notification(String type, String key, JsonObject summary, Transition t, Instant now) {
    JsonObject context = summary.getJsonObject("context", new JsonObject());
    JsonObject prediction = context.getJsonObject("prediction", new JsonObject());
    JsonObject payload = new JsonObject()
        .put("type", type)
        .put("time", now.toString())
        .put("session", new JsonObject()
            .put("id", summary.getString("sessionId"))
            .put("project", summary.getString("project"))
            .put("label", summary.getString("label"))
            .put("runId", summary.getString("runId"))
            .put("parentSessionId", summary.getString("parentSessionId"))
            .put("synthetic", synthetic(summary))
            .put("status", t.statusAfter())
            .put("firstSeen", summary.getString("firstSeen"))
            .put("lastSeen", summary.getString("lastSeen")))
        .put("context", new JsonObject()
            .put("level", t.after().level().label())
            .put("epoch", t.after().epoch())
            .put("model", context.getString("model"))
            .put("tokens", context.getLong("tokens"))
            .put("window", context.getLong("window"))
            .put("threshold", context.getLong("threshold"))
            .put("percentOfThreshold", context.getDouble("percentOfThreshold"))
            .put("percentOfWindow", context.getDouble("percentOfWindow"))
            .put("requestsLeft", prediction.getDouble("requestsLeft"))
            .put("minutesLeft", prediction.getDouble("minutesLeft"))
            .put("growthPerRequest", prediction.getDouble("growthPerRequest"))
            .put("growthPerMinute", prediction.getDouble("growthPerMinute"))
            .put("compactions", context.getInteger("compactions", 0))
            .put("samples", context.getJsonArray("samples")))
        .put("totals", summary.getJsonObject("totals"))
        .put("lastPromptId", summary.getString("lastPromptId"));
    return new Notification(type, key, summary.getString("sessionId"), summary.getString("project"), synthetic(summary),
        payload);
  }

  /** Whether the processor marked the session synthetic (a summary written before that existed was not). */
  static boolean synthetic(JsonObject summary) {
    return Boolean.TRUE.equals(summary.getValue("synthetic"));
  }
}
