package dev.contextwatch.api;

import dev.contextwatch.core.model.Synthetic;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;

/**
 * What {@code GET /api/v1/burn-rate} measures: the rates at the instant {@code at} (now unless
 * given), "today" being the calendar day of {@code at} in {@code tz} (UTC unless given), and the
 * {@code limit} sessions burning fastest. The windows are fixed so that a rate is its window's sum
 * times a whole number: {@link #NOW} is the last ten minutes, {@link #LAST_HOUR} the last sixty.
 */
record BurnRateQuery(Instant at, ZoneId tz, Synthetic synthetic, int limit) {
  static final Duration NOW = Duration.ofMinutes(10);
  static final Duration LAST_HOUR = Duration.ofHours(1);
  static final int DEFAULT_LIMIT = 10;
  static final int MAX_LIMIT = 100;

  static BurnRateQuery from(QueryParameters query, Instant now) {
    Instant at = query.instant("at");
    ZoneId tz = query.zone("tz");
    return new BurnRateQuery(at == null ? now : at, tz == null ? ZoneId.of("UTC") : tz, query.synthetic(Synthetic.EXCLUDE),
        query.intIn("limit", DEFAULT_LIMIT, 1, MAX_LIMIT));
  }

  /** The day {@code at} falls on in {@code tz}. */
  LocalDate day() {
    return at.atZone(tz).toLocalDate();
  }

  /** The start of {@link #day()}: midnight in {@code tz}. */
  Instant dayStart() {
    return day().atStartOfDay(tz).toInstant();
  }

  /** The start of the next day; a day is 23 or 25 hours long where the clocks change. */
  Instant dayEnd() {
    return day().plusDays(1).atStartOfDay(tz).toInstant();
  }

  /** The first instant any window counts. */
  Instant scanFrom() {
    Instant hourAgo = at.minus(LAST_HOUR);
    return dayStart().isBefore(hourAgo) ? dayStart() : hourAgo;
  }
}
