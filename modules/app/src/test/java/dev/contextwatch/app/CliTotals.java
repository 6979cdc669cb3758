package dev.contextwatch.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.contextwatch.testkit.Fixtures;
import io.vertx.core.json.JsonObject;

/** A session as the API shows it against what the Claude Code CLI itself reported for the recorded run. */
final class CliTotals {
  private CliTotals() {}

  /** {@code session} is the answer of {@code GET /api/v1/sessions/{id}} after the folder's requests. */
  static void assertMatch(JsonObject session, Fixtures.Folder folder) {
    JsonObject cli = folder.cliResult();
    JsonObject usage = cli.getJsonObject("usage");
    JsonObject totals = session.getJsonObject("totals");
    assertThat(totals.getString("source")).isEqualTo("events");
    assertThat(totals.getLong("inputTokens")).isEqualTo(usage.getLong("input_tokens"));
    assertThat(totals.getLong("outputTokens")).isEqualTo(usage.getLong("output_tokens"));
    assertThat(totals.getLong("cacheReadTokens")).isEqualTo(usage.getLong("cache_read_input_tokens"));
    assertThat(totals.getLong("cacheCreationTokens")).isEqualTo(usage.getLong("cache_creation_input_tokens"));
    assertThat(totals.getDouble("costUsd")).isCloseTo(cli.getDouble("total_cost_usd"), within(1e-9));
    assertThat(totals.getLong("apiRequests")).isEqualTo(cli.getLong("num_turns"));
    // the metrics, delta or cumulative, are the cross-check: converted to deltas they add up to the same
    JsonObject metrics = session.getJsonObject("metrics");
    assertThat(metrics.getDouble("inputTokens")).isEqualTo(usage.getLong("input_tokens").doubleValue());
    assertThat(metrics.getDouble("outputTokens")).isEqualTo(usage.getLong("output_tokens").doubleValue());
    assertThat(metrics.getDouble("cacheReadTokens")).isEqualTo(usage.getLong("cache_read_input_tokens").doubleValue());
    assertThat(metrics.getDouble("cacheCreationTokens")).isEqualTo(usage.getLong("cache_creation_input_tokens").doubleValue());
    assertThat(metrics.getDouble("costUsd")).isCloseTo(cli.getDouble("total_cost_usd"), within(1e-9));
  }
}
