package dev.contextwatch.core.model;

import dev.contextwatch.core.config.SessionConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * A session's status, computed when read from {@code last_received_at} and {@code closed_at}:
 * closed once closed; else active while the last record is younger than {@code activeMinutes},
 * idle while younger than {@code idleMinutes}, stale beyond. The one place that rule lives (the
 * API turns the same cut-offs into SQL); a summary holds the status it was written with, and a
 * reader that shows a status computes it as of now with {@link #of}.
 */
public enum SessionStatus {
  ACTIVE,
  IDLE,
  STALE,
  CLOSED;

  /** The name used in JSON and in the {@code status} query parameter. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<SessionStatus> parse(String label) {
    return Arrays.stream(values()).filter(s -> s.label().equals(label.trim().toLowerCase(Locale.ROOT))).findFirst();
  }

  /**
   * The status of a session just updated: a record of it was just received (active), or it was
   * just closed. What the processor writes in the summary it stores and publishes.
   */
  public static SessionStatus whenUpdated(Instant closedAt) {
    return closedAt == null ? ACTIVE : CLOSED;
  }

  public static SessionStatus of(Instant lastReceivedAt, Instant closedAt, Instant now, SessionConfig config) {
    if (closedAt != null) {
      return CLOSED;
    }
    Duration quiet = Duration.between(lastReceivedAt, now);
    if (quiet.compareTo(Duration.ofMinutes(config.activeMinutes())) < 0) {
      return ACTIVE;
    }
    if (quiet.compareTo(Duration.ofMinutes(config.idleMinutes())) < 0) {
      return IDLE;
    }
    return STALE;
  }
}
