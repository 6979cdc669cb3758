package dev.contextwatch.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.testkit.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The pipeline in a child JVM, killed with SIGKILL in the middle of a run and started again. */
@ExtendWith(VertxExtension.class)
class CrashRecoveryTest {
  private static final int SENDERS = 6;
  private static final int BATCHES = 30;
  private static final int EVENTS_PER_BATCH = 10;
  private static final double TOKENS_PER_BATCH = 100;
  private static final Duration PATIENCE = Duration.ofSeconds(120);

  @TempDir
  Path dir;

  @Test
  @DisplayName("after a SIGKILL mid-run every acknowledged record is stored once, cumulative series are not double-counted, and pending webhooks are delivered")
  void sigkillMidRun(Vertx vertx) throws Exception {
    WebhookReceiver hook = WebhookReceiver.start(vertx, WebhookReceiver.Mode.ALWAYS_503);
    String database = TestDatabase.newDatabase();
    int port = ChildPipeline.freePort();
    ChildPipeline child = ChildPipeline.start(dir, Map.of(
        "CONTEXTWATCH_PG_URL", database,
        "CONTEXTWATCH_OTLP_HTTP_PORT", Integer.toString(port),
        "CONTEXTWATCH_OTLP_GRPC_PORT", "0",
        "CONTEXTWATCH_API_PORT", "0",
        "CONTEXTWATCH_RETRY_AFTER_SECONDS", "1",
        "CONTEXTWATCH_WEBHOOK_BACKOFF_BASE_MS", "200",
        "CONTEXTWATCH_WEBHOOKS", "[{\"name\":\"harness\",\"url\":\"" + hook.url() + "\",\"secret\":\"s\",\"events\":[\"context.critical\"]}]"));
    child.awaitLog("event=contextwatch_ready", 1);
    RetryingExporter exporter = new RetryingExporter(port);

    exporter.send("/v1/logs", OtlpRequests.mainRequest("crash-hook", 0, 160_000).getBytes(), PATIENCE);
    while (hook.attempts(a -> true).isEmpty()) {
      Thread.sleep(20);
    }
    String pendingDelivery = hook.attempts(a -> true).get(0).deliveryId();

    CountDownLatch thirdAcknowledged = new CountDownLatch(SENDERS * BATCHES / 3);
    ExecutorService senders = Executors.newFixedThreadPool(SENDERS);
    List<Future<?>> runs = new ArrayList<>();
    for (int s = 0; s < SENDERS; s++) {
      String session = "crash-" + s;
      runs.add(senders.submit(() -> {
        for (int batch = 0; batch < BATCHES; batch++) {
          exporter.send("/v1/logs", OtlpRequests.apiRequests(session, (long) batch * EVENTS_PER_BATCH, EVENTS_PER_BATCH).getBytes(), PATIENCE);
          exporter.send("/v1/metrics", OtlpRequests.cumulativeInputTokens(session, batch + 1, (batch + 1) * TOKENS_PER_BATCH).getBytes(), PATIENCE);
          thirdAcknowledged.countDown();
        }
        return null;
      }));
    }
    assertThat(thirdAcknowledged.await(60, TimeUnit.SECONDS)).isTrue();
    child.kill();
    hook.answer(WebhookReceiver.Mode.OK);
    child.restart();
    child.awaitLog("event=contextwatch_ready", 2);
    for (Future<?> run : runs) {
      run.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
    }
    senders.shutdown();

    assertThat(exporter.connectionErrors.get()).as("requests cut off by the kill").isPositive();
    for (int s = 0; s < SENDERS; s++) {
      String session = "'crash-" + s + "'";
      assertThat(count(database, "select count(*) from events where session_id = " + session)).isEqualTo(BATCHES * EVENTS_PER_BATCH);
      assertThat(count(database, "select count(distinct event_sequence) from events where session_id = " + session))
          .isEqualTo(BATCHES * EVENTS_PER_BATCH);
      assertThat(count(database, "select sum(delta)::bigint from metric_points where session_id = " + session))
          .as("cumulative tokens counted once").isEqualTo((long) (BATCHES * TOKENS_PER_BATCH));
    }
    assertThat(hook.awaitDelivered(a -> a.deliveryId().equals(pendingDelivery), 1, 30_000)).hasSize(1);
    child.process().destroy();
    assertThat(child.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
  }

  private static long count(String url, String sql) throws Exception {
    try (Connection c = TestDatabase.connect(url); ResultSet rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
