package dev.contextwatch.checkpoint;

import dev.contextwatch.core.config.WebhookEndpoint;
import dev.contextwatch.core.db.ReadModels;
import dev.contextwatch.core.model.DeletedRows;
import dev.contextwatch.core.model.WebhookDelivery;
import dev.contextwatch.core.model.SessionStatus;
import dev.contextwatch.core.summary.SessionSummary;
import dev.contextwatch.core.summary.SummaryCodec;
import io.vertx.core.Future;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The checkpoint verticle's tables: session levels, checkpoints and the webhook outbox. A
 * transition's level, checkpoints and deliveries are written in one transaction, so a crash can
 * neither lose nor repeat an announcement. Sessions and their context samples are persistence's:
 * read through the views it publishes ({@link ReadModels}).
 */
final class CheckpointStore {
  private static final String SESSIONS = "session_id = ANY($1::text[])";
  private static final String UPSERT_LEVEL = "INSERT INTO session_levels (session_id, level, epoch, announced_level, status,"
      + " errors_announced, updated_at) VALUES ($1, $2, $3, $4, $5, $6, now()) ON CONFLICT (session_id) DO UPDATE SET"
      + " level = excluded.level, epoch = excluded.epoch, announced_level = excluded.announced_level, status = excluded.status,"
      + " errors_announced = excluded.errors_announced, updated_at = now()";
  private static final String INSERT_CHECKPOINT = "INSERT INTO checkpoints (session_id, project, run_id, model, level, epoch,"
      + " context_tokens, percent_of_threshold, threshold, context_window, requests_left, minutes_left, totals, last_prompt_id, samples)"
      + " SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, COALESCE((SELECT jsonb_agg(jsonb_build_object("
      + "'time', s.time, 'tokens', s.prompt_tokens) ORDER BY s.time) FROM (SELECT time, prompt_tokens FROM " + ReadModels.CONTEXT_SAMPLES
      + " WHERE session_id = $1 ORDER BY time DESC LIMIT $15) s), '[]'::jsonb)"
      + " ON CONFLICT (session_id, level, epoch) DO NOTHING RETURNING id, created_at, samples";
  private static final String INSERT_DELIVERY = "INSERT INTO webhook_deliveries (id, endpoint, event_type, event_key, session_id,"
      + " project, payload, status) VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending') ON CONFLICT (endpoint, event_key) DO NOTHING";
  /**
   * Claims up to $3 due deliveries of endpoint $1 that no lease holds, for claimant $2 until $4 ms
   * from now, in one statement: SKIP LOCKED leaves the rows another node is claiming at the same
   * moment to it, so two claims never return one delivery. Oldest due first.
   */
  private static final String CLAIM = "WITH claimed AS (UPDATE webhook_deliveries SET claimed_by = $2,"
      + " lease_until = now() + $4::bigint * interval '1 millisecond' WHERE id IN (SELECT id FROM webhook_deliveries WHERE endpoint = $1"
      + " AND status = 'pending' AND next_attempt_at <= now() AND (lease_until IS NULL OR lease_until <= now())"
      + " ORDER BY next_attempt_at, created_at LIMIT $3 FOR UPDATE SKIP LOCKED)"
      + " RETURNING id, event_type, payload, attempts, next_attempt_at, created_at)"
      + " SELECT id, event_type, payload, attempts FROM claimed ORDER BY next_attempt_at, created_at";
  /** Only the claimant still named on the delivery records its attempt; recording ends the lease. */
  private static final String HELD = " WHERE id = $1 AND claimed_by = $2";

  private final Pool pool;
  private final int samples;

  CheckpointStore(Pool pool, int samples) {
    this.pool = pool;
    this.samples = samples;
  }

  /** The recorded state of each of {@code sessionIds} that has one. */
  Future<Map<String, LevelState>> levels(Collection<String> sessionIds) {
    return pool.preparedQuery("SELECT session_id, level, epoch, announced_level, status, errors_announced FROM session_levels"
            + " WHERE session_id = ANY($1::text[])")
        .execute(Tuple.of(sessionIds.toArray(String[]::new)))
        .map(rows -> {
          Map<String, LevelState> found = new HashMap<>();
          for (Row row : rows) {
            found.put(row.getString(0), new LevelState(row.getString(0), Level.of(row.getString(1)), row.getInteger(2),
                Level.of(row.getString(3)), status(row.getString(4)), row.getLong(5)));
          }
          return found;
        });
  }

