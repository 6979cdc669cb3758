package dev.contextwatch.checkpoint;

import java.util.Locale;

/** How close a session's context is to auto-compaction, in rising order of risk (compacted aside). */
enum Level {
  OK,
  WARNING,
  CRITICAL,
  /** A compaction was seen; the session starts again from ok. */
  COMPACTED;

  String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  static Level of(String label) {
    return valueOf(label.toUpperCase(Locale.ROOT));
  }

  /** The webhook event type that announces this level. */
  String eventType() {
    return "context." + label();
  }
}
