package dev.contextwatch.api;

import dev.contextwatch.core.model.Synthetic;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** The range, bucket and grouping of {@code GET /api/v1/usage}. */
record UsageQuery(Instant from, Instant to, String bucket, String group, Synthetic synthetic) {
  static final Duration DEFAULT_RANGE = Duration.ofDays(7);
  /** Buckets one answer may span, so a wide range asks for day buckets. */
  static final long MAX_BUCKETS = 2000;

  static UsageQuery from(QueryParameters query, Instant now) {
    String bucket = orElse(query.oneOf("bucket", List.of("hour", "day")), "hour");
    String group = orElse(query.oneOf("group", List.of("model", "project")), "model");
    Instant to = orElse(query.instant("to"), now);
    Instant from = orElse(query.instant("from"), to.minus(DEFAULT_RANGE));
    if (!from.isBefore(to)) {
      throw ApiException.badParameter("from", "must be before 'to' (" + to + "), got '" + from + "'");
    }
    long buckets = Duration.between(from, to).toHours() / ("day".equals(bucket) ? 24 : 1);
    if (buckets > MAX_BUCKETS) {
      throw ApiException.badParameter("from", "spans " + buckets + " " + bucket + " buckets up to 'to'; at most "
          + MAX_BUCKETS + " are answered: narrow the range" + ("hour".equals(bucket) ? " or use bucket=day" : ""));
    }
    return new UsageQuery(from, to, bucket, group, query.synthetic(Synthetic.EXCLUDE));
  }

  private static <T> T orElse(T value, T fallback) {
    return value == null ? fallback : value;
  }
}
