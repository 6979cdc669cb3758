package dev.contextwatch.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.contextwatch.testkit.Fixtures;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** A recorded CLI run's burn rate, taken just after its last request: the stored rows' sums over each window, and the CLI's own totals over the hour. */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BurnRateReplayTest {
  private static final String TOKENS = "coalesce(input_tokens, 0) + coalesce(output_tokens, 0) + coalesce(cache_read_tokens, 0)"
      + " + coalesce(cache_creation_tokens, 0)";
  private PipelineHarness pipeline;

  @BeforeAll
  void start(Vertx vertx) throws Exception {
    pipeline = PipelineHarness.start(vertx);
  }

  @AfterAll
  void stop() throws Exception {
    pipeline.stop();
  }

  Stream<Fixtures.Folder> folders() {
    return Fixtures.folders().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("folders")
  @DisplayName("a replayed CLI run's burn rate at its last request is its stored rows' sums over each window, its last hour the CLI's totals")
  void replay(Fixtures.Folder folder) throws Exception {
    for (Fixtures.Request request : folder.requests()) {
      assertThat(pipeline.postAndWait(request.path(), request.contentType(), request.body(), Map.of()).status()).isEqualTo(200);
    }
    String session = "'" + folder.sessionId() + "'";
    String requests = " from events where event_name = 'api_request' and session_id = " + session;
    // just after the last request, so every window ends with it
    Instant at = Instant.parse(pipeline.query("select to_char((max(time) + interval '1 millisecond') at time zone 'UTC',"
        + " 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')" + requests));
    JsonObject rates = pipeline.api(HttpMethod.GET, "/api/v1/sessions/" + folder.sessionId() + "/burn-rate?at=" + at, 200)
        .getJsonObject("rates");

    for (String window : new String[] {"now", "lastHour"}) {
      String since = " and time >= '" + at.minusSeconds(window.equals("now") ? 600 : 3600) + "'";
      JsonObject figures = rates.getJsonObject(window);
      assertThat(figures.getLong("tokens")).as(window).isEqualTo(pipeline.count("select coalesce(sum(" + TOKENS + "), 0)" + requests + since));
      assertThat(figures.getDouble("costUsd")).as(window).isEqualTo(Double.parseDouble(
          pipeline.query("select coalesce(sum(round(cost_usd::numeric, 6)), 0)" + requests + since)));
      assertThat(figures.getLong("requests")).as(window).isEqualTo(pipeline.count("select count(*)" + requests + since));
    }
    JsonObject lastHour = rates.getJsonObject("lastHour");
    JsonObject usage = folder.cliResult().getJsonObject("usage");
    long cliTokens = usage.getLong("input_tokens") + usage.getLong("output_tokens") + usage.getLong("cache_read_input_tokens")
        + usage.getLong("cache_creation_input_tokens");
    assertThat(lastHour.getLong("tokens")).as("the run lasted under an hour: its whole use").isEqualTo(cliTokens);
    assertThat(lastHour.getDouble("costUsdPerHour")).isCloseTo(folder.cliResult().getDouble("total_cost_usd"),
        within(1e-6 * lastHour.getLong("requests")));
  }
}
