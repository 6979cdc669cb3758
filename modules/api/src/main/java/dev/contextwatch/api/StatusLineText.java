package dev.contextwatch.api;

import dev.contextwatch.core.summary.SessionSummary;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The one line scripts/statusline.sh prints under Claude Code's prompt: how full the context is
 * towards the compaction point, the requests left until it, the session's cost and, while it
 * spends, its dollars per hour over the last hour, the plan's 5-hour use, and how many other sessions of the project wait for a person.
 */
final class StatusLineText {
  private static final String SEPARATOR = " | ";

  private StatusLineText() {}

  static String of(SessionSummary summary, double costPerHour, long othersWaiting) {
    List<String> parts = new ArrayList<>();
    parts.add(context(summary.context()));
    if (summary.context().requestsLeft() != null) {
      parts.add("~" + Math.round(Math.floor(summary.context().requestsLeft())) + " req to compact");
    }
    parts.add(String.format(Locale.ROOT, "$%.2f", cost(summary)));
    if (costPerHour > 0) {
      parts.add(String.format(Locale.ROOT, "$%.2f/h", costPerHour));
    }
    SessionSummary.StatusLine line = summary.statusLine();
    if (line != null && line.fiveHour() != null) {
      parts.add(String.format(Locale.ROOT, "5h %.0f%%", line.fiveHour().usedPercentage()));
    }
    if (othersWaiting > 0) {
      parts.add(othersWaiting + " other" + (othersWaiting == 1 ? "" : "s") + " waiting"
          + (summary.project() == null ? "" : " in " + summary.project()));
    }
    return "cw " + String.join(SEPARATOR, parts);
  }

  private static String context(SessionSummary.Context c) {
    if (c.percentOfThreshold() != null) {
      return String.format(Locale.ROOT, "ctx %.0f%% of compact", c.percentOfThreshold());
    }
    return "ctx ?";
  }

  /** The events' total; before any, what the client's status line said. */
  private static double cost(SessionSummary summary) {
    long micros = summary.totals().usage().costMicros();
    SessionSummary.StatusLine line = summary.statusLine();
    if (micros == 0 && line != null && line.costUsd() != null) {
      return line.costUsd();
    }
    return micros / 1_000_000.0;
  }
}
