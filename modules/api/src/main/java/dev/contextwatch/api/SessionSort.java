package dev.contextwatch.api;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** The orders of the session list: the only ORDER BY clauses the API ever sends. */
enum SessionSort {
  /**
   * Least predicted headroom first: fewest requests left before auto-compaction, then fewest tokens
   * left; sessions without context data last.
   */
  RISK("requests_left ASC NULLS LAST, compact_threshold - context_tokens ASC NULLS LAST, last_received_at DESC, session_id"),
  ACTIVITY("last_received_at DESC, session_id"),
  COST("cost_usd DESC, last_received_at DESC, session_id");

  final String orderBy;

  SessionSort(String orderBy) {
    this.orderBy = orderBy;
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
