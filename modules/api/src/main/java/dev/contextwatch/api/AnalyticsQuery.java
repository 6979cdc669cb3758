package dev.contextwatch.api;

import dev.contextwatch.core.model.Synthetic;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;

/**
 * What {@code GET /api/v1/analytics/{view}} answers: one of {@link #VIEWS} over the requests from
 * {@code from} to {@code to} (the last 30 days), in the time zone {@code tz} (where buckets,
 * weekdays and hours begin; UTC), by model or project, with or without synthetic sessions; at most
 * {@code limit} rows of the per-session, per-project and per-model views, the costliest first.
 */
record AnalyticsQuery(String view, Instant from, Instant to, ZoneId tz, String group, int limit, Synthetic synthetic) {
  static final List<String> VIEWS = List.of("series", "heatmap", "sessions", "projects", "models");
  static final Duration DEFAULT_RANGE = Duration.ofDays(30);
  static final int DEFAULT_LIMIT = 1000;
  static final int MAX_LIMIT = 10_000;

  static AnalyticsQuery from(String view, QueryParameters query, Instant now) {
    if (!VIEWS.contains(view)) {
      throw ApiException.notFound("no analytics view '" + view + "'; the views are " + String.join(", ", VIEWS));
    }
    ZoneId tz = query.zone("tz");
    String group = query.oneOf("group", List.of("model", "project"));
    Instant to = query.instant("to");
    to = to == null ? now : to;
    Instant from = query.instant("from");
    from = from == null ? to.minus(DEFAULT_RANGE) : from;
    if (!from.isBefore(to)) {
      throw ApiException.badParameter("from", "must be before 'to' (" + to + "), got '" + from + "'");
    }
    return new AnalyticsQuery(view, from, to, tz == null ? ZoneId.of("UTC") : tz, group == null ? "model" : group,
        query.intIn("limit", DEFAULT_LIMIT, 1, MAX_LIMIT), query.synthetic(Synthetic.EXCLUDE));
  }
}
