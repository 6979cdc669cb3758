package dev.contextwatch.app;

import static dev.contextwatch.app.OtlpRequests.PROTOBUF;
import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.testkit.RestartablePostgres;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.awaitility.Awaitility;
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
      try {
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
        PipelineHarness.Response retried = Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
            .until(() -> post(pipeline, "during", 5), response -> response.status() != 503);
        assertThat(retried.status()).as(retried.body().toString()).isEqualTo(200);
        assertThat(post(pipeline, "after", 5).status()).isEqualTo(200);

        assertThat(pipeline.count("select count(*) from events where session_id = 'before'")).isEqualTo(5);
        assertThat(pipeline.count("select count(*) from events where session_id = 'during'")).isEqualTo(5);
        assertThat(pipeline.count("select count(*) from events where session_id = 'after'")).isEqualTo(5);
      } finally {
        pipeline.stop();
      }
    }
  }

  @Test
  @DisplayName("a 10 s outage in the middle of a run: 503 throughout, /ready reports it, retrying clients lose nothing, and the pipeline recovers by itself")
  void outageUnderLoad(Vertx vertx) throws Exception {
    try (RestartablePostgres database = new RestartablePostgres()) {
      PipelineHarness pipeline = PipelineHarness.start(vertx, database.url(),
          config -> config.withReceiver(config.receiver().withRetryAfterSeconds(1)));
      ExecutorService senders = Executors.newFixedThreadPool(4);
      AtomicBoolean running = new AtomicBoolean(true);
      try {
        RetryingExporter exporter = new RetryingExporter(pipeline.otlpHttpPort());
        AtomicLong acknowledged = new AtomicLong();
        List<Future<Long>> runs = new ArrayList<>();
        for (int s = 0; s < 4; s++) {
          String session = "load-" + s;
          runs.add(senders.submit(() -> {
            long batches = 0;
            while (running.get()) {
              exporter.send("/v1/logs", OtlpRequests.apiRequests(session, batches * 10, 10).getBytes(), Duration.ofSeconds(60));
              acknowledged.addAndGet(10);
              batches++;
            }
            return batches;
          }));
        }
        // in the middle of a run: every sender has had batches acknowledged
        Awaitility.await("the run under way").atMost(Duration.ofSeconds(30)).until(() -> acknowledged.get() >= 80);
        database.stop();
        long acknowledgedAtStop = acknowledged.get();
        Awaitility.await("/ready reporting the outage").atMost(Duration.ofSeconds(10))
            .untilAsserted(() -> assertThat(pipeline.api(HttpMethod.GET, "/ready", 503).getString("database")).isEqualTo("down"));
        // about 10 s of outage: the 4 senders, told to retry after 1 s, each refused about 10 times
        Awaitility.await("10 s of refusals").atMost(Duration.ofSeconds(60)).until(() -> exporter.refusals.get() >= 40);
        // at most the batch each sender had in flight when the database stopped
        assertThat(acknowledged.get() - acknowledgedAtStop).as("acknowledged while the database was down").isLessThanOrEqualTo(40);
        assertThat(exporter.refusals.get()).isPositive();
        database.start();
        Awaitility.await("the senders acknowledged again").atMost(Duration.ofSeconds(30))
            .until(() -> acknowledged.get() >= acknowledgedAtStop + 200);
        running.set(false);
        long batches = 0;
        for (Future<Long> run : runs) {
          batches += run.get(60, TimeUnit.SECONDS);
        }
        assertThat(pipeline.api(HttpMethod.GET, "/ready", 200).getString("status")).isEqualTo("ready");
        assertThat(pipeline.count("select count(*) from events")).isEqualTo(batches * 10).isEqualTo(acknowledged.get());
      } finally {
        running.set(false);
        senders.shutdownNow();
        pipeline.stop();
      }
    }
  }

  private static PipelineHarness.Response post(PipelineHarness pipeline, String session, int records) throws Exception {
    return pipeline.postAndWait("/v1/logs", PROTOBUF, OtlpRequests.apiRequests(session, 0, records), Map.of());
  }
}
