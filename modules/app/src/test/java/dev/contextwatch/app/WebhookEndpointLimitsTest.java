package dev.contextwatch.app;

import static dev.contextwatch.app.OtlpRequests.PROTOBUF;
import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.core.config.CheckpointConfig;
import dev.contextwatch.core.config.WebhookEndpoint;
import dev.contextwatch.testkit.TestDatabase;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.junit5.VertxExtension;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Webhook endpoints that misbehave at the HTTP level, served by real sockets: one that answers a
 * byte at a time, one whose answer never ends, one that is not there. Each attempt ends within
 * its deadline, reads a bounded part of the answer, and records an error that names no part of
 * the endpoint's URL.
 */
@ExtendWith(VertxExtension.class)
class WebhookEndpointLimitsTest {
  private static final String SECRET = "whsec-limits";
  private static final String PATH = "/hooks/s3cr3t-path?key=k3y";
  private static final int TIMEOUT_MS = 1_000;
  /** The body of the long answer: far more than a status needs. */
  private static final long LONG_BODY = 256L * 1024 * 1024;
  /** How much of the long answer may be written before contextwatch closes the connection: socket buffers, not the answer. */
  private static final long AT_MOST_WRITTEN = 32L * 1024 * 1024;

  @Test
  @DisplayName("an endpoint that answers 200 and then its body one byte every 200 ms holds the attempt no longer than webhookTimeoutMs: a total deadline, not an idle one")
  void slowBodyIsCutAtTheDeadline(Vertx vertx) throws Exception {
    AtomicBoolean closed = new AtomicBoolean();
    NetServer endpoint = endpoint(vertx, socket -> {
      socket.write("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n");
      drip(vertx, socket, "a".repeat(100_000), closed);
    });
    PipelineHarness pipeline = start(vertx, "http://127.0.0.1:" + endpoint.actualPort() + PATH);
    try {
      crossWarning(pipeline);
      JsonObject delivery = awaitDelivery(pipeline, "delivered");
      assertThat(delivery.getInteger("lastStatusCode")).isEqualTo(200);
      awaitTrue(closed, "the dripping connection was closed");
    } finally {
      pipeline.stop();
      PipelineHarness.await(endpoint.close());
    }
  }

  @Test
  @DisplayName("an endpoint that sends its status line one byte every 200 ms fails the attempt at the deadline, with an error that names no part of the URL")
  void slowHeadIsCutAtTheDeadline(Vertx vertx) throws Exception {
    AtomicBoolean closed = new AtomicBoolean();
    NetServer endpoint = endpoint(vertx, socket -> drip(vertx, socket, "HTTP/1.1 200 OK\r\nX-Pad: " + "a".repeat(10_000), closed));
    PipelineHarness pipeline = start(vertx, "http://127.0.0.1:" + endpoint.actualPort() + PATH);
    try {
      crossWarning(pipeline);
      JsonObject delivery = awaitFirstAttempt(pipeline);
      assertThat(delivery.getString("status")).isEqualTo("pending");
      assertThat(delivery.getInteger("lastStatusCode")).isNull();
      assertThat(delivery.getString("lastError")).isEqualTo("no answer within " + TIMEOUT_MS + " ms");
      assertNoUrl(delivery, endpoint.actualPort());
      awaitTrue(closed, "the dripping connection was closed");
    } finally {
      pipeline.stop();
      PipelineHarness.await(endpoint.close());
    }
  }

  @Test
  @DisplayName("an endpoint whose 200 comes with a 256 MiB body delivers, and the connection is closed after a few KB instead of reading it all")
  void longBodyIsNotRead(Vertx vertx) throws Exception {
    AtomicLong written = new AtomicLong();
    AtomicBoolean closed = new AtomicBoolean();
    Buffer chunk = Buffer.buffer(new byte[64 * 1024]);
    NetServer endpoint = endpoint(vertx, socket -> {
      socket.write("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: " + (1L << 40) + "\r\n\r\n");
      socket.closeHandler(v -> closed.set(true));
      pour(socket, chunk, written, closed);
    });
    PipelineHarness pipeline = start(vertx, "http://127.0.0.1:" + endpoint.actualPort() + PATH);
    try {
      crossWarning(pipeline);
      JsonObject delivered = awaitDelivery(pipeline, "delivered");
      assertThat(delivered.getInteger("lastStatusCode")).isEqualTo(200);
      awaitTrue(closed, "the endless answer's connection was closed");
      assertThat(written.get()).as("bytes the endpoint wrote before its connection was closed").isLessThan(AT_MOST_WRITTEN);
    } finally {
      pipeline.stop();
      PipelineHarness.await(endpoint.close());
    }
  }

  @Test
  @DisplayName("a refused connection records an error that names neither the host, the port nor the path of the endpoint")
  void refusedNamesNoUrl(Vertx vertx) throws Exception {
    int closedPort;
    try (ServerSocket probe = new ServerSocket(0)) {
      closedPort = probe.getLocalPort();
    }
    PipelineHarness pipeline = start(vertx, "http://127.0.0.1:" + closedPort + PATH);
    try {
      crossWarning(pipeline);
      JsonObject delivery = awaitFirstAttempt(pipeline);
      assertThat(delivery.getString("lastError")).isEqualTo("the connection was refused");
      assertNoUrl(delivery, closedPort);
    } finally {
      pipeline.stop();
    }
  }

