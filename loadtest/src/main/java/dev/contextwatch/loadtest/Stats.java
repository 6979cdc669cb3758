package dev.contextwatch.loadtest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What was measured: every OTLP attempt's latency and answer, the request-to-frame latency of the
 * live feed, and once a second a point of the timeline. Latencies are in microseconds. Attempts are
 * counted on the driver's context; frames arrive on the subscribers' and go through recorders,
 * which are safe across threads.
 */
final class Stats {
  /** One second (or less, for the last) of the run. */
  record Tick(double atSeconds, String phase, double records, double requests, double errors,
      double p50Ms, double p90Ms, double p99Ms, double maxMs, double frameP50Ms, double frameP99Ms, long frames) {

    /** The same second, {@code seconds} later on the timeline (earlier when negative). */
    Tick shifted(double seconds) {
      return new Tick(atSeconds + seconds, phase, records, requests, errors, p50Ms, p90Ms, p99Ms, maxMs, frameP50Ms, frameP99Ms,
          frames);
    }
  }

  private static final long HIGHEST_MICROS = 3_600_000_000L;

  private final Recorder latency = new Recorder(HIGHEST_MICROS, 3);
  private final Recorder frameLatency = new Recorder(HIGHEST_MICROS, 3);
  private final Recorder sendToFrame = new Recorder(HIGHEST_MICROS, 3);
  private final Histogram sendToFrameTotal = new Histogram(HIGHEST_MICROS, 3);
  private Histogram sendToFrameInterval;
  private final Histogram latencyTotal = new Histogram(HIGHEST_MICROS, 3);
  private final Histogram frameTotal = new Histogram(HIGHEST_MICROS, 3);
  private Histogram latencyInterval;
  private Histogram frameInterval;
  private final Map<String, Long> answers = new TreeMap<>();
  private final List<Tick> timeline = new ArrayList<>();
  private final AtomicLong framesBeforeAck = new AtomicLong();
  private long logsRequests;
  private long metricsRequests;
  private long attempts;
  private long neverAttempted;
  private long acknowledged;
  private long retries;
  private long duplicatesSent;
  private long abandoned;
  private long refused;
  private long rejectedRecords;
  private int peakBacklog;
  private boolean sending;
  private long errorsAtLastTick;
  private long acknowledgedAtLastTick;
  private long recordsAtLastTick;
  private long lastTickNanos = System.nanoTime();
  private long startNanos = lastTickNanos;

  /** The timeline counts from now: the moment sending starts. */
  void start() {
    startNanos = System.nanoTime();
    lastTickNanos = startNanos;
    sending = true;
  }

  /**
   * The warm-up is over (its last second just ticked) and measuring starts now: the timeline
   * counts from here, the warm-up's seconds before 0, and its latencies, answers and backlog leave
   * the figures. The request and attempt counts the account adds up are kept.
   */
  void startMeasuring() {
    long now = System.nanoTime();
    double warmUpSeconds = (now - startNanos) / 1e9;
    timeline.replaceAll(tick -> tick.shifted(-warmUpSeconds));
    startNanos = now;
    latencyTotal.reset();
    frameTotal.reset();
    sendToFrameTotal.reset();
    framesBeforeAck.set(0);
    answers.clear();
    errorsAtLastTick = 0;
    peakBacklog = 0;
  }

  /** Sending is over; the final flush follows. */
  void stopSending() {
    sending = false;
  }

  // ---- counted on the driver's context ----

  /** A session made an export request (an original, not an injected copy). */
  void exported(Request request) {
    if (request.contribution instanceof Request.Events) {
      logsRequests++;
    } else {
      metricsRequests++;
    }
  }

  /** A request given up before its first attempt. */
  void abandonedBeforeAttempt() {
    neverAttempted++;
  }

  void attempt(String answer, long micros) {
    attempts++;
    answers.merge(answer, 1L, Long::sum);
    latency.recordValue(Math.min(micros, HIGHEST_MICROS));
  }

