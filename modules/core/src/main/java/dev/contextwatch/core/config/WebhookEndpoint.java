package dev.contextwatch.core.config;

import java.util.Set;

/**
 * One webhook receiver: where to POST, the secret that signs every delivery, the event types it
 * wants, and optionally the only projects it hears about (empty: all).
 */
public record WebhookEndpoint(String name, String url, String secret, Set<String> events, Set<String> projects) {
  public static final Set<String> EVENT_TYPES = Set.of(
      "context.warning", "context.critical", "context.compacted", "session.started", "session.stale", "session.closed");

  public boolean wants(String eventType, String project) {
    return events.contains(eventType) && (projects.isEmpty() || projects.contains(project));
  }

  @Override
  public String toString() {
    return "WebhookEndpoint[name=%s, url=%s, secret=***, events=%s, projects=%s]".formatted(name, url, events, projects);
  }
}
