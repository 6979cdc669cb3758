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
 */
final class Snapshots {
  /** The most recently active sessions a snapshot carries; {@code truncated} says when more matched. */
  static final int CAP = 5000;

  private final Pool pool;
  private final SessionConfig sessions;

  Snapshots(Pool pool, SessionConfig sessions) {
    this.pool = pool;
    this.sessions = sessions;
  }

  /** The snapshot frame's fields: {@code sessions}, most recently active first, and {@code truncated}. */
  Future<JsonObject> read(Filter filter) {
    List<Object> params = new ArrayList<>();
    List<String> conditions = new ArrayList<>();
    any("session_id", filter.sessions(), conditions, params);
    any("project", filter.projects(), conditions, params);
    any("run_id", filter.runs(), conditions, params);
    String sql = "SELECT session_id, last_received_at, closed_at, summary,"
        + " (SELECT level FROM session_levels l WHERE l.session_id = sessions.session_id) AS level FROM sessions"
        + (conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions))
        + " ORDER BY last_received_at DESC, session_id LIMIT " + (CAP + 1);
    Instant now = Instant.now();
    return pool.preparedQuery(sql).execute(Tuple.from(params)).map(rows -> {
      JsonArray items = new JsonArray();
      rows.forEach(row -> {
        if (items.size() < CAP) {
          items.add(summary(row, now));
        }
      });
      return new JsonObject().put("sessions", items).put("truncated", rows.size() > CAP);
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
