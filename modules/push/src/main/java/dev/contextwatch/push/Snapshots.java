package dev.contextwatch.push;

import static dev.contextwatch.core.db.ReadModels.SESSIONS_WITH_LEVELS;

import dev.contextwatch.core.config.SessionConfig;
import dev.contextwatch.core.model.SessionStatus;
import dev.contextwatch.core.summary.SummaryTiles;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The current summaries of the sessions a filter matches, as a snapshot frame carries them: the
 * stored summary (or its tile, {@link SummaryTiles}) with the status as of now and the context level (ok
 * until one was assigned), read from {@link dev.contextwatch.core.db.ReadModels#SESSIONS_WITH_LEVELS}. Bounded in sessions and in bytes, both counted in PostgreSQL, so that
 * the summaries beyond the bound are never even read.
 */
final class Snapshots {
  /** The most recently active sessions a snapshot of whole summaries carries; {@code truncated} says when more matched. */
  static final int CAP = 5000;
  /** The same for tile summaries, a tenth of the size: a fleet of tens of thousands fits the byte bound. */
  static final int TILE_CAP = 50_000;
  /** Waiting for a person first (as the status computes it; $1 is the idle cut-off), then the most recently active. */
  private static final String ORDER = "ORDER BY (closed_at IS NULL AND waiting_since IS NOT NULL AND last_received_at > $1) DESC,"
      + " last_received_at DESC, session_id";

  private final Pool pool;
  private final SessionConfig sessions;
  private final long maxBytes;

  Snapshots(Pool pool, SessionConfig sessions, long maxBytes) {
    this.pool = pool;
    this.sessions = sessions;
    this.maxBytes = maxBytes;
  }

  /**
   * The snapshot frame's fields: {@code sessions}, most recently active first, as many as fit in
   * {@code maxBytes} of summaries (their JSON text); {@code total}, how many the filter matched,
   * and {@code truncated} when that is more than were sent.
   */
  Future<JsonObject> read(Filter filter, SummaryShape shape) {
    Instant now = Instant.now();
    List<Object> params = new ArrayList<>();
    params.add(OffsetDateTime.ofInstant(now.minus(Duration.ofMinutes(sessions.idleMinutes())), ZoneOffset.UTC));
    List<String> conditions = new ArrayList<>();
    any("session_id", filter.sessions(), conditions, params);
    any("project", filter.projects(), conditions, params);
    any("run_id", filter.runs(), conditions, params);
    String synthetic = filter.synthetic().condition("synthetic");
    if (synthetic != null) {
      conditions.add(synthetic);
    }
    params.add(maxBytes);
    int cap = shape == SummaryShape.TILE ? TILE_CAP : CAP;
    // the matching sessions are found and counted on their keys alone; their summaries are read for
    // those within the cap only
    String matching = "SELECT session_id, count(*) OVER () AS matched FROM " + SESSIONS_WITH_LEVELS
        + (conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions)) + " " + ORDER + " LIMIT " + (cap + 1);
    String shaped = "SELECT s.session_id, s.last_received_at, s.closed_at, s.waiting_since, m.matched, s.level, "
        + (shape == SummaryShape.TILE ? SummaryTiles.SQL : "s.summary") + " AS summary FROM (" + matching + ") m"
        + " JOIN " + SESSIONS_WITH_LEVELS + " s USING (session_id)"
        + (shape == SummaryShape.TILE ? " CROSS JOIN LATERAL " + SummaryTiles.SOURCE : "");
    // a session's size: its summary's JSON text as PostgreSQL writes it (a little roomier than ours),
    // its id and the status and level put beside it
    String sql = "SELECT session_id, last_received_at, closed_at, waiting_since, level, matched, CASE WHEN upto <= $" + params.size()
        + " THEN summary END AS summary FROM (SELECT *, sum(octet_length(summary::text) + octet_length(session_id) + 64)"
        + " OVER (" + ORDER + " ROWS UNBOUNDED PRECEDING) AS upto FROM (" + shaped + ") shaped) measured " + ORDER;
    return pool.preparedQuery(sql).execute(Tuple.from(params)).map(rows -> {
      JsonArray items = new JsonArray();
      long matched = 0;
      for (Row row : rows) {
        matched = row.getLong("matched");
        if (items.size() < cap && row.getValue("summary") != null) {
          items.add(summary(row, now));
        }
      }
      return new JsonObject().put("sessions", items).put("total", matched).put("truncated", items.size() < matched)
          .put("summary", shape.label());
    });
  }

  private static void any(String column, Set<String> values, List<String> conditions, List<Object> params) {
    if (!values.isEmpty()) {
      params.add(values.toArray(new String[0]));
      conditions.add(column + " = ANY($" + params.size() + ")");
    }
  }

  private JsonObject summary(Row row, Instant now) {
    JsonObject summary = row.getValue("summary") instanceof JsonObject json ? json : new JsonObject();
    SessionStatus status = SessionStatus.of(instant(row, "last_received_at"), instant(row, "closed_at"),
        instant(row, "waiting_since"), now, sessions);
    return summary.put("sessionId", row.getString("session_id"))
        .put("status", status.label())
        .put("level", row.getString("level") == null ? "ok" : row.getString("level"));
  }

  private static Instant instant(Row row, String column) {
    OffsetDateTime value = row.getOffsetDateTime(column);
    return value == null ? null : value.toInstant();
  }
}