  @Test
  @DisplayName("errors an earlier version recorded with the endpoint's URL in them are no longer shown once contextwatch restarts; its own are kept")
  void earlierErrorsHidden(Vertx vertx) throws Exception {
    PipelineHarness pipeline = start(vertx, "http://127.0.0.1:1" + PATH);
    pipeline.stop();
    try (Connection c = TestDatabase.connect(pipeline.databaseUrl); PreparedStatement insert = c.prepareStatement(
        "INSERT INTO webhook_deliveries (id, endpoint, event_type, event_key, session_id, payload, status, attempts, last_error)"
            + " VALUES (?::uuid, 'harness', 'context.warning', ?, 'old', '{}'::jsonb, 'dead', 8, ?)")) {
      for (String[] row : List.of(
          new String[] {"00000000-0000-0000-0000-000000000001", "Connection refused: /127.0.0.1:4444"},
          new String[] {"00000000-0000-0000-0000-000000000002",
              "The timeout period of 5000ms has been exceeded while executing POST " + PATH + " for server 127.0.0.1:4444"},
          new String[] {"00000000-0000-0000-0000-000000000003", "HTTP 503"})) {
        insert.setString(1, row[0]);
        insert.setString(2, row[0]);
        insert.setString(3, row[1]);
        insert.executeUpdate();
      }
    }
    pipeline.restart();
    try {
      List<Object> items = pipeline.apiGet("/api/v1/webhooks/deliveries").getJsonArray("items").getList();
      assertThat(items).extracting(item -> JsonObject.mapFrom(item).getString("lastError")).containsExactlyInAnyOrder(
          "the attempt failed (its reason, recorded by an earlier version, is not shown)",
          "the attempt failed (its reason, recorded by an earlier version, is not shown)", "HTTP 503");
    } finally {
      pipeline.stop();
    }
  }

  /** Writes the text one byte every 200 ms until it is all written or the socket closed. */
  private static void drip(Vertx vertx, NetSocket socket, String text, AtomicBoolean closed) {
    AtomicLong sent = new AtomicLong();
    long timer = vertx.setPeriodic(200, id -> {
      int at = (int) sent.getAndIncrement();
      if (at < text.length()) {
        socket.write(text.substring(at, at + 1));
      }
    });
    socket.closeHandler(v -> {
      vertx.cancelTimer(timer);
      closed.set(true);
    });
  }

  /** Writes the chunk while the socket takes it, counting what it wrote, until the body is whole or the socket closed. */
  private static void pour(NetSocket socket, Buffer chunk, AtomicLong written, AtomicBoolean closed) {
    while (!closed.get() && !socket.writeQueueFull() && written.get() < LONG_BODY) {
      socket.write(chunk);
      written.addAndGet(chunk.length());
    }
    if (!closed.get() && written.get() < LONG_BODY) {
      socket.drainHandler(v -> pour(socket, chunk, written, closed));
    }
  }

  private static NetServer endpoint(Vertx vertx, Handler<NetSocket> answer) throws Exception {
    return PipelineHarness.await(vertx.createNetServer().connectHandler(socket -> {
      // answer once the request has begun to arrive; what follows is ignored
      AtomicBoolean answered = new AtomicBoolean();
      socket.handler(bytes -> {
        if (answered.compareAndSet(false, true)) {
          answer.handle(socket);
        }
      });
    }).listen(0, "127.0.0.1"));
  }

  private static PipelineHarness start(Vertx vertx, String url) throws Exception {
    return PipelineHarness.start(vertx, TestDatabase.newDatabase(), config -> {
      CheckpointConfig c = config.checkpoints();
      return config.withCheckpoints(new CheckpointConfig(c.levels(), c.projectLevels(), c.samples(),
          List.of(new WebhookEndpoint("harness", url, SECRET, Set.of("context.warning"), Set.of(), false)),
          TIMEOUT_MS, c.maxAttempts(), 60_000, c.maxInFlight(), c.lifecycleSweepSeconds(), c.quotaWarningPercent(), c.budgets()));
    });
  }

  /** One request that takes a session to 72 % of its auto-compact threshold: one context.warning delivery. */
  private static void crossWarning(PipelineHarness pipeline) throws Exception {
    PipelineHarness.Response response = pipeline.postAndWait("/v1/logs", PROTOBUF,
        OtlpRequests.mainRequest("limits", 0, 120_000), Map.of());
    assertThat(response.status()).as(response.body().toString()).isEqualTo(200);
  }

  /** The delivery once its first attempt is recorded, as the API lists it. */
  private static JsonObject awaitFirstAttempt(PipelineHarness pipeline) {
    return Awaitility.await("the first attempt was recorded").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50))
        .until(() -> firstDelivery(pipeline), delivery -> delivery != null && delivery.getInteger("attempts") > 0);
  }

  /** The first delivery the API lists, or null. */
  private static JsonObject firstDelivery(PipelineHarness pipeline) throws Exception {
    List<Object> items = pipeline.apiGet("/api/v1/webhooks/deliveries").getJsonArray("items").getList();
    return items.isEmpty() ? null : JsonObject.mapFrom(items.get(0));
  }

  private static JsonObject awaitDelivery(PipelineHarness pipeline, String status) throws Exception {
    JsonObject delivery = awaitFirstAttempt(pipeline);
    assertThat(delivery.getString("status")).as(delivery.encode()).isEqualTo(status);
    return delivery;
  }

  private static void awaitTrue(AtomicBoolean flag, String what) {
    Awaitility.await(what).atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20)).untilTrue(flag);
  }

  private static void assertNoUrl(JsonObject delivery, int port) {
    assertThat(delivery.getString("lastError")).doesNotContain("127.0.0.1").doesNotContain(Integer.toString(port))
        .doesNotContain("s3cr3t").doesNotContain("k3y").doesNotContain("/hooks").doesNotContainPattern("[a-z]+\\.[a-z]+\\.[A-Z]\\w+");
    assertThat(delivery.encode()).doesNotContain("s3cr3t").doesNotContain("k3y").doesNotContain(SECRET);
  }
}
