package dev.contextwatch.checkpoint;

import dev.contextwatch.core.config.Budget;
import dev.contextwatch.core.config.WebhookEndpoint;
import dev.contextwatch.core.summary.BudgetCrossed;
import dev.contextwatch.core.summary.SessionSummary;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Counts the budgets (budget_sessions, budget_use) from the sessions' committed totals: what a
 * summary has more than its session's totals already counted is added to every budget covering
 * it, in the period (UTC) of the session's latest record, and a use reaching a budget's warning
 * share or limit for the first time in its period is marked and announced through the outbox, all
 * in one transaction: the totals are exact (the deduplicated totals, each increase counted once)
 * and a replay or restart neither counts nor announces twice. Synthetic sessions (a load test's)
 * count towards no budget.
 */
final class BudgetLedger {
  private static final String DEFINE = "INSERT INTO budgets (name, position, period, cost_micros, tokens, project, fleet, user_id,"
      + " warn_percent, zone) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
  private static final String ADD_USE = "INSERT INTO budget_use (budget, period, period_key, subject, period_start, period_end,"
      + " cost_micros, tokens) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (budget, period_key, subject) DO UPDATE SET"
      + " cost_micros = budget_use.cost_micros + excluded.cost_micros, tokens = budget_use.tokens + excluded.tokens,"
      + " updated_at = now() RETURNING cost_micros, tokens, warned_at IS NOT NULL, exceeded_at IS NOT NULL";
  private static final String MARK = "UPDATE budget_use SET warned_at = COALESCE(warned_at, now()),"
      + " exceeded_at = CASE WHEN $4 THEN COALESCE(exceeded_at, now()) ELSE exceeded_at END"
      + " WHERE budget = $1 AND period_key = $2 AND subject = $3";
  private static final String SAVE_COUNTED = "INSERT INTO budget_sessions (session_id, cost_micros, tokens) VALUES ($1, $2, $3)"
      + " ON CONFLICT (session_id) DO UPDATE SET cost_micros = GREATEST(budget_sessions.cost_micros, excluded.cost_micros),"
      + " tokens = GREATEST(budget_sessions.tokens, excluded.tokens), updated_at = now()";

  private final Pool pool;
  private final List<Budget> budgets;

  BudgetLedger(Pool pool, List<Budget> budgets) {
    this.pool = pool;
    this.budgets = budgets;
  }

  /** Writes the configured budgets, in their order, over those of the last start (the API reads them with their use). */
  Future<Void> define() {
    List<Tuple> rows = new ArrayList<>();
    for (int i = 0; i < budgets.size(); i++) {
      Budget b = budgets.get(i);
      rows.add(Tuple.from(new Object[] {b.name(), i, b.period().label(), b.costMicros(), b.tokens(), b.project(), b.fleet(),
          b.user(), b.warnPercent(), Budget.zoneName(b.zone())}));
    }
    return pool.withTransaction(conn -> conn.query("DELETE FROM budgets").execute()
        .compose(v -> rows.isEmpty() ? Future.succeededFuture() : conn.preparedQuery(DEFINE).executeBatch(rows).mapEmpty()));
  }

  /** A session's use: its cost in micro-dollars and its tokens of every kind. */
  private record Use(long costMicros, long tokens) {
    static Use of(SessionSummary summary) {
      SessionSummary.Usage u = summary.totals().usage();
      return new Use(u.costMicros(), u.inputTokens() + u.outputTokens() + u.cacheReadTokens() + u.cacheCreationTokens());
    }

    Use more(Use counted) {
      return new Use(Math.max(0, costMicros - counted.costMicros), Math.max(0, tokens - counted.tokens));
    }

    boolean none() {
      return costMicros == 0 && tokens == 0;
    }
  }

  /** One budget's use in one period and subject, grown by what the batch's sessions added, and the last of them. */
  private static final class Slot {
    final Budget budget;
    final LocalDate start;
    final String subject;
    final SessionSummary by;
    long costMicros;
    long tokens;

    Slot(Budget budget, LocalDate start, String subject, SessionSummary by) {
      this.budget = budget;
      this.start = start;
      this.subject = subject;
      this.by = by;
    }

    String periodKey() {
      return budget.periodKey(start);
    }
  }

  /** Counts the summaries' increases; answers what reached a warning share or a limit, once committed. */
  Future<List<BudgetCrossed>> count(List<SessionSummary> summaries, List<WebhookEndpoint> endpoints) {
    List<SessionSummary> counting = summaries.stream().filter(s -> !s.synthetic()).toList();
    if (budgets.isEmpty() || counting.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return pool.withTransaction(conn -> counted(conn, counting)
        .compose(counted -> {
          Map<String, Use> increases = increases(counting, counted);
          return addUse(conn, slots(counting, increases))
              .compose(crossed -> announce(conn, crossed, endpoints))
              .compose(crossed -> saveCounted(conn, counting, increases).map(crossed));
        }));
  }

  /**
   * What is already counted of each session, its row locked to the end of the transaction. A
   * session never counted gets its row (zero) first: with nothing to lock, two nodes counting it at
   * once would both read nothing counted and add its use twice. Rows are taken in id order, so two
   * such transactions wait for each other instead of deadlocking.
   */
  private static Future<Map<String, Use>> counted(SqlConnection conn, List<SessionSummary> summaries) {
    Tuple ids = Tuple.of(summaries.stream().map(SessionSummary::sessionId).sorted().distinct().toArray(String[]::new));
    return conn.preparedQuery("INSERT INTO budget_sessions (session_id, cost_micros, tokens) SELECT id, 0, 0 FROM unnest($1::text[])"
            + " AS id ORDER BY id ON CONFLICT (session_id) DO NOTHING").execute(ids)
        .compose(v -> conn.preparedQuery("SELECT session_id, cost_micros, tokens FROM budget_sessions WHERE session_id = ANY($1::text[])"
            + " ORDER BY session_id FOR UPDATE").execute(ids))
        .map(rows -> {
          Map<String, Use> counted = new HashMap<>();
          rows.forEach(r -> counted.put(r.getString(0), new Use(r.getLong(1), r.getLong(2))));
          return counted;
        });
  }

  /** What each session has more than already counted; sessions with nothing more are left out. */
  private static Map<String, Use> increases(List<SessionSummary> summaries, Map<String, Use> counted) {
    Map<String, Use> increases = new LinkedHashMap<>();
    for (SessionSummary summary : summaries) {
      Use more = Use.of(summary).more(counted.getOrDefault(summary.sessionId(), new Use(0, 0)));
      if (!more.none()) {
        increases.put(summary.sessionId(), more);
      }
    }
    return increases;
  }

  private List<Slot> slots(List<SessionSummary> summaries, Map<String, Use> increases) {
    Map<List<Object>, Slot> slots = new LinkedHashMap<>();
    for (SessionSummary summary : summaries) {
      Use more = increases.get(summary.sessionId());
      if (more == null) {
        continue;
      }
      Instant time = summary.identity().lastSeen() != null ? summary.identity().lastSeen() : Instant.now();
      for (Budget budget : budgets) {
        if (budget.covers(summary.project(), summary.identity().userId())) {
          LocalDate start = budget.periodStart(time);
          String subject = budget.subject(summary.sessionId(), summary.project());
          Slot slot = slots.computeIfAbsent(List.of(budget.name(), budget.periodKey(start), subject),
              key -> new Slot(budget, start, subject, summary));
          slot.costMicros += more.costMicros;
          slot.tokens += more.tokens;
        }
      }
    }
    return new ArrayList<>(slots.values());
  }

  /** Adds each slot's increase; answers the crossings it caused (a warning share or a limit reached for the first time). */
  private static Future<List<BudgetCrossed>> addUse(SqlConnection conn, List<Slot> slots) {
    if (slots.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    List<Tuple> rows = slots.stream().map(s -> Tuple.of(s.budget.name(), s.budget.period().label(), s.periodKey(), s.subject,
        s.budget.instantOf(s.start), s.budget.instantOf(s.budget.period().end(s.start)), s.costMicros, s.tokens)).toList();
    return conn.preparedQuery(ADD_USE).executeBatch(rows).map(result -> {
      Instant now = Instant.now();
      List<BudgetCrossed> crossed = new ArrayList<>();
      RowSet<Row> rs = result;
      for (Slot slot : slots) {
        Row use = rs.iterator().next();
        double percent = slot.budget.percentOf(use.getLong(0), use.getLong(1));
        if (!use.getBoolean(2) && percent >= slot.budget.warnPercent()) {
          crossed.add(crossing("budget.warning", slot, use, percent, now));
        }
        if (!use.getBoolean(3) && percent >= 100) {
          crossed.add(crossing("budget.exceeded", slot, use, percent, now));
        }
        rs = rs.next();
      }
      return crossed;
    });
  }

  private static BudgetCrossed crossing(String event, Slot slot, Row use, double percent, Instant now) {
    Budget b = slot.budget;
    SessionSummary by = slot.by;
    return new BudgetCrossed(event, b.name(), b.period().label(), slot.start, b.period().end(slot.start), slot.subject,
        b.fleet() ? null : by.project(), b.user(), b.period() == Budget.Period.SESSION ? by.sessionId() : null,
        b.costMicros(), b.tokens(), use.getLong(0), use.getLong(1), percent, b.warnPercent(), now, b.zone());
  }

  /** Marks the crossings (so each is announced once per period) and writes their deliveries to the outbox. */
  private static Future<List<BudgetCrossed>> announce(SqlConnection conn, List<BudgetCrossed> crossed,
      List<WebhookEndpoint> endpoints) {
    if (crossed.isEmpty()) {
      return Future.succeededFuture(crossed);
    }
    List<Tuple> marks = crossed.stream().map(c -> Tuple.of(c.name(), c.periodKey(),
        c.subject(), c.event().equals("budget.exceeded"))).toList();
    List<Notification> notifications = crossed.stream().map(BudgetLedger::notification).toList();
    return conn.preparedQuery(MARK).executeBatch(marks)
        .compose(v -> CheckpointStore.insertDeliveries(conn, notifications, endpoints))
        .map(crossed);
  }

  private static Notification notification(BudgetCrossed c) {
    String key = c.event() + ":" + c.name() + ":" + c.periodKey() + ":" + c.subject();
    JsonObject payload = new JsonObject().put("type", c.event()).put("time", c.time().toString()).put("budget", c.toJson());
    return new Notification(c.event(), key, c.sessionId(), c.project(), false, payload);
  }

  private static Future<Void> saveCounted(SqlConnection conn, List<SessionSummary> summaries, Map<String, Use> increases) {
    List<Tuple> rows = summaries.stream().filter(s -> increases.containsKey(s.sessionId()))
        .map(s -> Tuple.of(s.sessionId(), Use.of(s).costMicros, Use.of(s).tokens)).toList();
    return rows.isEmpty() ? Future.succeededFuture() : conn.preparedQuery(SAVE_COUNTED).executeBatch(rows).mapEmpty();
  }
}
