package dev.contextwatch.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.core.config.Budget;
import dev.contextwatch.core.config.WebhookEndpoint;
import dev.contextwatch.testkit.Fixtures;
import dev.contextwatch.testkit.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class BudgetAlertTest {
  private static final String SECRET = "whsec-budget";
  /** When the requests' sequence 0 happened (OtlpRequests' T0). */
  private static final long T0_SECONDS = 1_795_411_735L;
  /** The requests' first day (UTC) starts 19,735 s before the first of them: sequence 70,000 is the next day. */
  private static final long NEXT_DAY = 70_000;
  private static final String TOKENS_STORED =
      "select sum(input_tokens + output_tokens + cache_read_tokens + cache_creation_tokens) from sessions where not synthetic";
  private static final Budget DAILY = new Budget("acme-daily", Budget.Period.DAY, 1_000_000L, null, "acme", false, null, 80, ZoneOffset.UTC);
  private static final Budget PER_SESSION = new Budget("session-tokens", Budget.Period.SESSION, null, 250L, null, false, null, 80, ZoneOffset.UTC);

  @Test
  @DisplayName("a budget crossed by replayed requests sends one signed budget.warning and one budget.exceeded per period and session, counting each request once, also across a restart; the next day warns again")
  void oncePerPeriodAcrossRestart(Vertx vertx) throws Exception {
    WebhookReceiver hook = WebhookReceiver.start(vertx, WebhookReceiver.Mode.OK);
    PipelineHarness pipeline = PipelineHarness.start(vertx, TestDatabase.newDatabase(), config -> config.withCheckpoints(
        config.checkpoints().withWebhooks(List.of(new WebhookEndpoint("budgets", hook.url(), SECRET,
            Set.of("budget.warning", "budget.exceeded"), Set.of(), false)), 50).withBudgets(List.of(DAILY, PER_SESSION))));
    PushClient feed = PushClient.connect(pipeline);
    try {
      feed.subscribe(PushClient.filter("types", "budget.warning", "budget.exceeded"));
      feed.next("snapshot");
      send(pipeline, OtlpRequests.pricedRequest("b-1", 1, 0.40));
      send(pipeline, OtlpRequests.pricedRequest("b-1", 2, 0.40));
      WebhookReceiver.Attempt warning = hook.awaitDelivered(a -> true, 2, 15_000).stream()
          .filter(a -> budget(a).getString("name").equals("acme-daily")).findFirst().orElseThrow();
      assertThat(warning.event()).isEqualTo("budget.warning");
      assertThat(warning.signature()).isEqualTo(warning.expectedSignature(SECRET));
      JsonObject daily = budget(warning);
      assertThat(daily.getString("period")).isEqualTo("day");
      assertThat(daily.getString("periodStart")).isEqualTo("2026-11-23");
      assertThat(daily.getString("project")).isEqualTo("acme");
      assertThat(daily.getJsonObject("limit").getDouble("costUsd")).isEqualTo(1.0);
      assertThat(daily.getJsonObject("use").getDouble("costUsd")).isEqualTo(0.8);
      JsonObject frame = feed.next(f -> "budget.warning".equals(f.getString("type"))
          && "acme-daily".equals(f.getJsonObject("data").getString("name")), "the daily budget's warning frame");
      assertThat(frame.getString("project")).isEqualTo("acme");
      assertThat(frame.getJsonObject("data").getJsonObject("use").getDouble("costUsd")).isEqualTo(0.8);

      send(pipeline, OtlpRequests.pricedRequest("b-1", 3, 0.40));
      hook.awaitDelivered(a -> true, 4, 15_000);
      pipeline.restart();
      send(pipeline, OtlpRequests.pricedRequest("b-1", 3, 0.40));
      send(pipeline, OtlpRequests.pricedRequest("b-1", 4, 0.40));
      send(pipeline, OtlpRequests.pricedRequest("b-2", 5, 0.40));
      pipeline.awaitCount("select cost_micros from budget_use where budget = 'acme-daily' and period_key = '2026-11-23'", 2_000_000);
      pipeline.awaitCount("select tokens from budget_use where budget = 'session-tokens' and subject = 'b-2'", 100);

      for (long seq = NEXT_DAY; seq < NEXT_DAY + 3; seq++) {
        send(pipeline, OtlpRequests.pricedRequest("b-2", seq, 0.40));
      }
      List<WebhookReceiver.Attempt> all = hook.awaitDelivered(a -> true, 8, 15_000);
      pipeline.awaitCount("select count(*) from webhook_deliveries where event_type like 'budget.%'", 8);
      assertThat(all).hasSize(8);
      assertThat(all.stream().map(a -> a.event() + " " + budget(a).getString("name") + " "
          + (budget(a).getString("periodStart") != null ? budget(a).getString("periodStart") : budget(a).getString("sessionId"))))
          .containsExactlyInAnyOrder(
              "budget.warning acme-daily 2026-11-23", "budget.exceeded acme-daily 2026-11-23",
              "budget.warning acme-daily 2026-11-24", "budget.exceeded acme-daily 2026-11-24",
              "budget.warning session-tokens b-1", "budget.exceeded session-tokens b-1",
              "budget.warning session-tokens b-2", "budget.exceeded session-tokens b-2");
    } finally {
      feed.socket.close();
      pipeline.stop();
      hook.close();
    }
  }

  @Test
  @DisplayName("a day budget in a time zone counts the zone's days: requests on two local days of Los Angeles, one UTC day, fill two periods, and the payload names the zone")
  void periodsOfTheBudgetsZone(Vertx vertx) throws Exception {
    ZoneId losAngeles = ZoneId.of("America/Los_Angeles");
    Budget local = new Budget("acme-la-daily", Budget.Period.DAY, 1_000_000L, null, "acme", false, null, 80, losAngeles);
    WebhookReceiver hook = WebhookReceiver.start(vertx, WebhookReceiver.Mode.OK);
    PipelineHarness pipeline = PipelineHarness.start(vertx, TestDatabase.newDatabase(), config -> config.withCheckpoints(
        config.checkpoints().withWebhooks(List.of(new WebhookEndpoint("budgets", hook.url(), SECRET,
            Set.of("budget.warning", "budget.exceeded"), Set.of(), false)), 50).withBudgets(List.of(local))));
    try {
      // sequence 1 is 2026-11-22 21:28 in Los Angeles; 10,000 s later it is 2026-11-23 there (both 2026-11-23 in UTC)
      send(pipeline, OtlpRequests.pricedRequest("la-1", 1, 0.60));
      send(pipeline, OtlpRequests.pricedRequest("la-1", 10_000, 0.60));
      pipeline.awaitCount("select count(*) from budget_use where budget = 'acme-la-daily' and cost_micros = 600000"
          + " and exceeded_at is null and period_key in ('2026-11-22@America/Los_Angeles', '2026-11-23@America/Los_Angeles')"
          + " and period_start = split_part(period_key, '@', 1)::timestamp AT TIME ZONE 'America/Los_Angeles'", 2);

      send(pipeline, OtlpRequests.pricedRequest("la-1", 12_000, 0.60));
      WebhookReceiver.Attempt exceeded = hook.awaitDelivered(a -> a.event().equals("budget.exceeded"), 1, 15_000).get(0);
      assertThat(budget(exceeded).getString("periodStart")).isEqualTo("2026-11-23");
      assertThat(budget(exceeded).getString("periodEnd")).isEqualTo("2026-11-24");
      assertThat(budget(exceeded).getString("tz")).isEqualTo("America/Los_Angeles");
      assertThat(budget(exceeded).getJsonObject("use").getDouble("costUsd")).isEqualTo(1.2);
    } finally {
      pipeline.stop();
      hook.close();
    }
  }

  @Test
  @DisplayName("a restart while webhook attempts wait for their answer lets them finish and be recorded: each delivery reaches the endpoint once")
  void restartWhileDelivering(Vertx vertx) throws Exception {
    WebhookReceiver hook = WebhookReceiver.start(vertx, WebhookReceiver.Mode.SLOW_OK);
    PipelineHarness pipeline = PipelineHarness.start(vertx, TestDatabase.newDatabase(), config -> config.withCheckpoints(
        config.checkpoints().withWebhooks(List.of(new WebhookEndpoint("budgets", hook.url(), SECRET,
            Set.of("budget.warning", "budget.exceeded"), Set.of(), false)), 50).withBudgets(List.of(DAILY))));
    try {
      send(pipeline, OtlpRequests.pricedRequest("slow-1", 1, 1.20));
      Awaitility.await("both attempts sent").atMost(Duration.ofSeconds(15)).until(() -> hook.attempts(a -> true).size() == 2);

      pipeline.restart();

      pipeline.awaitCount("select count(*) from webhook_deliveries where status = 'delivered' and attempts = 1", 2);
      assertThat(hook.attempts(a -> true)).extracting(WebhookReceiver.Attempt::event)
          .containsExactlyInAnyOrder("budget.warning", "budget.exceeded");
    } finally {
      pipeline.stop();
      hook.close();
    }
  }

  @Test
  @DisplayName("a recorded CLI run replayed twice, across a restart, fills a fleet token budget exactly to the CLI's own totals and announces its warning and its exceeded once each")
  void recordedRunReplayedTwice(Vertx vertx) throws Exception {
    Fixtures.Folder run = Fixtures.folder("tool-loop-delta-protobuf");
    JsonObject usage = run.cliResult().getJsonObject("usage");
    long stored = usage.getLong("input_tokens") + usage.getLong("output_tokens") + usage.getLong("cache_read_input_tokens")
        + usage.getLong("cache_creation_input_tokens");
    WebhookReceiver hook = WebhookReceiver.start(vertx, WebhookReceiver.Mode.OK);
    Budget fleet = new Budget("fleet-tokens", Budget.Period.DAY, null, stored, null, true, null, 80, ZoneOffset.UTC);
    PipelineHarness pipeline = PipelineHarness.start(vertx, TestDatabase.newDatabase(), config -> config.withCheckpoints(
        config.checkpoints().withWebhooks(List.of(new WebhookEndpoint("budgets", hook.url(), SECRET, WebhookEndpoint.DEFAULT_EVENT_TYPES,
            Set.of(), false)), 50).withBudgets(List.of(fleet))));
    try {
      PushLoad.replay(pipeline, run);
      hook.awaitDelivered(a -> a.event().startsWith("budget."), 2, 15_000);
      pipeline.restart();
      PushLoad.replay(pipeline, run);
      pipeline.awaitCount("select sum(tokens) from budget_use", stored);
      pipeline.awaitCount(TOKENS_STORED, stored);
      pipeline.awaitCount("select count(*) from webhook_deliveries where event_type like 'budget.%'", 2);
      assertThat(hook.delivered(a -> a.event().startsWith("budget.")).stream().map(WebhookReceiver.Attempt::event))
          .containsExactlyInAnyOrder("budget.warning", "budget.exceeded");
    } finally {
      pipeline.stop();
      hook.close();
    }
  }

  @Test
  @DisplayName("GET /api/v1/budgets lists every configured budget in order with its limit and its use in the current period")
  void currentUse(Vertx vertx) throws Exception {
    Budget idle = new Budget("other-weekly", Budget.Period.WEEK, null, 1_000L, "other", false, null, 80, ZoneOffset.UTC);
    PipelineHarness pipeline = PipelineHarness.start(vertx, TestDatabase.newDatabase(), config -> config.withCheckpoints(
        config.checkpoints().withBudgets(List.of(DAILY, PER_SESSION, idle))));
    try {
      long today = Instant.now().getEpochSecond() - T0_SECONDS;
      send(pipeline, OtlpRequests.pricedRequest("b-old", 1, 0.90));
      send(pipeline, OtlpRequests.pricedRequest("b-now", today, 0.10));
      pipeline.awaitCount("select count(*) from budget_use where subject = 'b-now'", 1);

      JsonArray budgets = pipeline.apiGet("/api/v1/budgets").getJsonArray("budgets");
      assertThat(budgets.stream().map(b -> ((JsonObject) b).getString("name"))).containsExactly("acme-daily", "session-tokens",
          "other-weekly");
      JsonObject daily = budgets.getJsonObject(0);
      assertThat(daily.getString("periodStart")).isEqualTo(LocalDate.now(ZoneOffset.UTC).toString());
      assertThat(daily.getString("tz")).isEqualTo("UTC");
      assertThat(daily.getJsonObject("limit").getDouble("costUsd")).isEqualTo(1.0);
      assertThat(daily.getJsonArray("use")).hasSize(1);
      JsonObject use = daily.getJsonArray("use").getJsonObject(0);
      assertThat(use.getString("subject")).isEqualTo("acme");
      assertThat(use.getDouble("costUsd")).as("the old day's 0.90 is not today's").isEqualTo(0.1);
      assertThat(use.getDouble("percent")).isEqualTo(10.0);
      assertThat(use.getBoolean("warned")).isFalse();
      assertThat(budgets.getJsonObject(1).getJsonArray("use")).hasSize(2);
      assertThat(budgets.getJsonObject(2).getJsonArray("use")).isEmpty();
      assertThat(budgets.getJsonObject(2).getString("scope")).isEqualTo("project");
    } finally {
      pipeline.stop();
    }
  }

  private static JsonObject budget(WebhookReceiver.Attempt attempt) {
    return attempt.payload().getJsonObject("budget");
  }

  private static void send(PipelineHarness pipeline, Buffer body) throws Exception {
    assertThat(pipeline.postAndWait("/v1/logs", OtlpRequests.PROTOBUF, body, Map.of()).status()).isEqualTo(200);
  }
}
