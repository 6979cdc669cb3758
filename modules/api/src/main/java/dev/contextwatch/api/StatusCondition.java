package dev.contextwatch.api;

import dev.contextwatch.core.config.SessionConfig;
import dev.contextwatch.core.model.SessionStatus;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * {@link SessionStatus#of} as a condition on the columns of {@code sessions}: it holds exactly for
 * the rows that have the status at {@code now}; the cut-off instants are bound as parameters.
 */
final class StatusCondition {
  private StatusCondition() {}

  static String of(SessionStatus status, Sql sql, Instant now, SessionConfig config) {
    return switch (status) {
      case CLOSED -> "closed_at IS NOT NULL";
      case WAITING -> "(closed_at IS NULL AND waiting_since IS NOT NULL AND last_received_at > " + idleCutoff(sql, now, config)
          + ")";
      case ACTIVE -> "(closed_at IS NULL AND waiting_since IS NULL AND last_received_at > " + activeCutoff(sql, now, config) + ")";
      case IDLE -> "(closed_at IS NULL AND waiting_since IS NULL AND last_received_at <= " + activeCutoff(sql, now, config)
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