  /** One session's transition, with the summary it came from and the webhook events it announces. */
  record Change(Transition transition, SessionSummary summary, List<Notification> notifications) {}

  /**
   * Writes the changes of many sessions in one transaction (one commit, not one per session: a burst
   * of updates costs one synced write); returns the checkpoints actually created, per change.
   */
  Future<List<List<JsonObject>>> apply(List<Change> changes, List<WebhookEndpoint> endpoints) {
    return pool.withTransaction(conn -> upsertLevels(conn, changes)
        .compose(v -> insertCheckpoints(conn, changes))
        .compose(created -> insertDeliveries(conn, changes, endpoints).map(created)));
  }

  private static Future<Void> upsertLevels(SqlConnection conn, List<Change> changes) {
    List<Tuple> rows = changes.stream().map(c -> c.transition().after())
        .map(s -> Tuple.of(s.sessionId(), s.level().label(), s.epoch(), s.announced().label(), s.status().label(),
            s.errorsAnnounced()))
        .toList();
    return conn.preparedQuery(UPSERT_LEVEL).executeBatch(rows).mapEmpty();
  }

  private Future<List<List<JsonObject>>> insertCheckpoints(SqlConnection conn, List<Change> changes) {
    List<List<JsonObject>> created = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (Change change : changes) {
      List<JsonObject> mine = new ArrayList<>();
      created.add(mine);
      for (Level level : change.transition().announced()) {
        chain = chain.compose(v -> conn.preparedQuery(INSERT_CHECKPOINT)
            .execute(checkpointTuple(change.transition(), level, change.summary()))
            .map(rows -> {
              rows.forEach(row -> mine.add(checkpointJson(row, change.transition(), level, change.summary())));
              return null;
            }));
      }
    }
    return chain.map(created);
  }

  private Tuple checkpointTuple(Transition t, Level level, SessionSummary summary) {
    SessionSummary.Context context = summary.context();
    return Tuple.tuple()
        .addString(t.after().sessionId())
        .addString(summary.project())
        .addString(summary.runId())
        .addString(context.model())
        .addString(level.label())
        .addInteger(t.after().epoch())
        .addLong(context.tokens())
        .addDouble(context.percentOfThreshold())
        .addLong(context.threshold())
        .addLong(context.window())
        .addDouble(context.requestsLeft())
        .addDouble(context.minutesLeft())
        .addValue(SummaryCodec.totals(summary.totals()))
        .addString(summary.lastPromptId())
        .addInteger(samples);
  }

  private static JsonObject checkpointJson(Row row, Transition t, Level level, SessionSummary summary) {
    SessionSummary.Context context = summary.context();
    return new JsonObject()
        .put("id", row.getLong("id"))
        .put("sessionId", t.after().sessionId())
        .put("project", summary.project())
        .put("runId", summary.runId())
        .put("synthetic", summary.synthetic())
        .put("model", context.model())
        .put("level", level.label())
        .put("epoch", t.after().epoch())
        .put("contextTokens", context.tokens())
        .put("percentOfThreshold", context.percentOfThreshold())
        .put("threshold", context.threshold())
        .put("window", context.window())
        .put("requestsLeft", context.requestsLeft())
        .put("minutesLeft", context.minutesLeft())
        .put("totals", SummaryCodec.totals(summary.totals()))
        .put("lastPromptId", summary.lastPromptId())
        .put("samples", row.getValue("samples"))
        .put("time", row.getOffsetDateTime("created_at").toInstant().toString());
  }

  /** A status recorded in session_levels (always one of SessionStatus's labels). */
  private static SessionStatus status(String label) {
    return label == null ? null : SessionStatus.parse(label).orElse(null);
  }

  private static Future<Void> insertDeliveries(SqlConnection conn, List<Change> changes, List<WebhookEndpoint> endpoints) {
    return insertDeliveries(conn, changes.stream().flatMap(change -> change.notifications().stream()).toList(), endpoints);
  }

  /** Writes one delivery per notification and endpoint that wants it, in {@code conn}'s transaction. */
  static Future<Void> insertDeliveries(SqlConnection conn, Collection<Notification> notifications, List<WebhookEndpoint> endpoints) {
    List<Tuple> rows = new ArrayList<>();
    for (Notification n : notifications) {
      for (WebhookEndpoint endpoint : endpoints) {
        if (endpoint.wants(n.type(), n.project(), n.synthetic())) {
          UUID id = UUID.randomUUID();
          rows.add(Tuple.of(id, endpoint.name(), n.type(), n.key(), n.sessionId(), n.project(),
              n.payload().copy().put("id", id.toString())));
        }
      }
    }
    return rows.isEmpty() ? Future.succeededFuture() : conn.preparedQuery(INSERT_DELIVERY).executeBatch(rows).mapEmpty();
  }

