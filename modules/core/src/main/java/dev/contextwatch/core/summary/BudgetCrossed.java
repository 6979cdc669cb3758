package dev.contextwatch.core.summary;

import dev.contextwatch.core.config.Budget;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;

/**
 * What {@code contextwatch.budget.crossed} carries (local codec): a budget's use in one period
 * reached its warning share ({@code event} budget.warning) or its limit (budget.exceeded). The
 * subject is the session of a session budget, the project of a project budget, or empty for the
 * fleet; {@code periodStart}/{@code periodEnd} (first day after), days of {@code zone}, are null
 * for a session budget.
 * Its JSON is the feed frame's data and the webhook payload's {@code budget}.
 */
public record BudgetCrossed(String event, String name, String period, LocalDate periodStart, LocalDate periodEnd, String subject,
    String project, String user, String sessionId, Long limitCostMicros, Long limitTokens, long costMicros, long tokens,
    double percent, int warnPercent, Instant time, ZoneId zone) {

  /** The key of the period in the budget's ledger (see {@link Budget#periodKey}). */
  public String periodKey() {
    return Budget.periodKey(periodStart, zone);
  }

  public JsonObject toJson() {
    return new JsonObject().put("event", event).put("name", name).put("period", period)
        .put("periodStart", periodStart == null ? null : periodStart.toString())
        .put("periodEnd", periodEnd == null ? null : periodEnd.toString())
        .put("tz", periodStart == null ? null : Budget.zoneName(zone))
        .put("subject", subject).put("project", project).put("user", user).put("sessionId", sessionId)
        .put("limit", new JsonObject().put("costUsd", usd(limitCostMicros)).put("tokens", limitTokens))
        .put("use", new JsonObject().put("costUsd", usd(costMicros)).put("tokens", tokens))
        .put("percent", percent).put("warnPercent", warnPercent).put("time", time.toString());
  }

  /** Micro-dollars as an exact decimal amount of dollars; null stays null. */
  public static BigDecimal usd(Long micros) {
    return micros == null ? null : BigDecimal.valueOf(micros, 6).stripTrailingZeros();
  }
}
