package dev.contextwatch.core.config;

import java.util.Set;

/**
 * One webhook receiver: where to POST, the secret that signs every delivery, the event types it
 * wants, optionally the only projects it hears about (empty: all), and whether it hears about
 * synthetic sessions, which a load test simulated (by default it does not: a harness acting on a
 * warning must never act on a simulated session).
 */
public record WebhookEndpoint(String name, String url, String secret, Set<String> events, Set<String> projects,
    boolean synthetic) {
  /** What an endpoint that names no events gets (budget events only fire for configured budgets). */
  public static final Set<String> DEFAULT_EVENT_TYPES = Set.of(
      "context.warning", "context.critical", "context.compacted", "session.started", "session.stale", "session.closed",
      "session.waiting", "session.resumed_work", "budget.warning", "budget.exceeded");
  /**
   * Every event type; session.error (the client ran out of retries) and quota.warning (a user near
   * a plan limit) only to an endpoint that names them.
   */
  public static final Set<String> EVENT_TYPES = Set.of(
      "context.warning", "context.critical", "context.compacted", "session.started", "session.stale", "session.closed",
      "session.error", "session.waiting", "session.resumed_work", "quota.warning", "budget.warning",
      "budget.exceeded");

  public boolean wants(String eventType, String project, boolean syntheticSession) {
    return events.contains(eventType) && (projects.isEmpty() || projects.contains(project))
        && (synthetic || !syntheticSession);
  }

  @Override
  public String toString() {
    return "WebhookEndpoint[name=%s, url=%s, secret=***, events=%s, projects=%s, synthetic=%s]".formatted(name, url, events,
        projects, synthetic);
  }
}
