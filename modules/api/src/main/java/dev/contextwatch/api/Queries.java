package dev.contextwatch.api;

import static dev.contextwatch.api.Rows.EVENT_COLUMNS;
import static dev.contextwatch.api.Rows.SESSION_COLUMNS;
import static dev.contextwatch.api.Rows.TOTALS;
import static dev.contextwatch.core.db.ReadModels.CHECKPOINTS;
import static dev.contextwatch.core.db.ReadModels.CHECKPOINT_MIGRATIONS;
import static dev.contextwatch.core.db.ReadModels.CONTEXT_SAMPLES;
import static dev.contextwatch.core.db.ReadModels.EVENTS;
import static dev.contextwatch.core.db.ReadModels.PERSISTENCE_MIGRATIONS;
import static dev.contextwatch.core.db.ReadModels.SESSIONS_WITH_LEVELS;
import static dev.contextwatch.core.db.ReadModels.SPANS;
import static dev.contextwatch.core.db.ReadModels.WEBHOOK_DELIVERIES;

import dev.contextwatch.core.config.SessionConfig;
import dev.contextwatch.core.model.SessionStatus;
import dev.contextwatch.core.model.Synthetic;
import dev.contextwatch.core.model.WebhookDelivery;
import dev.contextwatch.core.summary.SessionSummary;
import dev.contextwatch.core.summary.SummaryCodec;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Every read of the API: prepared statements whose values travel as parameters, answered as JSON.
 * It reads the read models the owners publish ({@link dev.contextwatch.core.db.ReadModels}), never their tables.
 */
final class Queries {
  /** The most recent context samples a session's detail carries. */
  static final int CONTEXT_SERIES_CAP = 2000;

  private static final String SESSION_BY_ID = "SELECT " + SESSION_COLUMNS + " FROM " + SESSIONS_WITH_LEVELS + " WHERE session_id = $1";
  /** The project's other open sessions, the latest first: enough to say how many wait for a person. */
  private static final String PROJECT_OTHERS = "SELECT " + SESSION_COLUMNS + " FROM " + SESSIONS_WITH_LEVELS
      + " WHERE project = $1 AND session_id <> $2 AND closed_at IS NULL ORDER BY last_received_at DESC LIMIT 500";
  private static final String WAITING = "waiting";
  private static final String SESSION_EXISTS = "SELECT 1 FROM " + SESSIONS_WITH_LEVELS + " WHERE session_id = $1";
  private static final String CONTEXT_SERIES = "SELECT * FROM (SELECT time, prompt_tokens, model, compacted"
      + " FROM " + CONTEXT_SAMPLES + " WHERE session_id = $1 ORDER BY time DESC LIMIT " + CONTEXT_SERIES_CAP + ") latest"
      + " ORDER BY time";
  private static final String RUN_SESSIONS = "SELECT " + SESSION_COLUMNS
      + " FROM " + SESSIONS_WITH_LEVELS + " WHERE run_id = $1%s ORDER BY first_seen, session_id";
  /** The sessions of a project or run that a deletion removes; {@code %s} is the column. */
  private static final String SESSION_IDS = "SELECT session_id FROM " + SESSIONS_WITH_LEVELS + " WHERE %s = $1%s";
  private static final String EVENT_ORDER = "time DESC, event_sequence DESC NULLS LAST, dedup_key";
  /** Successful migrations per owner of tables, read from the views each publishes of its own history. */
  private static final String MIGRATIONS = "SELECT (SELECT count(*) FROM " + PERSISTENCE_MIGRATIONS + " WHERE success),"
      + " (SELECT count(*) FROM " + CHECKPOINT_MIGRATIONS + " WHERE success)";

  /** The most spans a session's tree of agents is built from (its earliest). */
  static final int AGENT_SPANS_CAP = 20_000;
  private static final String AGENT_SPANS = "SELECT span_id, parent_span_id, name, attributes FROM " + SPANS
      + " WHERE session_id = $1 AND name = ANY($2) ORDER BY time LIMIT " + AGENT_SPANS_CAP;

