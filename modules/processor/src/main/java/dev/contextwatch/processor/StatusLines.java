package dev.contextwatch.processor;

import dev.contextwatch.core.summary.SessionSummary;
import dev.contextwatch.core.summary.SessionSummary.QuotaSample;
import dev.contextwatch.core.summary.SessionSummary.RateLimit;
import dev.contextwatch.processor.source.UsageFact;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A session's last status line and the quota samples its burn rate is computed on. The client sends
 * one at every redraw, so a sample is kept only when the limits moved or {@link #SAMPLE_EVERY}
 * passed, the latest {@value #MAX_SAMPLES}.
 */
final class StatusLines {
  static final int MAX_SAMPLES = 24;
  static final Duration SAMPLE_EVERY = Duration.ofMinutes(5);

  private StatusLines() {}

  /**
   * The status line after {@code line} arrived at {@code time}; one older than the last is ignored.
   * A part the new one lacks (the limits before the first response, the window) is kept from before.
   */
  static SessionSummary.StatusLine next(SessionSummary.StatusLine previous, UsageFact.StatusLine line, Instant time) {
    if (previous != null && previous.time() != null && time.isBefore(previous.time())) {
      return previous;
    }
    RateLimit fiveHour = line.fiveHour() != null || previous == null ? line.fiveHour() : previous.fiveHour();
    RateLimit sevenDay = line.sevenDay() != null || previous == null ? line.sevenDay() : previous.sevenDay();
    Long window = line.window() != null || previous == null ? line.window() : previous.window();
    List<QuotaSample> samples = samples(previous == null ? List.of() : previous.quotaSamples(), line, time);
    return new SessionSummary.StatusLine(time, line.model(), line.version(), window, line.usedPercentage(), line.costUsd(),
        fiveHour, sevenDay, samples);
  }

  private static List<QuotaSample> samples(List<QuotaSample> samples, UsageFact.StatusLine line, Instant time) {
    if (line.fiveHour() == null && line.sevenDay() == null) {
      return samples;
    }
    QuotaSample last = samples.isEmpty() ? null : samples.get(samples.size() - 1);
    boolean moved = last == null || !Objects.equals(last.fiveHour(), line.fiveHour())
        || !Objects.equals(last.sevenDay(), line.sevenDay());
    if (!moved && Duration.between(last.time(), time).compareTo(SAMPLE_EVERY) < 0) {
      return samples;
    }
    List<QuotaSample> kept = new ArrayList<>(samples.subList(Math.max(0, samples.size() - MAX_SAMPLES + 1), samples.size()));
    kept.add(new QuotaSample(time, line.fiveHour(), line.sevenDay()));
    return List.copyOf(kept);
  }
}
