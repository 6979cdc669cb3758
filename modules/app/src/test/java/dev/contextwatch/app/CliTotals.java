package dev.contextwatch.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.contextwatch.testkit.Fixtures;
import io.vertx.core.json.JsonObject;

/** A session as the API shows it against what the Claude Code CLI itself reported for the recorded run. */
public final class CliTotals {
  private CliTotals() {}

  /** {@code session} is the answer of {@code GET /api/v1/sessions/{id}} after the folder's requests. */
  static void assertMatch(JsonObject session, Fixtures.Folder folder) {
    JsonObject cli = folder.cliResult();
    JsonObject usage = cli.getJsonObject("usage");
    assertMatch(session, new Fixtures.ModelUsage(usage.getLong("input_tokens"), usage.getLong("output_tokens"),
        usage.getLong("cache_read_input_tokens"), usage.getLong("cache_creation_input_tokens"), cli.getDouble("total_cost_usd")));
    assertThat(session.getJsonObject("totals").getLong("apiRequests")).isEqualTo(cli.getLong("num_turns"));
  }

  /**
   * {@code session} (the API's answer) against the sums of the CLI's {@code modelUsage}: the
   * session total of 2.1.332, whose {@code usage} is only the last turn once a subagent or a
   * compaction ran.
   */
  public static void assertMatch(JsonObject session, Fixtures.ModelUsage cli) {
    JsonObject totals = session.getJsonObject("totals");
    assertThat(totals.getString("source")).isEqualTo("events");
    assertThat(totals.getLong("inputTokens")).as("input tokens").isEqualTo(cli.input());
    assertThat(totals.getLong("outputTokens")).as("output tokens").isEqualTo(cli.output());
    assertThat(totals.getLong("cacheReadTokens")).as("cache read tokens").isEqualTo(cli.cacheRead());
    assertThat(totals.getLong("cacheCreationTokens")).as("cache creation tokens").isEqualTo(cli.cacheCreation());
    assertThat(totals.getDouble("costUsd")).as("cost").isCloseTo(cli.costUsd(), within(1e-9));
    // the metrics, delta or cumulative, are the cross-check: converted to deltas they add up to the same
    // (none at all, shown as null, when every request failed)
    JsonObject metrics = session.getJsonObject("metrics");
    assertThat(metrics.getDouble("inputTokens", 0.0)).as("token.usage input").isEqualTo((double) cli.input());
    assertThat(metrics.getDouble("outputTokens", 0.0)).as("token.usage output").isEqualTo((double) cli.output());
    assertThat(metrics.getDouble("cacheReadTokens", 0.0)).as("token.usage cacheRead").isEqualTo((double) cli.cacheRead());
    assertThat(metrics.getDouble("cacheCreationTokens", 0.0)).as("token.usage cacheCreation").isEqualTo((double) cli.cacheCreation());
    assertThat(metrics.getDouble("costUsd", 0.0)).as("cost.usage").isCloseTo(cli.costUsd(), within(1e-9));
  }
}
