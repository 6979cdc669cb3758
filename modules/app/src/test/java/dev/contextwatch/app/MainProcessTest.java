package dev.contextwatch.app;

import static dev.contextwatch.app.OtlpRequests.PROTOBUF;
import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.testkit.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real entry point in its own JVM: configuration errors, start-up and SIGTERM. */
class MainProcessTest {
  @TempDir
  Path dir;

  @Test
  @DisplayName("a bad configuration value exits with status 2 and a message naming the key")
  void badValueExits() throws Exception {
    ChildPipeline child = ChildPipeline.start(dir, Map.of("CONTEXTWATCH_OTLP_HTTP_PORT", "not-a-port"));
    assertThat(child.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(child.process().exitValue()).isEqualTo(2);
    assertThat(child.output()).contains("'otlpHttpPort'").contains("CONTEXTWATCH_OTLP_HTTP_PORT");
  }

  @Test
  @DisplayName("start-up is clean: one line per receiver protocol with its instance count, no warning, no escape code, and a ready line with the dashboard's URL")
  void cleanStartUp() throws Exception {
    int apiPort = ChildPipeline.freePort();
    ChildPipeline child = ChildPipeline.start(dir, Map.of(
        "CONTEXTWATCH_PG_URL", TestDatabase.newDatabase(),
        "CONTEXTWATCH_OTLP_HTTP_PORT", Integer.toString(ChildPipeline.freePort()),
        "CONTEXTWATCH_OTLP_GRPC_PORT", Integer.toString(ChildPipeline.freePort()),
        "CONTEXTWATCH_API_PORT", Integer.toString(apiPort),
        "CONTEXTWATCH_RECEIVER_INSTANCES", "2"));
    try {
      child.awaitLog("event=contextwatch_ready", 1);
      String out = child.output();
      assertThat(out).doesNotContain("already registered").doesNotContain("\u001b").doesNotContain("level=WARN").doesNotContain("level=ERROR");
      for (String protocol : List.of("http", "grpc")) {
        assertThat(out.lines().filter(line -> line.contains("event=receiver_started protocol=" + protocol)))
            .singleElement().asString().contains("instances=2");
      }
      assertThat(out.lines().filter(line -> line.contains("event=contextwatch_ready"))).singleElement().asString()
          .contains("dashboard=http://localhost:" + apiPort + "/ ");
    } finally {
      child.stop();
    }
  }

  @Test
  @DisplayName("SIGTERM stops accepting, still answers and stores the request it had accepted, then exits cleanly")
  void sigtermFlushesAccepted() throws Exception {
    String database = TestDatabase.newDatabase();
    int port = ChildPipeline.freePort();
    int apiPort = ChildPipeline.freePort();
    ChildPipeline child = ChildPipeline.start(dir, Map.of(
        "CONTEXTWATCH_PG_URL", database,
        "CONTEXTWATCH_OTLP_HTTP_PORT", Integer.toString(port),
        "CONTEXTWATCH_API_PORT", Integer.toString(apiPort),
        "CONTEXTWATCH_OTLP_GRPC_PORT", "0",
        "CONTEXTWATCH_RECEIVER_INSTANCES", "1",
        // a long flush window keeps the request waiting in the write queue when SIGTERM arrives
        "CONTEXTWATCH_WRITER_FLUSH_INTERVAL_MS", "3000"));
    try {
      child.awaitLog("event=contextwatch_ready", 1);

      // HTTP/1.1 as Claude Code sends; JDK 17's client would upgrade to h2c and fails in-flight streams on the GOAWAY of a graceful shutdown
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      CompletableFuture<HttpResponse<String>> inFlight = client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/logs"))
          .header("Content-Type", PROTOBUF)
          .POST(HttpRequest.BodyPublishers.ofByteArray(OtlpRequests.apiRequests("sigterm", 0, 4).getBytes()))
          .build(), HttpResponse.BodyHandlers.ofString());
      // the queue holds the request's 4 events and the session's state rows
      Awaitility.await("the request waiting in the write queue").atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(20)).until(() -> writeQueueRecords(client, apiPort) >= 4);
      assertThat(inFlight).isNotDone();

      child.process().destroy(); // SIGTERM
      assertThat(inFlight.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      assertThat(child.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(child.output()).contains("event=shutdown_started").contains("event=shutdown_complete");
      try (Connection c = TestDatabase.connect(database);
          ResultSet rs = c.createStatement().executeQuery("select count(*) from events where session_id = 'sigterm'")) {
        rs.next();
        assertThat(rs.getLong(1)).isEqualTo(4);
      }
    } finally {
      child.stop();
    }
  }

  /** The writer's queue as /metrics reports it. */
  private static double writeQueueRecords(HttpClient client, int apiPort) throws Exception {
    String metrics = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + "/metrics"))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
    return metrics.lines().filter(line -> line.startsWith("contextwatch_write_queue_records "))
        .mapToDouble(line -> Double.parseDouble(line.substring(line.indexOf(' ') + 1))).findFirst().orElse(-1);
  }
}
