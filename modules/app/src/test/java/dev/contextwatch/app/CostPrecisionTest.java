package dev.contextwatch.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.core.config.WebhookEndpoint;
import dev.contextwatch.testkit.Fixtures;
import dev.contextwatch.testkit.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Costs are added in the client's micro-dollars and shown rounded to them: the same figures, with
 * at most six decimals, in the API, the live feed and the webhooks.
 */
@ExtendWith(VertxExtension.class)
class CostPrecisionTest {
  /** Every cost in a JSON text: its name and the number as written. */
  private static final Pattern COST = Pattern.compile("\"(costUsd|costMicros)\":(-?[0-9][0-9.eE+-]*)");

  @Test
  @DisplayName("after every recorded CLI run, each cost the API, the feed and the webhooks show is a sum of the client's cost_usd_micros, "
      + "with at most six decimals, and the CLI's total within 1e-9")
  void costsRoundedEverywhere(Vertx vertx) throws Exception {
    WebhookReceiver hook = WebhookReceiver.start(vertx, WebhookReceiver.Mode.OK);
    PipelineHarness pipeline = PipelineHarness.start(vertx, TestDatabase.newDatabase(), config -> config.withCheckpoints(
        config.checkpoints().withWebhooks(List.of(new WebhookEndpoint("harness", hook.url(), "secret", WebhookEndpoint.EVENT_TYPES,
            Set.of(), false)), 50)));
    PushClient feed = PushClient.connect(pipeline);
    try {
      feed.subscribe(PushClient.filter("types", "event", "session.updated"));
      feed.next("snapshot");
      List<String> shown = new ArrayList<>();
      long fleetMicros = 0;
      for (Fixtures.Folder folder : Fixtures.folders()) {
        for (Fixtures.Request request : folder.requests()) {
          assertThat(pipeline.postAndWait(request.path(), request.contentType(), request.body(), Map.of()).status()).isEqualTo(200);
        }
        String id = folder.sessionId();
        long clientMicros = pipeline.count("select sum((attributes->>'cost_usd_micros')::bigint) from events "
            + "where event_name = 'api_request' and session_id = '" + id + "'");
        fleetMicros += clientMicros;
        JsonObject session = pipeline.apiGet("/api/v1/sessions/" + id);
        JsonObject totals = session.getJsonObject("totals");
        assertThat(totals.getLong("costMicros")).as(folder.name()).isEqualTo(clientMicros);
        assertThat(totals.getDouble("costUsd")).as(folder.name()).isEqualTo(clientMicros / 1e6);
        CliTotals.assertMatch(session, folder);
        shown.add(session.encode());
        shown.add(pipeline.apiGet("/api/v1/sessions/" + id + "/events?name=api_request").encode());
      }
      JsonObject usage = pipeline.apiGet("/api/v1/usage?bucket=day&" + range(pipeline));
      assertThat(usage.getJsonArray("items").stream().mapToLong(item -> ((JsonObject) item).getLong("costMicros")).sum())
          .isEqualTo(fleetMicros);
      shown.add(usage.encode());
      shown.add(pipeline.apiGet("/api/v1/projects").encode());
      shown.add(pipeline.apiGet("/api/v1/runs").encode());
      shown.add(pipeline.apiGet("/api/v1/runs/run-42").encode());
      shown.add(pipeline.apiGet("/api/v1/checkpoints").encode());

      feed.send("{\"op\":\"ping\"}");
      feed.next("pong");
      List<JsonObject> frames = feed.frames();
      assertThat(frames).anyMatch(frame -> frame.getString("type").equals("event"));
      frames.forEach(frame -> shown.add(frame.encode()));
      List<WebhookReceiver.Attempt> deliveries = hook.awaitDelivered(a -> a.event().startsWith("context."), 1, 60_000);
      deliveries.forEach(delivery -> shown.add(delivery.body()));
      assertThat(deliveries.get(0).payload().getJsonObject("totals").getLong("costMicros")).isPositive();

      assertThat(shown).anyMatch(json -> json.contains("\"costMicros\""));
      for (String json : shown) {
        assertRounded(json);
      }
    } finally {
      pipeline.stop();
      PipelineHarness.await(hook.close());
    }
  }

  /** Every costUsd has at most six decimals and every costMicros is whole; where there are costs, both are there. */
  private static void assertRounded(String json) {
    Matcher m = COST.matcher(json);
    Set<String> names = new HashSet<>();
    while (m.find()) {
      names.add(m.group(1));
      BigDecimal value = new BigDecimal(m.group(2)).stripTrailingZeros();
      int decimals = m.group(1).equals("costMicros") ? 0 : 6;
      assertThat(Math.max(0, value.scale())).as("%s=%s in %s", m.group(1), m.group(2), json).isLessThanOrEqualTo(decimals);
    }
    assertThat(names.isEmpty() || names.equals(Set.of("costUsd", "costMicros"))).as("costUsd and costMicros together in %s", json).isTrue();
  }

  /** from and to around every stored event, whenever the fixtures were recorded. */
  private static String range(PipelineHarness pipeline) throws Exception {
    return "from=" + pipeline.query("select to_char(date_trunc('day', min(time) at time zone 'UTC'), 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') from events")
        + "&to=" + pipeline.query("select to_char(date_trunc('day', max(time) at time zone 'UTC') + interval '1 day', "
        + "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') from events");
  }
}
