package dev.contextwatch.api;

import dev.contextwatch.core.model.Synthetic;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;

/**
 * The range, bucket, time zone, grouping and synthetic sessions of {@code GET /api/v1/usage}. A
 * bucket is a calendar minute, hour, day or month in the time zone {@code tz} (UTC unless given),
 * or {@code auto}: the smallest of those that cuts the span of the data in the range into at most
 * {@link #AUTO_MAX} buckets, so an hour of data shows as minutes and a year as months.
 */
record UsageQuery(Instant from, Instant to, String bucket, ZoneId tz, String group, Synthetic synthetic) {
  static final Duration DEFAULT_RANGE = Duration.ofDays(7);
  /** Buckets one answer may span, so a wide range asks for wider buckets. */
  static final long MAX_BUCKETS = 2000;
  /** The most buckets an automatic bucket size makes of the data's span. */
  static final int AUTO_MAX = 360;
  static final String AUTO = "auto";
  /** The fixed bucket sizes, narrowest first, with about how long each is. */
  static final List<String> SIZES = List.of("minute", "hour", "day", "month");
  private static final List<Duration> LENGTHS = List.of(Duration.ofMinutes(1), Duration.ofHours(1), Duration.ofDays(1),
      Duration.ofDays(28));

  static UsageQuery from(QueryParameters query, Instant now) {
    String bucket = orElse(query.oneOf("bucket", List.of("minute", "hour", "day", "month", AUTO)), "hour");
    ZoneId tz = orElse(query.zone("tz"), ZoneId.of("UTC"));
    String group = orElse(query.oneOf("group", List.of("model", "project")), "model");
    Instant to = orElse(query.instant("to"), now);
    Instant from = orElse(query.instant("from"), to.minus(DEFAULT_RANGE));
    if (!from.isBefore(to)) {
      throw ApiException.badParameter("from", "must be before 'to' (" + to + "), got '" + from + "'");
    }
    if (!AUTO.equals(bucket)) {
      long buckets = Duration.between(from, to).dividedBy(LENGTHS.get(SIZES.indexOf(bucket)));
      if (buckets > MAX_BUCKETS) {
        throw ApiException.badParameter("from", "spans " + buckets + " " + bucket + " buckets up to 'to'; at most "
            + MAX_BUCKETS + " are answered: narrow the range, use a wider bucket or bucket=auto");
      }
    }
    return new UsageQuery(from, to, bucket, tz, group, query.synthetic(Synthetic.EXCLUDE));
  }

  /** The smallest bucket size that cuts {@code span} into at most {@link #AUTO_MAX} buckets. */
  static String autoSize(Duration span) {
    for (int i = 0; i < SIZES.size() - 1; i++) {
      if (span.dividedBy(LENGTHS.get(i)) < AUTO_MAX) {
        return SIZES.get(i);
      }
    }
    return SIZES.get(SIZES.size() - 1);
  }

  private static <T> T orElse(T value, T fallback) {
    return value == null ? fallback : value;
  }
}
