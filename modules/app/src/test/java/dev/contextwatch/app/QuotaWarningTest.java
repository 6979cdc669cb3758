package dev.contextwatch.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.core.config.WebhookEndpoint;
import dev.contextwatch.testkit.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class QuotaWarningTest {
  private static final String SECRET = "whsec-quota";
  private static final long T0 = 1_795_411_735L;
  private static final long FIRST_RESET = T0 + 4 * 3600;
  private static final long NEXT_RESET = FIRST_RESET + 5 * 3600;

  @Test
  @DisplayName("quota.warning is sent, signed, once per user, limit and window when a status line shows the plan's 5-hour use at the configured share; other sessions of the user and later readings repeat nothing; the next window warns again")
  void oncePerWindow(Vertx vertx) throws Exception {
    WebhookReceiver hook = WebhookReceiver.start(vertx, WebhookReceiver.Mode.OK);
    PipelineHarness pipeline = PipelineHarness.start(vertx, TestDatabase.newDatabase(), config -> config.withCheckpoints(
        config.checkpoints().withWebhooks(List.of(new WebhookEndpoint("quota", hook.url(), SECRET, Set.of("quota.warning"),
            Set.of(), false)), 50)));
    try {
      send(pipeline, OtlpRequests.statusLine("qw-1", "alice", 1, 200_000, 10, 70, FIRST_RESET));
      send(pipeline, OtlpRequests.statusLine("qw-1", "alice", 601, 200_000, 10, 85, FIRST_RESET));
      WebhookReceiver.Attempt warning = hook.awaitDelivered(a -> true, 1, 15_000).get(0);
      assertThat(warning.event()).isEqualTo("quota.warning");
      assertThat(warning.signature()).isEqualTo(warning.expectedSignature(SECRET));
      JsonObject quota = warning.payload().getJsonObject("quota");
      assertThat(quota.getString("userId")).isEqualTo("alice");
      assertThat(quota.getString("limit")).isEqualTo("five_hour");
      assertThat(quota.getDouble("usedPercentage")).isEqualTo(85.0);
      assertThat(quota.getString("resetsAt")).isEqualTo(Instant.ofEpochSecond(FIRST_RESET).toString());
      assertThat(quota.getDouble("burnPerHour")).as("15 points in 10 minutes").isEqualTo(90.0);
      assertThat(quota.getInteger("warningPercent")).isEqualTo(80);
      assertThat(warning.payload().getJsonObject("session").getString("id")).isEqualTo("qw-1");

      send(pipeline, OtlpRequests.statusLine("qw-2", "alice", 602, 200_000, 10, 90, FIRST_RESET));
      send(pipeline, OtlpRequests.statusLine("qw-1", "alice", 603, 200_000, 10, 95, FIRST_RESET));
      send(pipeline, OtlpRequests.statusLine("qw-1", "alice", 18_000, 200_000, 10, 81, NEXT_RESET));
      List<WebhookReceiver.Attempt> all = hook.awaitDelivered(a -> true, 2, 15_000);
      pipeline.awaitCount("select count(*) from webhook_deliveries where event_type = 'quota.warning'", 2);
      assertThat(all).hasSize(2);
      assertThat(all.get(1).payload().getJsonObject("quota").getString("resetsAt"))
          .isEqualTo(Instant.ofEpochSecond(NEXT_RESET).toString());
    } finally {
      pipeline.stop();
      hook.close();
    }
  }

  private static void send(PipelineHarness pipeline, Buffer body) throws Exception {
    assertThat(pipeline.postAndWait("/v1/logs", OtlpRequests.PROTOBUF, body, Map.of()).status()).isEqualTo(200);
  }
}
