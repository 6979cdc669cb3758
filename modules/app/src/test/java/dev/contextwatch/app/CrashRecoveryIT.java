package dev.contextwatch.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar on its embedded PostgreSQL, crashed under load: clients that retry like the
 * exporter count every request answered 200, and afterwards every acknowledged record must be
 * stored, once, and every session's totals must be what its stored rows add up to.
 */
@ExtendWith(VertxExtension.class)
class CrashRecoveryIT {
  private static final int SENDERS = 6;
  private static final int BATCHES = 30;
  private static final int EVENTS_PER_BATCH = 10;
  private static final long INPUT_TOKENS_PER_EVENT = 100;
  private static final double TOKENS_PER_BATCH = 100;
  private static final Duration PATIENCE = Duration.ofSeconds(180);

  @TempDir
  Path dir;

  private final Map<String, AtomicLong> acknowledgedEvents = new ConcurrentHashMap<>();
  private int pgPort;

  @Test
  @DisplayName("after a SIGKILL of the JVM mid-run the restart stops the orphaned database and goes on: every acknowledged record is stored once, "
      + "cumulative series are not double-counted, and pending webhooks are delivered")
  void sigkillJvm(Vertx vertx) throws Exception {
    WebhookReceiver hook = WebhookReceiver.start(vertx, WebhookReceiver.Mode.ALWAYS_503);
    int port = ChildPipeline.freePort();
    ChildPipeline child = start(port, Map.of(
        "CONTEXTWATCH_WEBHOOK_BACKOFF_BASE_MS", "200",
        "CONTEXTWATCH_WEBHOOKS", "[{\"name\":\"harness\",\"url\":\"" + hook.url() + "\",\"secret\":\"s\",\"events\":[\"context.critical\"]}]"));
    try {
      RetryingExporter exporter = new RetryingExporter(port);
      exporter.send("/v1/logs", OtlpRequests.mainRequest("crash-hook", 0, 160_000).getBytes(), PATIENCE);
      String pendingDelivery = Awaitility.await("the first webhook attempt").atMost(PATIENCE).pollInterval(Duration.ofMillis(20))
          .until(() -> hook.attempts(a -> true), attempts -> !attempts.isEmpty()).get(0).deliveryId();

      Load load = new Load(exporter, true);
      assertThat(load.acknowledgedThird.await(120, TimeUnit.SECONDS)).isTrue();
      child.kill();
      hook.answer(WebhookReceiver.Mode.OK);
      child.restart();
      child.awaitLog("event=contextwatch_ready", 2);
      load.finish();

      assertThat(exporter.connectionErrors.get()).as("requests cut off by the kill").isPositive();
      assertThat(child.output()).as("the killed JVM's database was stopped at the restart").contains("event=orphaned_database_found");
      assertEveryAcknowledgedEventStoredOnce();
      for (int s = 0; s < SENDERS; s++) {
        assertThat(count("select sum(delta)::bigint from metric_points where session_id = '" + session(s) + "'"))
            .as("cumulative tokens counted once").isEqualTo((long) (BATCHES * TOKENS_PER_BATCH));
      }
      assertThat(hook.awaitDelivered(a -> a.deliveryId().equals(pendingDelivery), 1, 60_000)).hasSize(1);
      assertTotalsEqualStoredRows();
    } finally {
      child.stop();
    }
  }

  @Test
  @DisplayName("after a SIGKILL of a PostgreSQL backend under load (the server resets every connection and recovers from its log) "
      + "every acknowledged record is stored once")
  void sigkillBackend(Vertx vertx) throws Exception {
    int port = ChildPipeline.freePort();
    ChildPipeline child = start(port, Map.of());
    try {
      Load load = new Load(new RetryingExporter(port), false);
      assertThat(load.acknowledgedThird.await(120, TimeUnit.SECONDS)).isTrue();
      killBackend();
      assertThat(load.acknowledgedTwoThirds.await(120, TimeUnit.SECONDS)).isTrue();
      killBackend();
      load.finish();

      assertEveryAcknowledgedEventStoredOnce();
      assertTotalsEqualStoredRows();
    } finally {
      child.stop();
    }
  }

  /** The packaged jar on an embedded database in the test's directory, on ports the test knows. */
  private ChildPipeline start(int otlpPort, Map<String, String> extra) throws Exception {
    pgPort = ChildPipeline.freePort();
    Map<String, String> env = new HashMap<>(Map.of(
        "CONTEXTWATCH_PG_DATA_DIR", dir.resolve("pg").toString(),
        "CONTEXTWATCH_PG_EMBEDDED_PORT", Integer.toString(pgPort),
        "CONTEXTWATCH_OTLP_HTTP_HOST", "127.0.0.1",
        "CONTEXTWATCH_OTLP_HTTP_PORT", Integer.toString(otlpPort),
        "CONTEXTWATCH_OTLP_GRPC_PORT", "0",
        "CONTEXTWATCH_API_PORT", "0",
        "CONTEXTWATCH_RETRY_AFTER_SECONDS", "1"));
    env.putAll(extra);
    ChildPipeline child = ChildPipeline.startPackaged(dir, env);
    child.awaitLog("event=contextwatch_ready", 1);
    return child;
  }

