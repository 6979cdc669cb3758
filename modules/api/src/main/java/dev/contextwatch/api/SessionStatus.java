package dev.contextwatch.api;

import dev.contextwatch.core.config.SessionConfig;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * A session's status, computed when read from {@code last_received_at} and {@code closed_at}:
 * closed once closed; else active while the last record is younger than {@code activeMinutes},
 * idle while younger than {@code idleMinutes}, stale beyond. The one place that rule lives, for
 * Java ({@link #of}) and for SQL ({@link #condition}).
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

  /**
   * A condition on the columns of {@code sessions} that holds exactly for the rows {@link #of}
   * gives this status at {@code now}; the cut-off instants are bound as parameters of {@code sql}.
   */
  String condition(Sql sql, Instant now, SessionConfig config) {
    return switch (this) {
      case CLOSED -> "closed_at IS NOT NULL";
      case ACTIVE -> "(closed_at IS NULL AND last_received_at > " + activeCutoff(sql, now, config) + ")";
      case IDLE -> "(closed_at IS NULL AND last_received_at <= " + activeCutoff(sql, now, config)
          + " AND last_received_at > " + idleCutoff(sql, now, config) + ")";
      case STALE -> "(closed_at IS NULL AND last_received_at <= " + idleCutoff(sql, now, config) + ")";
    };
  }

  private static String activeCutoff(Sql sql, Instant now, SessionConfig config) {
    return sql.bind(now.minus(Duration.ofMinutes(config.activeMinutes())).atOffset(ZoneOffset.UTC));
  }

  private static String idleCutoff(Sql sql, Instant now, SessionConfig config) {
    return sql.bind(now.minus(Duration.ofMinutes(config.idleMinutes())).atOffset(ZoneOffset.UTC));
  }
}
