package dev.contextwatch.push;

import dev.contextwatch.core.config.SessionConfig;
import dev.contextwatch.core.model.SessionStatus;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The current summaries of the sessions a filter matches, as a snapshot frame carries them: the
 * stored summary with the status as of now and the context level (ok until one was assigned).
 * Bounded in sessions and in bytes, both counted in PostgreSQL, so that the summaries beyond the
 * bound are never even read.
 */
final class Snapshots {
  /** The most recently active sessions a snapshot carries; {@code truncated} says when more matched. */
  static final int CAP = 5000;
  private static final String ORDER = "ORDER BY last_received_at DESC, session_id";
  /**
   * A session's size in a snapshot: its summary's JSON text as PostgreSQL writes it (a little
   * roomier than ours), its id and the status and level put beside it.
   */
  private static final String SIZE = "octet_length(summary::text) + octet_length(session_id) + 64";

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
   * {@code maxBytes} of summaries (their JSON text), and {@code truncated} when more matched.
   */
  Future<JsonObject> read(Filter filter) {
    List<Object> params = new ArrayList<>();
    List<String> conditions = new ArrayList<>();
    any("session_id", filter.sessions(), conditions, params);
    any("project", filter.projects(), conditions, params);
    any("run_id", filter.runs(), conditions, params);
    String synthetic = filter.synthetic().condition("synthetic");
    if (synthetic != null) {
      conditions.add(synthetic);
    }
    params.add(maxBytes);
    String matching = "SELECT session_id, last_received_at, closed_at, summary,"
        + " (SELECT level FROM session_levels l WHERE l.session_id = sessions.session_id) AS level FROM sessions"
        + (conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions)) + " " + ORDER + " LIMIT " + (CAP + 1);
    String sql = "SELECT session_id, last_received_at, closed_at, level, CASE WHEN upto <= $" + params.size()
        + " THEN summary END AS summary FROM (SELECT *, sum(" + SIZE + ") OVER (" + ORDER
        + " ROWS UNBOUNDED PRECEDING) AS upto FROM (" + matching + ") matching) measured " + ORDER;
    Instant now = Instant.now();
    return pool.preparedQuery(sql).execute(Tuple.from(params)).map(rows -> {
      JsonArray items = new JsonArray();
      rows.forEach(row -> {
        if (items.size() < CAP && row.getValue("summary") != null) {
          items.add(summary(row, now));
        }
      });
      return new JsonObject().put("sessions", items).put("truncated", items.size() < rows.size());
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
    SessionStatus status = SessionStatus.of(instant(row, "last_received_at"), instant(row, "closed_at"), now, sessions);
    return summary.put("sessionId", row.getString("session_id"))
        .put("status", status.label())
        .put("level", row.getString("level") == null ? "ok" : row.getString("level"));
  }

  private static Instant instant(Row row, String column) {
    OffsetDateTime value = row.getOffsetDateTime(column);
    return value == null ? null : value.toInstant();
  }
}
