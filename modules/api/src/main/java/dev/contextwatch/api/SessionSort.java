package dev.contextwatch.api;

import dev.contextwatch.core.config.SessionConfig;
import dev.contextwatch.core.model.SessionStatus;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** The orders of the session list: the only ORDER BY clauses the API ever sends. */
enum SessionSort {
  /**
   * Sessions waiting for a person first (nothing moves until someone answers), longest waiting
   * first; then active ones (an idle, stale or closed one makes no requests, so it compacts nothing
   * now), then the least predicted headroom: fewest requests left before auto-compaction, then
   * fewest tokens left; sessions without context data last.
   */
  RISK("requests_left ASC NULLS LAST, compact_threshold - context_tokens ASC NULLS LAST, last_received_at DESC, session_id"),
  ACTIVITY("last_received_at DESC, session_id"),
  COST("cost_usd DESC, last_received_at DESC, session_id");

  private final String order;

  SessionSort(String order) {
    this.order = order;
  }

  /** The ORDER BY clause, its status cut-off (for risk) bound in {@code sql} as of {@code now}. */
  String orderBy(Sql sql, Instant now, SessionConfig config) {
    if (this != RISK) {
      return order;
    }
    // waiting_since alone would also put a session that went stale while waiting before the others
    String waiting = StatusCondition.of(SessionStatus.WAITING, sql, now, config);
    return waiting + " DESC, CASE WHEN " + waiting + " THEN waiting_since END ASC NULLS LAST, "
        + StatusCondition.of(SessionStatus.ACTIVE, sql, now, config) + " DESC, " + order;
  }

  String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  static Optional<SessionSort> parse(String label) {
    return Arrays.stream(values()).filter(s -> s.label().equals(label.trim().toLowerCase(Locale.ROOT))).findFirst();
  }

  static String accepted() {
    return Arrays.stream(values()).map(SessionSort::label).collect(Collectors.joining(", "));
  }
}