  private final Pool pool;
  private final SessionConfig config;

  Queries(Pool pool, SessionConfig config) {
    this.pool = pool;
    this.config = config;
  }

  Future<JsonObject> sessions(SessionQuery query) {
    Instant now = Instant.now();
    return page(SESSIONS_WITH_LEVELS, SESSION_COLUMNS, query.filter(now, config), sql -> query.sort().orderBy(sql, now, config), query.page(),
        row -> Rows.session(row, now, config));
  }

  /** The session's JSON; fails with 404 when it is unknown. */
  Future<JsonObject> session(String id) {
    Instant now = Instant.now();
    return pool.preparedQuery(SESSION_BY_ID).execute(Tuple.of(id))
        .map(rows -> Rows.session(single(rows, () -> unknownSession(id)), now, config));
  }

  /** The session's status line (see {@link StatusLineText}); fails with 404 when it is unknown. */
  Future<String> statusLine(String id, double costPerHour) {
    Instant now = Instant.now();
    return pool.preparedQuery(SESSION_BY_ID).execute(Tuple.of(id))
        .map(rows -> SummaryCodec.fromJson(id, single(rows, () -> unknownSession(id)).getValue("summary")))
        .compose(summary -> othersWaiting(summary, now).map(waiting -> StatusLineText.of(summary, costPerHour, waiting)));
  }

  /** The status is the API's (a session's row read as every endpoint reads it). */
  private Future<Long> othersWaiting(SessionSummary summary, Instant now) {
    if (summary.project() == null) {
      return Future.succeededFuture(0L);
    }
    return rows(PROJECT_OTHERS, Tuple.of(summary.project(), summary.sessionId()), row -> Rows.session(row, now, config))
        .map(others -> others.stream().filter(o -> WAITING.equals(((JsonObject) o).getString("status"))).count());
  }

  Future<JsonObject> sessionWithContext(String id) {
    return session(id).compose(session -> rows(CONTEXT_SERIES, Tuple.of(id), Rows::contextSample)
        .map(series -> session.put("contextSeries", series)));
  }

  /** The session's events, newest first; fails with 404 when the session is unknown. */
  Future<JsonObject> events(String sessionId, String name, Page page) {
    Sql sql = new Sql();
    sql.where("session_id = " + sql.bind(sessionId));
    if (name != null) {
      sql.where("event_name = " + sql.bind(name));
    }
    return pool.preparedQuery(SESSION_EXISTS).execute(Tuple.of(sessionId))
        .map(rows -> single(rows, () -> unknownSession(sessionId)))
        .compose(exists -> page(EVENTS, EVENT_COLUMNS, sql, order -> EVENT_ORDER, page, Rows::event));
  }

  /**
   * The tree of agents that ran in the session, from its trace spans ({@link AgentTree}), and how
   * many spans it was built from; fails with 404 when the session is unknown.
   */
  Future<JsonObject> agents(String sessionId) {
    String[] names = {AgentTree.REQUEST, AgentTree.TOOL, AgentTree.TOOL_EXECUTION};
    return pool.preparedQuery(SESSION_EXISTS).execute(Tuple.of(sessionId))
        .map(rows -> single(rows, () -> unknownSession(sessionId)))
        .compose(exists -> pool.preparedQuery(AGENT_SPANS).execute(Tuple.of(sessionId).addArrayOfString(names)))
        .map(rows -> {
          List<AgentTree.Span> spans = new ArrayList<>();
          rows.forEach(row -> spans.add(new AgentTree.Span(row.getString(0), row.getString(1), row.getString(2),
              row.getValue(3) instanceof JsonObject attributes ? attributes : new JsonObject())));
          return spans;
        })
        .map(spans -> new JsonObject().put("spans", spans.size()).put("truncated", spans.size() >= AGENT_SPANS_CAP)
            .put("main", AgentTree.build(spans)));
  }

