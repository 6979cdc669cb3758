package dev.contextwatch.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.checkpoint.CheckpointVerticle;
import dev.contextwatch.testkit.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** POST /api/v1/webhooks/deliveries/{id}/retry asks the checkpoint verticle, the outbox's owner; the API writes nothing. */
@ExtendWith(VertxExtension.class)
class DeliveryRetryTest {
  private final UUID dead = UUID.randomUUID();
  private final UUID delivered = UUID.randomUUID();
  private ApiHarness api;

  @BeforeEach
  void setUp(Vertx vertx) throws Exception {
    api = ApiHarness.start(vertx);
    delivery(dead, "dead");
    delivery(delivered, "delivered");
  }

  @Test
  @DisplayName("a dead delivery is put back in the queue by the checkpoint verticle and answered as it then is")
  void retried(Vertx vertx) throws Exception {
    startCheckpoint(vertx);

    ApiHarness.Response response = api.post("/api/v1/webhooks/deliveries/" + dead + "/retry");

    assertThat(response.status()).isEqualTo(200);
    JsonObject json = response.json();
    assertThat(json.getString("id")).isEqualTo(dead.toString());
    assertThat(json.getString("status")).isEqualTo("pending");
    assertThat(json.getString("event")).isEqualTo("context.warning");
    assertThat(json.getInteger("attempts")).isEqualTo(8);
    assertThat(json.getJsonObject("payload")).isEqualTo(new JsonObject().put("id", dead.toString()));
    assertThat(status(dead)).isEqualTo("pending");
  }

  @Test
  @DisplayName("a delivered delivery is a 409 and an unknown one a 404, each naming the delivery, as before the retry went over the bus")
  void refused(Vertx vertx) throws Exception {
    startCheckpoint(vertx);
    UUID unknown = UUID.randomUUID();

    ApiHarness.Response conflict = api.post("/api/v1/webhooks/deliveries/" + delivered + "/retry");
    ApiHarness.Response missing = api.post("/api/v1/webhooks/deliveries/" + unknown + "/retry");
    ApiHarness.Response notAnId = api.post("/api/v1/webhooks/deliveries/not-a-uuid/retry");

    assertThat(conflict.status()).isEqualTo(409);
    assertThat(conflict.json()).isEqualTo(new JsonObject().put("error", "conflict")
        .put("message", "webhook delivery '" + delivered + "' was already delivered"));
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.json()).isEqualTo(new JsonObject().put("error", "not_found")
        .put("message", "no webhook delivery with id '" + unknown + "'"));
    assertThat(notAnId.status()).isEqualTo(404);
    assertThat(notAnId.json().getString("message")).isEqualTo("no webhook delivery with id 'not-a-uuid'");
    assertThat(status(delivered)).isEqualTo("delivered");
  }

  @Test
  @DisplayName("without a checkpoint verticle to ask, a retry is a 503 saying so, and the outbox is left as it was")
  void noOwner() throws Exception {
    ApiHarness.Response response = api.post("/api/v1/webhooks/deliveries/" + dead + "/retry");

    assertThat(response.status()).isEqualTo(503);
    assertThat(response.json().getString("message")).contains("no checkpoint verticle is running");
    assertThat(status(dead)).isEqualTo("dead");
  }

  private void startCheckpoint(Vertx vertx) throws Exception {
    ApiHarness.await(vertx.deployVerticle(new CheckpointVerticle(ApiHarness.CONFIG.checkpoints(), ApiHarness.SESSIONS,
        ApiHarness.CONFIG.database().withUrl(api.databaseUrl))));
  }

  private void delivery(UUID id, String status) throws Exception {
    api.sql("INSERT INTO webhook_deliveries (id, endpoint, event_type, event_key, session_id, payload, status, attempts)"
        + " VALUES (?, 'harness', 'context.warning', ?, 's-1', ?::jsonb, ?, 8)", id, "context.warning:" + id,
        new JsonObject().put("id", id.toString()), status);
  }

  private String status(UUID id) throws Exception {
    try (Connection c = TestDatabase.connect(api.databaseUrl); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT status FROM webhook_deliveries WHERE id = '" + id + "'")) {
      r.next();
      return r.getString(1);
    }
  }
}
