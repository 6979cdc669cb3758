package dev.contextwatch.api;

import static dev.contextwatch.core.db.ReadModels.EVENTS;
import static dev.contextwatch.core.db.ReadModels.USAGE_ROLLUP;

import dev.contextwatch.core.model.Synthetic;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The stored api_request events' usage as rows that reports and the usage view sum, aliased
 * {@code events}, each with time, session_id, model, the four token counts, cost_usd (each finite
 * cost rounded to the micro-dollar) and requests. Over whole quarter hours they are persistence's
 * usage rollup (one row per quarter hour, session and model, kept beyond the events' retention),
 * else the raw events: for minutes, and for the parts of a quarter hour a range cuts at its ends.
 */
final class UsageRows {
  /** The rollup's bucket, in seconds; buckets start at whole multiples of it since the epoch. */
  static final long QUARTER_HOUR_SECONDS = 15 * 60;
  /** A group's sums of these rows, named as {@link Rows#totals} reads them, and its requests. */
  static final String SUMS = "sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens, "
      + "sum(cache_read_tokens) AS cache_read_tokens, sum(cache_creation_tokens) AS cache_creation_tokens, "
      + "sum(cost_usd) AS cost_usd, sum(requests) AS requests";

  private static final String USAGE = "session_id, model, input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens";
  private static final String ROLLUP = "SELECT quarter_hour AS time, " + USAGE + ", cost_usd, requests FROM " + USAGE_ROLLUP
      + " events WHERE requests > 0";
  private static final String RAW = "SELECT time, " + USAGE + ", " + Rows.FINITE_COST
      + " AS cost_usd, 1 AS requests FROM " + EVENTS + " events WHERE event_name = 'api_request'";

  private UsageRows() {}

  /**
   * The rows of {@code [from, to)} (either null: unbounded): the rollup's whole quarter hours, and
   * the raw events of the partial quarter hours at the ends. A range of whole days in any time zone
   * is whole quarter hours (every zone's offset since 2000 is), so a report reads the rollup alone.
   */
  static String rolledUp(Sql sql, Instant from, Instant to, Synthetic synthetic) {
    Instant first = from == null ? null : ceil(from);
    Instant last = to == null ? null : floor(to);
    if (first != null && to != null && first.isAfter(to)) {
      first = to;
    }
    if (first != null && last != null && last.isBefore(first)) {
      last = first;
    }
    List<String> parts = new ArrayList<>();
    parts.add(ROLLUP + range(sql, "quarter_hour", first, last) + UsageQueries.sessions(synthetic));
    if (from != null && from.isBefore(first)) {
      parts.add(RAW + range(sql, "time", from, first) + UsageQueries.sessions(synthetic));
    }
    if (to != null && last.isBefore(to)) {
      parts.add(RAW + range(sql, "time", last, to) + UsageQueries.sessions(synthetic));
    }
    return "(" + String.join(" UNION ALL ", parts) + ") events";
  }

  /** The raw events of {@code [from, to)}, to the minute. */
  static String raw(Sql sql, Instant from, Instant to, Synthetic synthetic) {
    return "(" + RAW + range(sql, "time", from, to) + UsageQueries.sessions(synthetic) + ") events";
  }

  private static String range(Sql sql, String column, Instant from, Instant to) {
    return (from == null ? "" : " AND " + column + " >= " + sql.bind(from.atOffset(ZoneOffset.UTC)))
        + (to == null ? "" : " AND " + column + " < " + sql.bind(to.atOffset(ZoneOffset.UTC)));
  }

  /** The start of the quarter hour holding {@code time}. */
  static Instant floor(Instant time) {
    return Instant.ofEpochSecond(time.getEpochSecond() - Math.floorMod(time.getEpochSecond(), QUARTER_HOUR_SECONDS));
  }

  /** The first quarter hour's start at or after {@code time}. */
  static Instant ceil(Instant time) {
    Instant floor = floor(time);
    return floor.equals(time) ? floor : floor.plusSeconds(QUARTER_HOUR_SECONDS);
  }
}