  Future<JsonObject> projects(Synthetic synthetic) {
    Sql sql = new Sql();
    Instant now = Instant.now();
    String active = StatusCondition.of(SessionStatus.ACTIVE, sql, now, config);
    String waiting = StatusCondition.of(SessionStatus.WAITING, sql, now, config);
    sql.whereNotNull(synthetic.condition("synthetic"));
    String select = "SELECT project, count(*) AS sessions, count(*) FILTER (WHERE " + active + ") AS active, " + TOTALS
        + ", count(*) FILTER (WHERE " + waiting + ") AS waiting"
        + ", max(last_received_at) AS last_received_at FROM " + SESSIONS_WITH_LEVELS + sql.whereClause() + " GROUP BY project"
        + " ORDER BY max(last_received_at) DESC, project NULLS LAST";
    return rows(select, sql.params(), row -> new JsonObject()
        .put("project", row.getString("project"))
        .put("sessions", row.getLong("sessions"))
        .put("active", row.getLong("active"))
        .mergeIn(Rows.totals(row))
        .put("lastReceivedAt", Rows.iso(Rows.instant(row, "last_received_at")))
        .put("waiting", row.getLong("waiting")))
        .map(items -> new JsonObject().put("items", items));
  }

  /** Every run shown with its totals, its sessions by status, its status and its time span, the latest active first. */
  Future<JsonObject> runs(Synthetic synthetic) {
    Sql sql = new Sql();
    Instant now = Instant.now();
    String columns = runColumns(sql, now);
    sql.where("run_id IS NOT NULL").whereNotNull(synthetic.condition("synthetic"));
    String select = "SELECT run_id, " + columns + " FROM " + SESSIONS_WITH_LEVELS + sql.whereClause()
        + " GROUP BY run_id ORDER BY max(last_received_at) DESC, run_id";
    return rows(select, sql.params(), row -> new JsonObject().put("runId", row.getString("run_id")).mergeIn(Rows.run(row, now))
            .mergeIn(Rows.runTotals(row)))
        .map(items -> new JsonObject().put("items", items));
  }

  /**
   * The run's totals, status and time span, and its sessions nested by parent; fails with 404 when
   * no session shown has that run id.
   */
  Future<JsonObject> run(String id, Synthetic synthetic) {
    Sql sql = new Sql();
    Instant now = Instant.now();
    String columns = runColumns(sql, now);
    sql.where("run_id = " + sql.bind(id)).whereNotNull(synthetic.condition("synthetic"));
    return pool.preparedQuery("SELECT " + columns + " FROM " + SESSIONS_WITH_LEVELS + sql.whereClause()).execute(sql.params())
        .map(rows -> rows.iterator().next())
        .compose(run -> run.getLong("sessions") == 0
            ? Future.failedFuture(ApiException.notFound("no session belongs to run '" + id + "'" + hidden(synthetic)))
            : runTree(id, synthetic).map(tree -> new JsonObject().put("runId", id).mergeIn(Rows.run(run, now))
                .put("totals", Rows.runTotals(run)).put("tree", tree)));
  }

  /** What {@link Rows#run} reads of a group of sessions: totals, counts by status (as of {@code now}), time span. */
  private String runColumns(Sql sql, Instant now) {
    StringBuilder columns = new StringBuilder("count(*) AS sessions, min(project) AS project, " + TOTALS
        + ", sum(api_requests) AS api_requests, min(first_seen) AS first_seen, max(last_received_at) AS last_received_at");
    for (SessionStatus status : SessionStatus.values()) {
      columns.append(", count(*) FILTER (WHERE ").append(StatusCondition.of(status, sql, now, config)).append(") AS ")
          .append(status.label());
    }
    return columns.toString();
  }

  private Future<JsonArray> runTree(String id, Synthetic synthetic) {
    Instant now = Instant.now();
    return pool.preparedQuery(RUN_SESSIONS.formatted(synthetic.and("synthetic"))).execute(Tuple.of(id)).map(rows -> {
      List<JsonObject> sessions = new ArrayList<>();
      rows.forEach(row -> sessions.add(Rows.session(row, now, config)));
      return RunTree.build(sessions);
    });
  }

