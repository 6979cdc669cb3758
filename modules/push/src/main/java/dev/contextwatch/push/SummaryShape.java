package dev.contextwatch.push;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What a subscription's snapshot and {@code session.updated} frames carry of each session: its
 * whole summary, or its tile summary ({@link dev.contextwatch.core.summary.SummaryTiles}), which a fleet-wide view asks for.
 */
enum SummaryShape {
  FULL,
  TILE;

  String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  static Optional<SummaryShape> parse(Object label) {
    return Arrays.stream(values()).filter(s -> s.label().equals(label)).findFirst();
  }

  static String accepted() {
    return Arrays.stream(values()).map(SummaryShape::label).collect(Collectors.joining(", "));
  }
}