  void retry() {
    retries++;
  }

  void outcome(Sender.Outcome outcome) {
    switch (outcome) {
      case ACKNOWLEDGED -> acknowledged++;
      case ABANDONED -> abandoned++;
      case REFUSED -> refused++;
      default -> throw new IllegalStateException(outcome.name());
    }
  }

  void duplicateSent() {
    duplicatesSent++;
  }

  void rejectedRecords(long count) {
    rejectedRecords += count;
  }

  /**
   * Requests waiting for a free slot while sending (not during the final flush): when this grows,
   * the pipeline does not keep up with the offered load.
   */
  void backlog(int waiting) {
    if (sending) {
      peakBacklog = Math.max(peakBacklog, waiting);
    }
  }

  // ---- from the subscribers ----

  void frame(long micros) {
    frameLatency.recordValue(Math.max(0, Math.min(micros, HIGHEST_MICROS)));
  }

  /** From sending the request (its first attempt) to the frame showing it. */
  void sendToFrame(long micros) {
    sendToFrame.recordValue(Math.max(0, Math.min(micros, HIGHEST_MICROS)));
  }

  /** The frame showing the request's update arrived before its 200 did: counted as 0. */
  void frameBeforeAck() {
    framesBeforeAck.incrementAndGet();
    frameLatency.recordValue(0);
  }

  // ---- the timeline ----

  /** Closes the current second: rates since the last tick, latency percentiles of the attempts answered in it. */
  void tick(String phase, long recordsSoFar) {
    long now = System.nanoTime();
    double seconds = Math.max(1e-3, (now - lastTickNanos) / 1e9);
    latencyInterval = latency.getIntervalHistogram(latencyInterval);
    frameInterval = frameLatency.getIntervalHistogram(frameInterval);
    latencyTotal.add(latencyInterval);
    frameTotal.add(frameInterval);
    sendToFrameInterval = sendToFrame.getIntervalHistogram(sendToFrameInterval);
    sendToFrameTotal.add(sendToFrameInterval);
    long errors = errors();
    timeline.add(new Tick((now - startNanos) / 1e9, phase,
        (recordsSoFar - recordsAtLastTick) / seconds,
        (acknowledged - acknowledgedAtLastTick) / seconds,
        (errors - errorsAtLastTick) / seconds,
        ms(latencyInterval, 50), ms(latencyInterval, 90), ms(latencyInterval, 99), latencyInterval.getMaxValue() / 1000.0,
        ms(frameInterval, 50), ms(frameInterval, 99), frameInterval.getTotalCount()));
    lastTickNanos = now;
    recordsAtLastTick = recordsSoFar;
    acknowledgedAtLastTick = acknowledged;
    errorsAtLastTick = errors;
  }

  private static double ms(Histogram h, double percentile) {
    return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1000.0;
  }

  private long errors() {
    return answers.entrySet().stream().filter(e -> !e.getKey().equals("200")).mapToLong(Map.Entry::getValue).sum();
  }

  // ---- read at the end ----

  Histogram latency() {
    return latencyTotal;
  }

  Histogram frameLatency() {
    return frameTotal;
  }

  Histogram sendToFrame() {
    return sendToFrameTotal;
  }

  List<Tick> timeline() {
    return timeline;
  }

  Map<String, Long> answers() {
    return answers;
  }

  long logsRequests() {
    return logsRequests;
  }

  long metricsRequests() {
    return metricsRequests;
  }

  long attempts() {
    return attempts;
  }

  long neverAttempted() {
    return neverAttempted;
  }

  long acknowledged() {
    return acknowledged;
  }

  long retries() {
    return retries;
  }

  long duplicatesSent() {
    return duplicatesSent;
  }

  long abandoned() {
    return abandoned;
  }

  long refused() {
    return refused;
  }

  long rejectedRecords() {
    return rejectedRecords;
  }

  int peakBacklog() {
    return peakBacklog;
  }

  long framesBeforeAck() {
    return framesBeforeAck.get();
  }
}
