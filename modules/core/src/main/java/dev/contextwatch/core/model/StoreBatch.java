package dev.contextwatch.core.model;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;

/**
 * Everything one processed request changes, written in one transaction: its records (deduplicated,
 * with deltas), the state of the metric series and sessions it moved, and its context samples. A
 * session closed through the API writes its row alone ({@link #sessions}): no records at all.
 */
public record StoreBatch(List<EventRecord> events, List<MetricPoint> points, List<SpanRecord> spans,
    List<SeriesState> series, List<SessionRow> sessions, List<ContextSample> contextSamples) {

  public StoreBatch {
    events = List.copyOf(events);
    points = List.copyOf(points);
    spans = List.copyOf(spans);
    series = List.copyOf(series);
    sessions = List.copyOf(sessions);
    contextSamples = List.copyOf(contextSamples);
  }

  /** Records only, as stored before any session processing. */
  public static StoreBatch of(RecordBatch records) {
    return of(records, List.of(), List.of(), List.of());
  }

  /** A processed request's records and the rows they changed. */
  public static StoreBatch of(RecordBatch records, List<SeriesState> series, List<SessionRow> sessions,
      List<ContextSample> contextSamples) {
    return new StoreBatch(records.events(), records.points(), records.spans(), series, sessions, contextSamples);
  }

  /** Session rows alone, as closing a session writes them. */
  public static StoreBatch sessions(List<SessionRow> rows) {
    return new StoreBatch(List.of(), List.of(), List.of(), List.of(), rows, List.of());
  }

  public int size() {
    return events.size() + points.size() + spans.size() + series.size() + sessions.size() + contextSamples.size();
  }

  /** Cumulative-to-delta state of one Sum series after the last point seen (times in Unix ns). */
  public record SeriesState(String seriesKey, String sessionId, String metricName, long startTimeUnixNs,
      long lastTimeUnixNs, double lastValue) {}

  /**
   * A session's row: the columns the API filters and sorts on, and the whole summary.
   * {@code basedOnVersion} is the version of the stored row this state was computed from (0: the
   * session had no row): the row is written as version {@code basedOnVersion + 1}, and only while
   * the stored one still has {@code basedOnVersion}, so two batches computed from the same state
   * can never both commit. {@code synthetic}: a load test simulated the session (see {@link Synthetic}).
   */
  public record SessionRow(
      String sessionId,
      boolean pseudo,
      boolean synthetic,
      String serviceName,
      String project,
      String label,
      String userId,
      String clientVersion,
      String runId,
      String parentSessionId,
      Instant firstSeen,
      Instant lastSeen,
      Instant lastReceivedAt,
      Instant closedAt,
      long inputTokens,
      long outputTokens,
      long cacheReadTokens,
      long cacheCreationTokens,
      double costUsd,
      long apiRequests,
      long apiErrors,
      Long contextTokens,
      Long contextWindow,
      Long compactThreshold,
      Long contextPeak,
      int compactions,
      Double requestsLeft,
      JsonObject summary,
      long basedOnVersion,
      Instant waitingSince) {}

  /** The prompt size of one main-thread request: how full the context window was. */
  public record ContextSample(Instant time, String sessionId, long promptTokens, String model, String promptId,
      boolean compacted, String dedupKey) {}
}
