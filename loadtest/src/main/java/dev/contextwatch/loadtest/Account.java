package dev.contextwatch.loadtest;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The one account of a run that the console, result.json and report.html all show: every number
 * labelled with what it counts, requests apart from records, events apart from metric points, and
 * copies sent on purpose apart from what the sessions made. The parts add up: every request the
 * sessions made or copied ends acknowledged, refused, abandoned or (only when the run was cut
 * short) unsettled; every record they made is acknowledged, in doubt or unsettled; the verifier
 * expects exactly the acknowledged records; and {@link #inconsistencies} names any sum that does
 * not hold.
 */
final class Account {
  /** HTTP export requests. */
  record Requests(long logs, long metrics, long duplicatesSent, long acknowledged, long refused, long abandoned,
      long attempts, long retries, long neverAttempted) {

    /** Export requests the simulated sessions made, each once. */
    long exports() {
      return logs + metrics;
    }

    /** Every request that needed an outcome: the sessions' own and the copies sent on purpose. */
    long toSettle() {
      return exports() + duplicatesSent;
    }

    /** Requests still without an outcome when the run ended (0 unless the final flush was cut short). */
    long unsettled() {
      return toSettle() - acknowledged - refused - abandoned;
    }

    /** Attempts the requests that were started should have made: one each, plus every retry. */
    long expectedAttempts() {
      return toSettle() - neverAttempted + retries;
    }
  }

  /**
   * Records: events (OTLP log records) and metric data points, each counted once however many copies
   * were sent; of them, those sent and acknowledged in the warm-up (verified like the rest).
   */
  record Records(Ledger.Tally sent, Ledger.Tally acknowledged, Result.WarmUp warmUp, long acknowledgedWhileSending,
      Ledger.Tally inDoubt, long rejectedByPipeline) {

    long acknowledgedInFinalFlush() {
      return acknowledged.records() - warmUp.recordsAcknowledged() - acknowledgedWhileSending;
    }

    /** Records of requests still without an outcome when the run ended. */
    long unsettled() {
      return sent.records() - acknowledged.records() - inDoubt.records();
    }
  }

  final Requests requests;
  final Records records;
  /** Null with --no-verify. */
  final Verifier.Verification verification;

  Account(Requests requests, Records records, Verifier.Verification verification) {
    this.requests = requests;
    this.records = records;
    this.verification = verification;
  }

  static Account of(Stats stats, Ledger ledger, Result.WarmUp warmUp, long acknowledgedWhileSending,
      Verifier.Verification verification) {
    return new Account(
        new Requests(stats.logsRequests(), stats.metricsRequests(), stats.duplicatesSent(), stats.acknowledged(), stats.refused(),
            stats.abandoned(), stats.attempts(), stats.retries(), stats.neverAttempted()),
        new Records(ledger.sent(), ledger.acknowledged(), warmUp, acknowledgedWhileSending, ledger.inDoubt(),
            stats.rejectedRecords()),
        verification);
  }

  /** The sums that do not hold; empty for a run that was not cut short. */
  List<String> inconsistencies() {
    List<String> wrong = new ArrayList<>();
    if (requests.unsettled() != 0) {
      wrong.add(f("%,d requests have no outcome (the final flush was cut short)", requests.unsettled()));
    } else if (requests.attempts() != requests.expectedAttempts()) {
      wrong.add(f("%,d HTTP attempts made, but %,d requests started and %,d retries make %,d", requests.attempts(),
          requests.toSettle() - requests.neverAttempted(), requests.retries(), requests.expectedAttempts()));
    }
    if (records.unsettled() != 0) {
      wrong.add(f("%,d records sent are neither acknowledged nor in doubt", records.unsettled()));
    }
    if (verification != null && (verification.eventsExpected() != records.acknowledged().events
        || verification.pointsExpected() != records.acknowledged().points)) {
      wrong.add(f("the verifier expected %,d events and %,d metric points, the acknowledgements counted %,d and %,d",
          verification.eventsExpected(), verification.pointsExpected(), records.acknowledged().events,
          records.acknowledged().points));
    }
    return wrong;
  }

  /** The account as labelled lines, for the console and the HTML report alike. */
  Map<String, String> lines() {
    Map<String, String> lines = new LinkedHashMap<>();
    Requests q = requests;
    lines.put("requests", f("%,d exports made by the sessions (%,d logs, %,d metrics) + %,d duplicates sent on purpose = %,d; "
        + "%,d acknowledged, %,d refused (4xx), %,d abandoned, %,d unsettled", q.exports(), q.logs(), q.metrics(),
        q.duplicatesSent(), q.toSettle(), q.acknowledged(), q.refused(), q.abandoned(), q.unsettled()));
    lines.put("HTTP attempts", f("%,d = %,d requests started + %,d retries (429, 503, time-outs, connection errors)",
        q.attempts(), q.toSettle() - q.neverAttempted(), q.retries()));
    Records r = records;
    boolean warmedUp = r.warmUp().recordsSent() > 0;
    lines.put("records sent", f("%,d = %,d events + %,d metric points (each once: copies sent on purpose are not counted again)",
        r.sent().records(), r.sent().events, r.sent().points)
        + (warmedUp ? f("; %,d of them in the warm-up", r.warmUp().recordsSent()) : ""));
    lines.put("records acknowledged", f("%,d = %,d events + %,d metric points; ", r.acknowledged().records(),
        r.acknowledged().events, r.acknowledged().points)
        + (warmedUp ? f("%,d in the warm-up + %,d while measuring", r.warmUp().recordsAcknowledged(), r.acknowledgedWhileSending())
            : f("%,d while sending", r.acknowledgedWhileSending()))
        + f(" + %,d in the final flush", r.acknowledgedInFinalFlush()));
    lines.put("records not acknowledged", f("%,d in doubt (their requests were never acknowledged), %,d unsettled; "
        + "%,d refused by the pipeline in partial_success", r.inDoubt().records(), r.unsettled(), r.rejectedByPipeline()));
    if (verification != null) {
      Verifier.Verification v = verification;
      lines.put("verified", f("by %s: events %,d expected, %,d stored; metric points %,d expected, %s; "
          + "totals of %,d sessions compared, %,d in doubt", v.method(), v.eventsExpected(), v.eventsStored(), v.pointsExpected(),
          v.pointsStored() == null ? "checked through the sessions' totals" : f("%,d stored", v.pointsStored()),
          v.sessionsChecked(), v.sessionsInDoubt()));
    }
    inconsistencies().forEach(problem -> lines.put("does not add up", problem));
    return lines;
  }

  JsonObject toJson() {
    Requests q = requests;
    Records r = records;
    return new JsonObject()
        .put("requests", new JsonObject()
            .put("exports", q.exports())
            .put("logs", q.logs())
            .put("metrics", q.metrics())
            .put("duplicatesSentOnPurpose", q.duplicatesSent())
            .put("toSettle", q.toSettle())
            .put("acknowledged", q.acknowledged())
            .put("refused", q.refused())
            .put("abandoned", q.abandoned())
            .put("unsettled", q.unsettled())
            .put("httpAttempts", q.attempts())
            .put("retries", q.retries())
            .put("neverAttempted", q.neverAttempted()))
        .put("records", new JsonObject()
            .put("sent", tally(r.sent()).put("inWarmUp", r.warmUp().recordsSent()))
            .put("acknowledged", tally(r.acknowledged())
                .put("inWarmUp", r.warmUp().recordsAcknowledged())
                .put("whileSending", r.acknowledgedWhileSending())
                .put("inFinalFlush", r.acknowledgedInFinalFlush()))
            .put("inDoubt", tally(r.inDoubt()))
            .put("unsettled", r.unsettled())
            .put("refusedByPipeline", r.rejectedByPipeline()))
        .put("inconsistencies", new JsonArray(inconsistencies()));
  }

  private static JsonObject tally(Ledger.Tally tally) {
    return new JsonObject().put("records", tally.records()).put("events", tally.events).put("metricPoints", tally.points);
  }

  private static String f(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