  /** Senders that each send their session's batches in order, each retried until it is acknowledged. */
  private final class Load {
    final CountDownLatch acknowledgedThird = new CountDownLatch(SENDERS * BATCHES / 3);
    final CountDownLatch acknowledgedTwoThirds = new CountDownLatch(SENDERS * BATCHES * 2 / 3);
    private final ExecutorService senders = Executors.newFixedThreadPool(SENDERS);
    private final List<Future<?>> runs = new ArrayList<>();

    Load(RetryingExporter exporter, boolean cumulativeMetrics) {
      for (int s = 0; s < SENDERS; s++) {
        String session = session(s);
        AtomicLong acknowledged = acknowledgedEvents.computeIfAbsent(session, k -> new AtomicLong());
        runs.add(senders.submit(() -> {
          for (int batch = 0; batch < BATCHES; batch++) {
            exporter.send("/v1/logs", OtlpRequests.apiRequests(session, (long) batch * EVENTS_PER_BATCH, EVENTS_PER_BATCH).getBytes(), PATIENCE);
            acknowledged.addAndGet(EVENTS_PER_BATCH);
            if (cumulativeMetrics) {
              exporter.send("/v1/metrics", OtlpRequests.cumulativeInputTokens(session, batch + 1, (batch + 1) * TOKENS_PER_BATCH).getBytes(), PATIENCE);
            }
            acknowledgedThird.countDown();
            acknowledgedTwoThirds.countDown();
          }
          return null;
        }));
      }
    }

    void finish() throws Exception {
      for (Future<?> run : runs) {
        run.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
      }
      senders.shutdown();
    }
  }

  private static String session(int sender) {
    return "crash-" + sender;
  }

  /**
   * SIGKILL of one client backend, the writer's when it can be told apart, once the server accepts
   * connections (it refuses them while it recovers from an earlier kill).
   */
  private void killBackend() throws Exception {
    String backends = "SELECT pid FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()"
        + " ORDER BY (query ILIKE 'insert%') DESC, (state = 'active') DESC LIMIT 1";
    long pid = Awaitility.await("the database accepting connections again").atMost(PATIENCE).pollInterval(Duration.ofMillis(200))
        .ignoreException(SQLException.class).until(() -> count(backends), found -> found != 0);
    ProcessHandle backend = ProcessHandle.of(pid).orElseThrow();
    assertThat(backend.destroyForcibly()).isTrue();
    backend.onExit().get(30, TimeUnit.SECONDS);
  }

  /** Nothing answered 200 is missing, nothing is stored twice. */
  private void assertEveryAcknowledgedEventStoredOnce() throws Exception {
    for (Map.Entry<String, AtomicLong> session : acknowledgedEvents.entrySet()) {
      String id = "'" + session.getKey() + "'";
      assertThat(session.getValue().get()).isEqualTo((long) BATCHES * EVENTS_PER_BATCH);
      assertThat(count("select count(*) from events where session_id = " + id)).as("events of %s", id)
          .isEqualTo(session.getValue().get());
      assertThat(count("select count(distinct event_sequence) from events where session_id = " + id)).as("distinct events of %s", id)
          .isEqualTo(session.getValue().get());
    }
  }

  /**
   * Every session's totals are what its stored api_request rows add up to: not counted twice when a
   * request was retried after a commit its client never heard of.
   */
  private void assertTotalsEqualStoredRows() throws Exception {
    for (String session : acknowledgedEvents.keySet()) {
      String id = "'" + session + "'";
      assertThat(count("select api_requests from sessions where session_id = " + id)).as("totals.apiRequests of %s against its rows", id)
          .isEqualTo(count("select count(*) from events where event_name = 'api_request' and session_id = " + id));
      assertThat(count("select input_tokens from sessions where session_id = " + id)).as("totals.inputTokens of %s against its rows", id)
          .isEqualTo(count("select sum(input_tokens)::bigint from events where event_name = 'api_request' and session_id = " + id))
          .isEqualTo(acknowledgedEvents.get(session).get() * INPUT_TOKENS_PER_EVENT);
    }
  }

  /** The first column of the first row, read from the embedded database with the password from its data directory. */
  private long count(String sql) throws SQLException, IOException {
    String password = Files.readString(dir.resolve("pg").resolve(SuperuserPassword.FILE)).trim();
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://localhost:" + pgPort + "/postgres", "postgres", password);
        Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
