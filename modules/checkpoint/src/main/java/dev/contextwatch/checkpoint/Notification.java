package dev.contextwatch.checkpoint;

import dev.contextwatch.core.model.ContextPrediction;
import dev.contextwatch.core.model.Quota;
import dev.contextwatch.core.model.SessionStatus;
import dev.contextwatch.core.summary.SessionSummary;
import dev.contextwatch.core.summary.SummaryCodec;
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
  static List<Notification> of(Transition t, SessionSummary summary, Instant now) {
    String id = t.after().sessionId();
    List<Notification> events = new ArrayList<>();
    if (t.started()) {
      events.add(notification("session.started", "session.started:" + id, summary, t, now));
    }
    for (Level level : t.announced()) {
      events.add(notification(level.eventType(), level.eventType() + ":" + id + ":" + t.after().epoch(), summary, t, now));
    }
    if (t.statusChanged() && t.statusAfter() == SessionStatus.STALE) {
      events.add(notification("session.stale", "session.stale:" + id + ":" + summary.identity().lastReceivedAt(), summary, t, now));
    }
    if (t.statusChanged() && t.statusAfter() == SessionStatus.WAITING) {
      Notification waiting = notification("session.waiting", "session.waiting:" + id + ":" + summary.waiting().since(),
          summary, t, now);
      waiting.payload().put("waiting", waiting(summary.waiting()));
      events.add(waiting);
    }
    if (t.statusChanged() && t.statusBefore() == SessionStatus.WAITING && t.statusAfter() == SessionStatus.ACTIVE) {
      events.add(notification("session.resumed_work", "session.resumed_work:" + id + ":" + summary.identity().lastReceivedAt(),
          summary, t, now));
    }
    if (t.statusChanged() && t.statusAfter() == SessionStatus.CLOSED) {
      events.add(notification("session.closed", "session.closed:" + id, summary, t, now));
    }
    if (t.errorAnnounced()) {
      Notification error = notification("session.error", "session.error:" + id + ":" + t.after().errorsAnnounced(), summary, t, now);
      error.payload().put("error", error(summary.errors()));
      events.add(error);
    }
    return events;
  }

  /**
   * quota.warning for each plan limit the summary's status line just sampled (a new reading) at or
   * above {@code percent}: keyed by user, limit and window, so the outbox announces it once per
   * window whichever of the user's sessions shows it, however often.
   */
  static List<Notification> quota(Transition t, SessionSummary summary, int percent, Instant now) {
    SessionSummary.StatusLine line = summary.statusLine();
    if (line == null || line.quotaSamples().isEmpty()) {
      return List.of();
    }
    SessionSummary.QuotaSample sample = line.quotaSamples().get(line.quotaSamples().size() - 1);
    if (!sample.time().equals(line.time())) {
      return List.of();
    }
    String user = summary.identity().userId();
    List<Notification> events = new ArrayList<>();
    for (Quota.Window window : Quota.Window.values()) {
      SessionSummary.RateLimit limit = window.of(sample);
      if (limit != null && limit.usedPercentage() >= percent) {
        String who = user != null ? "user:" + user : "session:" + summary.sessionId();
        Notification warning = notification("quota.warning", "quota.warning:" + who + ":" + window.clientKey() + ":" + limit.resetsAt(),
            summary, t, now);
        warning.payload().put("quota", Quota.of(limit, window, line.quotaSamples()).toJson()
            .put("userId", user).put("limit", window.clientKey()).put("warningPercent", percent));
        events.add(warning);
      }
    }
    return events;
  }

  private static Notification notification(String type, String key, SessionSummary summary, Transition t, Instant now) {
    SessionSummary.Identity session = summary.identity();
    SessionSummary.Context context = summary.context();
    ContextPrediction prediction = context.prediction();
    JsonObject payload = new JsonObject()
        .put("type", type)
        .put("time", now.toString())
        .put("session", new JsonObject()
            .put("id", session.sessionId())
            .put("project", session.project())
            .put("label", session.label())
            .put("runId", session.runId())
            .put("parentSessionId", session.parentSessionId())
            .put("synthetic", session.synthetic())
            .put("status", t.statusAfter().label())
            .put("firstSeen", text(session.firstSeen()))
            .put("lastSeen", text(session.lastSeen())))
        .put("context", new JsonObject()
            .put("level", t.after().level().label())
            .put("epoch", t.after().epoch())
            .put("model", context.model())
            .put("tokens", context.tokens())
            .put("window", context.window())
            .put("threshold", context.threshold())
            .put("percentOfThreshold", context.percentOfThreshold())
            .put("percentOfWindow", context.percentOfWindow())
            .put("requestsLeft", context.requestsLeft())
            .put("minutesLeft", context.minutesLeft())
            .put("growthPerRequest", prediction == null ? null : prediction.growthPerRequest())
            .put("growthPerMinute", prediction == null ? null : prediction.growthPerMinute())
            .put("compactions", context.compactions())
            .put("samples", SummaryCodec.samples(context.samples())))
        .put("totals", SummaryCodec.totals(summary.totals()))
        .put("lastPromptId", summary.lastPromptId());
    return new Notification(type, key, session.sessionId(), session.project(), session.synthetic(), payload);
  }

  /** What session.error adds: the session's error counts and the last error (the exhausted retries). */
  private static JsonObject error(SessionSummary.Errors errors) {
    SessionSummary.LastError last = errors.last();
    return new JsonObject()
        .put("kind", last == null ? null : last.kind())
        .put("status", last == null ? null : last.status())
        .put("message", last == null ? null : last.message())
        .put("attempts", last == null ? null : last.attempt())
        .put("time", last == null ? null : text(last.time()))
        .put("apiErrors", errors.apiErrors())
        .put("retriesExhausted", errors.retriesExhausted())
        .put("promptTooLong", errors.promptTooLong());
  }

  /** What session.waiting adds: since when and why the session waits for a person. */
  private static JsonObject waiting(SessionSummary.Waiting waiting) {
    return new JsonObject().put("since", text(waiting.since())).put("reason", waiting.reason());
  }

  private static String text(Instant instant) {
    return instant == null ? null : instant.toString();
  }
}
