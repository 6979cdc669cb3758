package dev.contextwatch.processor;

import dev.contextwatch.core.summary.SessionSummary;
import dev.contextwatch.processor.source.UsageFact;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * One session's failed model requests: how many, by HTTP status, how often the client gave up
 * retrying, how many were refused as too long (each forced a compaction), and the last one. Bounded:
 * statuses are whole numbers up to {@value #MAX_STATUSES} distinct (the rest under {@code other}),
 * the message cut to {@value #MAX_MESSAGE_CHARS} characters.
 */
final class RequestErrors {
  static final int MAX_MESSAGE_CHARS = 300;
  static final int MAX_STATUSES = 32;
  private static final String UNKNOWN = "unknown";

  long apiErrors;
  long retriesExhausted;
  long promptTooLong;
  final Map<String, Long> byStatus = new TreeMap<>();
  SessionSummary.LastError last;

  void failed(UsageFact.RequestError e, Instant time) {
    apiErrors = Saturating.plus(apiErrors, 1);
    if (e.promptTooLong()) {
      promptTooLong = Saturating.plus(promptTooLong, 1);
    }
    byStatus.merge(statusKey(e.status() == null ? UNKNOWN : e.status().toString()), 1L, Saturating::plus);
    last = new SessionSummary.LastError("api_error", e.status(), bounded(e.message()), e.attempt(), time);
  }

  void exhausted(UsageFact.RetriesExhausted e, Instant time) {
    retriesExhausted = Saturating.plus(retriesExhausted, 1);
    last = new SessionSummary.LastError("api_retries_exhausted", null, bounded(e.message()), e.attempts(), time);
  }

  SessionSummary.Errors toSummary() {
    return new SessionSummary.Errors(apiErrors, retriesExhausted, promptTooLong,
        Collections.unmodifiableMap(new TreeMap<>(byStatus)), last);
  }

  void restore(SessionSummary.Errors errors) {
    apiErrors = errors.apiErrors();
    retriesExhausted = errors.retriesExhausted();
    promptTooLong = errors.promptTooLong();
    errors.byStatus().forEach((status, count) -> byStatus.merge(statusKey(status), count, Saturating::plus));
    last = errors.last() == null ? null : new SessionSummary.LastError(errors.last().kind(), errors.last().status(),
        bounded(errors.last().message()), errors.last().attempt(), errors.last().time());
  }

  /** The status while there is room for it, else other. */
  private String statusKey(String status) {
    return byStatus.containsKey(status) || byStatus.size() < MAX_STATUSES ? status : SessionState.OTHER;
  }

  private static String bounded(String message) {
    return message == null ? null : SessionState.cut(message, MAX_MESSAGE_CHARS);
  }
}
