package dev.contextwatch.loadtest;

import dev.contextwatch.loadtest.Options.Temporality;
import dev.contextwatch.telemetry.Otlp;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.Metric;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The metric instruments of one session, as Claude Code's SDK keeps them: monotonic Sums with
 * {@code asDouble} values, one series per attribute set. An export reads them with delta
 * temporality (what changed since the last export, only the series that changed) or cumulative
 * (every series of the current epoch, counted from its start time). A reset starts a new epoch:
 * a later start time and values counted from zero, as after a restart of the exporter.
 */
final class Meters {
  /** One series: a metric and the attributes that tell it apart; {@code field} is the summary field it adds to (or null). */
  record Series(String key, String metric, String description, String unit, String field, List<KeyValue> attributes) {}

  /** A point's part in the expected totals: the series, its epoch (cumulative) and the value sent. */
  record PointValue(String seriesKey, String field, int epoch, double value, boolean cumulative) {}

  /** One export: the OTLP metrics and the values they carry. */
  record Export(long timeMillis, List<Metric> metrics, List<PointValue> values, int points) {}

  private static final class State {
    final Series series;
    double total;
    double sinceExport;
    double lastExported;
    boolean exportedInEpoch;
    boolean touchedInEpoch;

    State(Series series) {
      this.series = series;
    }
  }

  private final Map<String, State> series = new LinkedHashMap<>();
  private long epochStartMillis;
  private int epoch;
  private long lastExportMillis;

  Meters(long startMillis) {
    this.epochStartMillis = startMillis;
    this.lastExportMillis = startMillis;
  }

  void add(Series s, double amount) {
    State state = series.computeIfAbsent(s.key(), k -> new State(s));
    state.total += amount;
    state.sinceExport += amount;
    state.touchedInEpoch = true;
  }

  long lastExportMillis() {
    return lastExportMillis;
  }

  /** Whether a delta export would carry anything. */
  boolean changed() {
    for (State state : series.values()) {
      if (state.sinceExport != 0) {
        return true;
      }
    }
    return false;
  }

  /** Reads every series for an export at {@code timeMillis} (later than any export before). */
  Export export(long timeMillis, Temporality temporality, List<KeyValue> identity) {
    Map<String, Metric.Builder> metrics = new LinkedHashMap<>();
    List<PointValue> values = new ArrayList<>();
    int points = 0;
    for (State state : series.values()) {
      boolean cumulative = temporality == Temporality.CUMULATIVE;
      if (cumulative ? !state.touchedInEpoch : state.sinceExport == 0) {
        continue;
      }
      double value = cumulative ? state.total : state.sinceExport;
      long start = cumulative ? epochStartMillis : lastExportMillis;
      addPoint(metrics, state.series, identity, start, timeMillis, value, temporality);
      values.add(new PointValue(state.series.key(), state.series.field(), epoch, value, cumulative));
      points++;
      state.sinceExport = 0;
      state.lastExported = state.total;
      state.exportedInEpoch = true;
    }
    lastExportMillis = timeMillis;
    return new Export(timeMillis, build(metrics), values, points);
  }

  /**
   * An older cumulative point of every series exported before in this epoch: the value of the last
   * export, at a time between the export before it and it. Sent after the newer one, it must count nothing.
   */
  Export olderCumulative(long timeMillis, List<KeyValue> identity) {
    Map<String, Metric.Builder> metrics = new LinkedHashMap<>();
    List<PointValue> values = new ArrayList<>();
    int points = 0;
    for (State state : series.values()) {
      if (state.exportedInEpoch && state.touchedInEpoch) {
        addPoint(metrics, state.series, identity, epochStartMillis, timeMillis, state.lastExported, Temporality.CUMULATIVE);
        values.add(new PointValue(state.series.key(), state.series.field(), epoch, state.lastExported, true));
        points++;
      }
    }
    return new Export(timeMillis, build(metrics), values, points);
  }

  /** A counter reset: a new epoch starting now, every value from zero, no series known until it is used again. */
  void reset(long startMillis) {
    epoch++;
    epochStartMillis = startMillis;
    for (State state : series.values()) {
      state.total = 0;
      state.sinceExport = 0;
      state.lastExported = 0;
      state.exportedInEpoch = false;
      state.touchedInEpoch = false;
    }
  }

  private static void addPoint(Map<String, Metric.Builder> metrics, Series s, List<KeyValue> identity, long startMillis,
      long timeMillis, double value, Temporality temporality) {
    Metric.Builder metric = metrics.computeIfAbsent(s.metric(),
        name -> Otlp.monotonicSum(name, s.description(), s.unit(), temporality == Temporality.CUMULATIVE));
    metric.getSumBuilder().addDataPoints(Otlp.point(startMillis * 1_000_000L, timeMillis * 1_000_000L, value)
        .addAllAttributes(identity)
        .addAllAttributes(s.attributes()));
  }

  private static List<Metric> build(Map<String, Metric.Builder> metrics) {
    return metrics.values().stream().map(Metric.Builder::build).toList();
  }
}