  /**
   * Deletes the sessions' level, checkpoints, pending deliveries and what budgets hold of them by
   * name (their counted totals and their session budgets' use) in one transaction; delivered and
   * dead deliveries stay, the record of what was sent, and so does what the sessions added to
   * project, user and fleet budgets: that money was spent.
   */
  Future<DeletedRows> deleteSessions(List<String> sessionIds) {
    Tuple ids = Tuple.of(sessionIds.toArray(String[]::new));
    Map<String, Long> counts = new LinkedHashMap<>();
    return pool.withTransaction(conn -> deleteFrom(conn, "webhook_deliveries", SESSIONS + " AND status = 'pending'", ids, counts)
        .compose(v -> deleteFrom(conn, "checkpoints", SESSIONS, ids, counts))
        .compose(v -> deleteFrom(conn, "session_levels", SESSIONS, ids, counts))
        .compose(v -> deleteFrom(conn, "budget_sessions", SESSIONS, ids, counts))
        .compose(v -> deleteFrom(conn, "budget_use", "period = 'session' AND subject = ANY($1::text[])", ids, counts))
        .map(v -> new DeletedRows(counts)));
  }

  private static Future<Void> deleteFrom(SqlConnection conn, String table, String where, Tuple ids, Map<String, Long> counts) {
    return conn.preparedQuery("DELETE FROM " + table + " WHERE " + where).execute(ids)
        .map(rows -> {
          counts.put(table, (long) rows.rowCount());
          return null;
        });
  }

  /** A delivery ready to be attempted. */
  record Delivery(UUID id, String eventType, JsonObject payload, int attempts) {}

  /** Claims up to {@code limit} due deliveries of {@code endpoint} for {@code claimant}, leased for {@code leaseMs}. */
  Future<List<Delivery>> claim(String endpoint, String claimant, int limit, long leaseMs) {
    return pool.preparedQuery(CLAIM).execute(Tuple.of(endpoint, claimant, limit, leaseMs))
        .map(rows -> {
          List<Delivery> due = new ArrayList<>();
          rows.forEach(r -> due.add(new Delivery(r.getUUID(0), r.getString(1), (JsonObject) r.getJson(2), r.getInteger(3))));
          return due;
        });
  }

  /** Records a delivered attempt; false when {@code claimant} no longer held the delivery (nothing was written). */
  Future<Boolean> delivered(UUID id, String claimant, int statusCode) {
    return pool.preparedQuery("UPDATE webhook_deliveries SET status = 'delivered', attempts = attempts + 1, delivered_at = now(),"
            + " last_status_code = $3, last_error = NULL, lease_until = NULL" + HELD)
        .execute(Tuple.of(id, claimant, statusCode)).map(rows -> rows.rowCount() > 0);
  }

  /**
   * Records a failed attempt: retried at {@code nextAttempt}, or dead when null; false when
   * {@code claimant} no longer held the delivery (nothing was written).
   */
  Future<Boolean> failed(UUID id, String claimant, Integer statusCode, String error, Instant nextAttempt) {
    return pool.preparedQuery("UPDATE webhook_deliveries SET attempts = attempts + 1, last_status_code = $3, last_error = $4,"
            + " status = CASE WHEN $5::timestamptz IS NULL THEN 'dead' ELSE 'pending' END,"
            + " next_attempt_at = COALESCE($5::timestamptz, next_attempt_at), lease_until = NULL" + HELD)
        .execute(Tuple.of(id, claimant, statusCode, error, nextAttempt == null ? null : OffsetDateTime.ofInstant(nextAttempt, ZoneOffset.UTC)))
        .map(rows -> rows.rowCount() > 0);
  }

  /** Ends {@code claimant}'s leases on deliveries it claimed but will not attempt (it is stopping): claimable again at once. */
  Future<Void> release(Collection<UUID> ids, String claimant) {
    return pool.preparedQuery("UPDATE webhook_deliveries SET lease_until = NULL WHERE id = ANY($1::uuid[]) AND claimed_by = $2")
        .execute(Tuple.of(ids.toArray(UUID[]::new), claimant)).mapEmpty();
  }

