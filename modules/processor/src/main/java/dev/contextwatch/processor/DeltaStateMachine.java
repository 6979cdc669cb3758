package dev.contextwatch.processor;

import dev.contextwatch.core.model.StoreBatch.SeriesState;

/**
 * Cumulative-to-delta for one Sum series. The first point of a series counts whole; a later start
 * time or a lower value is a reset whose first point counts whole; a point no newer than the last
 * one seen (or from an older start) is a duplicate or arrived out of order and counts nothing.
 */
final class DeltaStateMachine {
  private DeltaStateMachine() {}

  /** The delta a point adds, and the series state after it (unchanged for a point that counts nothing). */
  record Step(double delta, SeriesState state) {}

  static Step next(SeriesState previous, String seriesKey, String sessionId, String metricName,
      long startUnixNs, long timeUnixNs, double value) {
    SeriesState advanced = new SeriesState(seriesKey, sessionId, metricName, startUnixNs, timeUnixNs, value);
    if (previous == null || startUnixNs > previous.startTimeUnixNs()) {
      return new Step(value, advanced);
    }
    if (startUnixNs < previous.startTimeUnixNs() || timeUnixNs <= previous.lastTimeUnixNs()) {
      return new Step(0.0, previous);
    }
    if (value < previous.lastValue()) {
      return new Step(value, advanced);
    }
    return new Step(value - previous.lastValue(), advanced);
  }
}
