package dev.contextwatch.core.model;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * How fast a session's context grows and when it reaches the auto-compact threshold and the hard
 * window. Growth is the least-squares slope over the last {@link #WINDOW} main-thread samples since
 * the last compaction, per request and per minute, so one odd request does not swing it.
 */
public record ContextPrediction(double growthPerRequest, double growthPerMinute, Double requestsLeft,
    Double minutesLeft, Double requestsLeftToWindow, Double minutesLeftToWindow) {

  /** Samples the slope is fitted on. */
  public static final int WINDOW = 10;

  /** A context sample: prompt tokens of one main-thread request at its time. */
  public record Sample(Instant time, long tokens) {}

  public static ContextPrediction of(List<Sample> samples, long tokens, long threshold, long window) {
    List<Sample> recent = samples.subList(Math.max(0, samples.size() - WINDOW), samples.size());
    double perRequest = slope(recent, false);
    double perMinute = slope(recent, true);
    return new ContextPrediction(perRequest, perMinute,
        left(threshold - tokens, perRequest), left(threshold - tokens, perMinute),
        left(window - tokens, perRequest), left(window - tokens, perMinute));
  }

  /** 0 once reached; null when the context does not grow (no end in sight). */
  private static Double left(long headroom, double growth) {
    if (headroom <= 0) {
      return 0.0;
    }
    return growth > 0 ? headroom / growth : null;
  }

  private static double slope(List<Sample> samples, boolean perMinute) {
    int n = samples.size();
    if (n < 2) {
      return 0;
    }
    Instant t0 = samples.get(0).time();
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (int i = 0; i < n; i++) {
      double x = perMinute ? Duration.between(t0, samples.get(i).time()).toMillis() / 60_000.0 : i;
      double y = samples.get(i).tokens();
      sx += x;
      sy += y;
      sxx += x * x;
      sxy += x * y;
    }
    double denominator = n * sxx - sx * sx;
    return denominator == 0 ? 0 : (n * sxy - sx * sy) / denominator;
  }
}