  /**
   * Puts a delivery back in the queue for one more attempt now. Fails with a {@link ReplyException}
   * of code 404 when no delivery has that id and 409 when it was already delivered.
   */
  Future<WebhookDelivery> retry(UUID id) {
    return pool.preparedQuery("UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = now()"
            + " WHERE id = $1 AND status <> 'delivered' RETURNING " + WebhookDelivery.COLUMNS)
        .execute(Tuple.of(id))
        .compose(updated -> updated.size() > 0 ? Future.succeededFuture(WebhookDelivery.of(updated.iterator().next()))
            : pool.preparedQuery("SELECT 1 FROM webhook_deliveries WHERE id = $1").execute(Tuple.of(id))
                .compose(rows -> Future.failedFuture(rows.size() == 0
                    ? new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 404, "no webhook delivery with id '" + id + "'")
                    : new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 409, "webhook delivery '" + id + "' was already delivered"))));
  }

  /**
   * Replaces the recorded errors that are not one of {@code reasons} (the fixed ones, or matching
   * the {@code numbered} pattern) with {@code replacement}: an earlier version stored the HTTP
   * client's own text, which names the endpoint's host, port and path.
   */
  Future<Integer> replaceForeignErrors(List<String> reasons, String numbered, String replacement) {
    return pool.preparedQuery("UPDATE webhook_deliveries SET last_error = $3 WHERE last_error IS NOT NULL"
            + " AND last_error <> ALL($1) AND last_error !~ $2 AND last_error <> $3")
        .execute(Tuple.of(reasons.toArray(String[]::new), numbered, replacement))
        .map(rows -> rows.rowCount());
  }

  /**
   * The stored summary of a session, read back for the context a restarted session is handed
   * ({@link ReloadedContext}); null when the session is unknown.
   */
  Future<SessionSummary> summary(String sessionId) {
    return pool.preparedQuery("SELECT summary FROM " + ReadModels.SESSIONS + " WHERE session_id = $1").execute(Tuple.of(sessionId))
        .map(rows -> rows.size() == 0 ? null : SummaryCodec.fromJson(sessionId, rows.iterator().next().getJson(0)));
  }

  /** The latest checkpoint of a session; null when it has none. */
  Future<ReloadedContext.Checkpoint> lastCheckpoint(String sessionId) {
    return pool.preparedQuery("SELECT level, created_at, context_tokens, percent_of_threshold FROM checkpoints"
            + " WHERE session_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1").execute(Tuple.of(sessionId))
        .map(rows -> {
          if (rows.size() == 0) {
            return null;
          }
          Row r = rows.iterator().next();
          return new ReloadedContext.Checkpoint(r.getString(0), r.getOffsetDateTime(1).toInstant(), r.getLong(2), r.getDouble(3));
        });
  }

  /** A session whose status may have changed with time alone (active to idle, idle to stale). */
  record Quiet(String sessionId, SessionSummary summary, LevelState state) {}

  /** Sessions recorded as active or idle whose last record arrived before the idle or stale cut-off. */
  Future<List<Quiet>> quiet(Instant activeCutoff, Instant idleCutoff) {
    return pool.preparedQuery("SELECT s.session_id, s.summary, s.last_received_at, l.level, l.epoch, l.announced_level, l.status,"
            + " l.errors_announced"
            + " FROM " + ReadModels.SESSIONS + " s JOIN session_levels l ON l.session_id = s.session_id WHERE s.closed_at IS NULL AND"
            + " ((l.status = 'active' AND s.last_received_at <= $1) OR (l.status IN ('idle', 'waiting') AND s.last_received_at <= $2))")
        .execute(Tuple.of(OffsetDateTime.ofInstant(activeCutoff, ZoneOffset.UTC), OffsetDateTime.ofInstant(idleCutoff, ZoneOffset.UTC)))
        .map(rows -> {
          List<Quiet> quiet = new ArrayList<>();
          for (Row r : rows) {
            SessionSummary stored = SummaryCodec.fromJson(r.getString(0), r.getJson(1));
            SessionSummary summary = stored.withIdentity(stored.identity().withLastReceivedAt(r.getOffsetDateTime(2).toInstant()));
            quiet.add(new Quiet(r.getString(0), summary, new LevelState(r.getString(0), Level.of(r.getString(3)), r.getInteger(4),
                Level.of(r.getString(5)), status(r.getString(6)), r.getLong(7))));
          }
          return quiet;
        });
  }
}
