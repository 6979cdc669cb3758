package dev.contextwatch.api;

import static dev.contextwatch.core.db.ReadModels.BUDGETS;

import dev.contextwatch.core.config.Budget;
import dev.contextwatch.core.summary.BudgetCrossed;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Each configured budget with its use in the current period, read from the view the checkpoint
 * module publishes: the {@link #SUBJECTS} largest subjects (sessions of a session budget, projects
 * of a project budget, the fleet) per budget, in the configuration's order.
 */
final class BudgetQueries {
  static final int SUBJECTS = 50;
  private static final String CURRENT = "SELECT * FROM (SELECT name, position, period, limit_cost_micros, limit_tokens, project,"
      + " fleet, user_id, warn_percent, zone, subject, cost_micros, tokens, warned_at, exceeded_at, updated_at, row_number() OVER"
      + " (PARTITION BY name ORDER BY cost_micros DESC NULLS LAST, tokens DESC NULLS LAST, subject) AS n FROM " + BUDGETS + ") b"
      + " WHERE n <= $1 ORDER BY position, n";

  private final Pool pool;

  BudgetQueries(Pool pool) {
    this.pool = pool;
  }

  /** {@code {"budgets": [{"name", "period", "periodStart", "periodEnd", "limit", ..., "use": [...]}]}}. */
  Future<JsonObject> budgets(Instant now) {
    return pool.preparedQuery(CURRENT).execute(Tuple.of(SUBJECTS)).map(rows -> {
      Map<String, JsonObject> budgets = new LinkedHashMap<>();
      for (Row row : rows) {
        Budget budget = budget(row);
        JsonObject json = budgets.computeIfAbsent(budget.name(), name -> json(budget, now));
        if (row.getString("subject") != null) {
          json.getJsonArray("use").add(use(budget, row));
        }
      }
      return new JsonObject().put("budgets", new JsonArray(budgets.values().stream().toList()));
    });
  }

  private static Budget budget(Row row) {
    return new Budget(row.getString("name"), Budget.Period.parse(row.getString("period")).orElseThrow(),
        row.getLong("limit_cost_micros"), row.getLong("limit_tokens"), row.getString("project"), row.getBoolean("fleet"),
        row.getString("user_id"), row.getInteger("warn_percent"), ZoneId.of(row.getString("zone")));
  }

  private static JsonObject json(Budget budget, Instant now) {
    LocalDate start = budget.periodStart(now);
    return new JsonObject().put("name", budget.name()).put("period", budget.period().label())
        .put("periodStart", start == null ? null : start.toString())
        .put("periodEnd", start == null ? null : budget.period().end(start).toString())
        .put("tz", start == null ? null : Budget.zoneName(budget.zone()))
        .put("scope", budget.period() == Budget.Period.SESSION ? "session" : budget.fleet() ? "fleet" : "project")
        .put("project", budget.project()).put("user", budget.user())
        .put("limit", new JsonObject().put("costUsd", BudgetCrossed.usd(budget.costMicros())).put("tokens", budget.tokens()))
        .put("warnPercent", budget.warnPercent())
        .put("use", new JsonArray());
  }

  private static JsonObject use(Budget budget, Row row) {
    long cost = row.getLong("cost_micros");
    long tokens = row.getLong("tokens");
    return new JsonObject().put("subject", row.getString("subject")).put("costUsd", BudgetCrossed.usd(cost)).put("tokens", tokens)
        .put("percent", budget.percentOf(cost, tokens))
        .put("warned", row.getValue("warned_at") != null).put("exceeded", row.getValue("exceeded_at") != null)
        .put("updatedAt", row.getOffsetDateTime("updated_at").toInstant().toString());
  }
}
