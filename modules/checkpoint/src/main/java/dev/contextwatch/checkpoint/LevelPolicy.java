package dev.contextwatch.checkpoint;

import dev.contextwatch.core.config.LevelThresholds;
import dev.contextwatch.core.summary.SessionSummary;

/**
 * The level a session's context is at: critical from the critical share of the auto-compact
 * threshold or when predicted to reach it within the critical number of requests; warning likewise;
 * else ok. A session without context data (no main-thread request yet) is ok.
 */
final class LevelPolicy {
  private LevelPolicy() {}

  static Level assess(SessionSummary.Context context, LevelThresholds thresholds) {
    Double percent = context.percentOfThreshold();
    if (percent == null) {
      return Level.OK;
    }
    Double requestsLeft = context.requestsLeft();
    if (percent >= thresholds.criticalPercent() || within(requestsLeft, thresholds.criticalRequests())) {
      return Level.CRITICAL;
    }
    if (percent >= thresholds.warningPercent() || within(requestsLeft, thresholds.warningRequests())) {
      return Level.WARNING;
    }
    return Level.OK;
  }

  private static boolean within(Double requestsLeft, int requests) {
    return requestsLeft != null && requestsLeft <= requests;
  }
}
