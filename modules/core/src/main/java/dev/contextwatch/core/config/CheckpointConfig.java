package dev.contextwatch.core.config;

import java.util.List;
import java.util.Map;

/**
 * Context levels (globally and per project), checkpoints, and webhook delivery: {@code maxAttempts}
 * POSTs per delivery, the n-th retry after about {@code backoffBaseMs * 2^(n-1)} with jitter, at
 * most {@code maxInFlight} at once per endpoint; {@code quotaWarningPercent}: the share of a plan
 * limit (5-hour or 7-day) at which quota.warning is sent, once per user, limit and window;
 * {@code budgets}: the cost and token budgets announced with budget.warning and budget.exceeded.
 */
public record CheckpointConfig(
    LevelThresholds levels,
    Map<String, LevelThresholds> projectLevels,
    int samples,
    List<WebhookEndpoint> webhooks,
    int timeoutMs,
    int maxAttempts,
    long backoffBaseMs,
    int maxInFlight,
    int lifecycleSweepSeconds,
    int quotaWarningPercent,
    List<Budget> budgets) {

  public LevelThresholds levelsFor(String project) {
    return project == null ? levels : projectLevels.getOrDefault(project, levels);
  }

  public CheckpointConfig withWebhooks(List<WebhookEndpoint> endpoints, long newBackoffBaseMs) {
    return new CheckpointConfig(levels, projectLevels, samples, endpoints, timeoutMs, maxAttempts, newBackoffBaseMs,
        maxInFlight, lifecycleSweepSeconds, quotaWarningPercent, budgets);
  }

  public CheckpointConfig withBudgets(List<Budget> newBudgets) {
    return new CheckpointConfig(levels, projectLevels, samples, webhooks, timeoutMs, maxAttempts, backoffBaseMs,
        maxInFlight, lifecycleSweepSeconds, quotaWarningPercent, newBudgets);
  }
}
