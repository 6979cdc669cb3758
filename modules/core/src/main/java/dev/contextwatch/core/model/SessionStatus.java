package dev.contextwatch.core.model;

import dev.contextwatch.core.config.SessionConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * A session's status, computed when read from {@code last_received_at}, {@code closed_at} and
 * {@code waiting_since}: closed once closed; else stale once the last record is older than {@code
 * idleMinutes} (a client that died at a prompt must not wait forever); else waiting while its last
 * word was that it waits for a person (since {@code waiting_since}, until its next activity); else
 * active while the last record is younger than {@code activeMinutes}, idle beyond. The one place that rule lives (the
 * API turns the same cut-offs into SQL); a summary holds the status it was written with, and a
 * reader that shows a status computes it as of now with {@link #of}.
 */
public enum SessionStatus {
  ACTIVE,
  IDLE,
  STALE,
  CLOSED,
  WAITING;

  /** The name used in JSON and in the {@code status} query parameter. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<SessionStatus> parse(String label) {
    return Arrays.stream(values()).filter(s -> s.label().equals(label.trim().toLowerCase(Locale.ROOT))).findFirst();
  }

  /**
   * The status of a session just updated: a record of it was just received (active, or waiting when
   * it waits for a person since {@code waitingSince}), or it was just closed. What the processor
   * writes in the summary it stores and publishes.
   */
  public static SessionStatus whenUpdated(Instant closedAt, Instant waitingSince) {
    return closedAt != null ? CLOSED : waitingSince != null ? WAITING : ACTIVE;
  }

  public static SessionStatus of(Instant lastReceivedAt, Instant closedAt, Instant waitingSince, Instant now,
      SessionConfig config) {
    if (closedAt != null) {
      return CLOSED;
    }
    Duration quiet = Duration.between(lastReceivedAt, now);
    if (quiet.compareTo(Duration.ofMinutes(config.idleMinutes())) >= 0) {
      return STALE;
    }
    if (waitingSince != null) {
      return WAITING;
    }
    if (quiet.compareTo(Duration.ofMinutes(config.activeMinutes())) < 0) {
      return ACTIVE;
    }
    return IDLE;
  }
}
