package dev.contextwatch.app;

import static dev.contextwatch.app.OtlpRequests.PROTOBUF;
import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.testkit.RestartablePostgres;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class DatabaseOutageTest {

  @Test
  @DisplayName("with the database stopped the receiver answers 503 with Retry-After, then 200 again once it is back, losing nothing acknowledged")
  void outage(Vertx vertx) throws Exception {
    try (RestartablePostgres database = new RestartablePostgres()) {
      PipelineHarness pipeline = PipelineHarness.start(vertx, database.url(), UnaryOperator.identity());
      assertThat(post(pipeline, "before", 5).status()).isEqualTo(200);

      database.stop();
      for (int attempt = 0; attempt < 3; attempt++) {
        PipelineHarness.Response refused = post(pipeline, "during", 5);
        assertThat(refused.status()).as("attempt %d: %s", attempt, refused.body()).isEqualTo(503);
        assertThat(refused.headers().get("Retry-After")).isEqualTo(String.valueOf(pipeline.config.receiver().retryAfterSeconds()));
        assertThat(refused.body().toString()).contains("not stored");
      }

      database.start();
      // the exporter retries until the pool has replaced its dead connections
      PipelineHarness.Response retried = post(pipeline, "during", 5);
      for (int attempt = 0; retried.status() == 503 && attempt < 50; attempt++) {
        Thread.sleep(200);
        retried = post(pipeline, "during", 5);
      }
      assertThat(retried.status()).as(retried.body().toString()).isEqualTo(200);
      assertThat(post(pipeline, "after", 5).status()).isEqualTo(200);

      assertThat(pipeline.count("select count(*) from events where session_id = 'before'")).isEqualTo(5);
      assertThat(pipeline.count("select count(*) from events where session_id = 'during'")).isEqualTo(5);
      assertThat(pipeline.count("select count(*) from events where session_id = 'after'")).isEqualTo(5);
      pipeline.stop();
    }
  }

  private static PipelineHarness.Response post(PipelineHarness pipeline, String session, int records) throws Exception {
    return pipeline.postAndWait("/v1/logs", PROTOBUF, OtlpRequests.apiRequests(session, 0, records), Map.of());
  }
}