  /**
   * The ids of the sessions of a project ({@code column} project) or run ({@code run_id}) that
   * {@code synthetic} admits; fails with 404 naming {@code what} when there are none.
   */
  Future<List<String>> sessionIds(String column, String value, Synthetic synthetic, String what) {
    return pool.preparedQuery(SESSION_IDS.formatted(column, synthetic.and("synthetic"))).execute(Tuple.of(value)).map(rows -> {
      List<String> ids = new ArrayList<>();
      rows.forEach(row -> ids.add(row.getString(0)));
      if (ids.isEmpty()) {
        throw ApiException.notFound("no " + (synthetic == Synthetic.ONLY ? "synthetic " : "") + "session belongs to " + what
            + hidden(synthetic));
      }
      return ids;
    });
  }

  /** Says how to see what the default filter hides. */
  private static String hidden(Synthetic synthetic) {
    return synthetic == Synthetic.EXCLUDE ? " (sessions a load test simulated are left out unless synthetic=include)" : "";
  }

  /**
   * Successful migrations recorded by each owner of tables (persistence, checkpoint), in that
   * order; fails when the database or an owner's published history is missing.
   */
  Future<List<Long>> migrations() {
    return pool.preparedQuery(MIGRATIONS).execute().map(rows -> rows.iterator().next())
        .map(row -> List.of(row.getLong(0), row.getLong(1)));
  }

  /** Checkpoints, newest first, filtered by session, project and level. */
  Future<JsonObject> checkpoints(String session, String project, String level, Page page) {
    Sql sql = new Sql();
    equal(sql, "session_id", session);
    equal(sql, "project", project);
    equal(sql, "level", level);
    return page(CHECKPOINTS, Rows.CHECKPOINT_COLUMNS, sql, order -> "created_at DESC, id DESC", page, Rows::checkpoint);
  }

  /** Webhook deliveries, newest first, filtered by status, session and endpoint. */
  Future<JsonObject> deliveries(String status, String session, String endpoint, Page page) {
    Sql sql = new Sql();
    equal(sql, "status", status);
    equal(sql, "session_id", session);
    equal(sql, "endpoint", endpoint);
    return page(WEBHOOK_DELIVERIES, WebhookDelivery.COLUMNS, sql, order -> "created_at DESC, id", page, Rows::delivery);
  }

  private static void equal(Sql sql, String column, String value) {
    if (value != null) {
      sql.where(column + " = " + sql.bind(value));
    }
  }

  /**
   * One page of {@code table} under the filter of {@code sql}, with the count of every matching row;
   * {@code orderBy} may bind parameters of its own (they are not the count's).
   */
  private Future<JsonObject> page(String table, String columns, Sql sql, Function<Sql, String> orderBy, Page page,
      Function<Row, JsonObject> json) {
    String where = sql.whereClause();
    Future<Long> total = count("SELECT count(*) FROM " + table + where, sql.params());
    String order = orderBy.apply(sql);
    String limitOffset = " LIMIT " + sql.bind((long) page.limit()) + " OFFSET " + sql.bind((long) page.offset());
    Future<JsonArray> items = rows("SELECT " + columns + " FROM " + table + where + " ORDER BY " + order + limitOffset,
        sql.params(), json);
    return Future.all(total, items).map(done -> page.json(items.result(), total.result()));
  }

  private Future<Long> count(String sql, Tuple params) {
    return pool.preparedQuery(sql).execute(params).map(rows -> rows.iterator().next().getLong(0));
  }

  private Future<JsonArray> rows(String sql, Tuple params, Function<Row, JsonObject> json) {
    return pool.preparedQuery(sql).execute(params).map(rows -> {
      JsonArray items = new JsonArray();
      rows.forEach(row -> items.add(json.apply(row)));
      return items;
    });
  }

  private static Row single(RowSet<Row> rows, Supplier<ApiException> missing) {
    if (rows.size() == 0) {
      throw missing.get();
    }
    return rows.iterator().next();
  }

  private static ApiException unknownSession(String id) {
    return ApiException.notFound("no session with id '" + id + "'");
  }
}
