package dev.contextwatch.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.testkit.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class StatusLineTest {
  private static final Path SCRIPT = Path.of("../../scripts/statusline.sh").toAbsolutePath().normalize();
  /** OtlpRequests' first record time, in epoch seconds. */
  private static final long T0 = 1_795_411_735L;
  private static final long RESETS_AT = T0 + 6 * 3600;

  @Test
  @DisplayName("a session's status line from the API: context % of the compaction point on the client's window, cost and the 5-hour use, as one line of text; an unknown session is a 404 naming it")
  void endpoint(Vertx vertx) throws Exception {
    PipelineHarness pipeline = PipelineHarness.start(vertx, TestDatabase.newDatabase(), config -> config);
    try {
      send(pipeline, OtlpRequests.mainRequest("sl-1", 1, 100_000));
      send(pipeline, OtlpRequests.statusLine("sl-1", "alice", 2, 1_000_000, 10, 20, RESETS_AT));
      pipeline.awaitCount("select count(*) from sessions where session_id = 'sl-1' and summary -> 'statusLine' is not null", 1);
      PipelineHarness.Response response = PipelineHarness.await(pipeline.apiRequest(HttpMethod.GET,
          "/api/v1/sessions/sl-1/statusline", Buffer.buffer()));
      assertThat(response.status()).isEqualTo(200);
      assertThat(response.headers().get("Content-Type")).startsWith("text/plain");
      // 100,000 of the 967,000 the client's 1M window compacts at; no priced request yet, so the client's own cost
      assertThat(response.body().toString()).isEqualTo("cw ctx 10% of compact | $0.25 | 5h 20%\n");

      JsonObject missing = pipeline.api(HttpMethod.GET, "/api/v1/sessions/nope/statusline", 404);
      assertThat(missing.getString("message")).isEqualTo("no session with id 'nope'");
    } finally {
      pipeline.stop();
    }
  }

  @Test
  @DisplayName("the quota per user and per project: the latest 5-hour use, its reset, the burn rate over the samples and when the limit is hit at that rate")
  void quota(Vertx vertx) throws Exception {
    PipelineHarness pipeline = PipelineHarness.start(vertx, TestDatabase.newDatabase(), config -> config);
    try {
      send(pipeline, OtlpRequests.statusLine("q-1", "alice", 1, 200_000, 10, 20, RESETS_AT));
      send(pipeline, OtlpRequests.statusLine("q-2", "alice", 1801, 200_000, 10, 30, RESETS_AT));
      send(pipeline, OtlpRequests.statusLine("q-3", "bob", 5, 200_000, 10, -1, 0));
      pipeline.awaitCount("select count(*) from sessions where summary -> 'statusLine' is not null", 3);
      JsonObject quota = pipeline.apiGet("/api/v1/quota");
      JsonObject alice = quota.getJsonArray("users").getJsonObject(0);
      assertThat(alice.getString("userId")).isEqualTo("alice");
      assertThat(alice.getInteger("sessions")).isEqualTo(2);
      JsonObject fiveHour = alice.getJsonObject("fiveHour");
      assertThat(fiveHour.getDouble("usedPercentage")).isEqualTo(30.0);
      assertThat(fiveHour.getString("resetsAt")).isEqualTo(Instant.ofEpochSecond(RESETS_AT).toString());
      assertThat(fiveHour.getDouble("burnPerHour")).as("10 points in 30 minutes, across both sessions").isEqualTo(20.0);
      assertThat(fiveHour.getString("limitAt")).isEqualTo(Instant.ofEpochSecond(T0 + 1801 + 70 * 3600 / 20).toString());
      JsonObject bob = quota.getJsonArray("users").getJsonObject(1);
      assertThat(bob.getString("userId")).isEqualTo("bob");
      assertThat(bob.getValue("fiveHour")).as("an API key: no plan limits").isNull();
      JsonObject acme = quota.getJsonArray("projects").getJsonObject(0);
      assertThat(acme.getString("project")).isEqualTo("acme");
      assertThat(acme.getJsonObject("fiveHour").getString("userId")).isEqualTo("alice");
    } finally {
      pipeline.stop();
    }
  }

  @Test
  @DisplayName("statusline.sh prints contextwatch's line for the session it reads on stdin")
  void scriptAgainstPipeline(Vertx vertx) throws Exception {
    PipelineHarness pipeline = PipelineHarness.start(vertx, TestDatabase.newDatabase(), config -> config);
    try {
      String input = fixture().replace("af8b2bab-db3c-4808-8fe1-332e040ab2f9", "sl-2");
      send(pipeline, OtlpRequests.mainRequest("sl-2", 1, 100_000));
      pipeline.awaitCount("select count(*) from sessions where session_id = 'sl-2'", 1);
      Map<String, String> env = Map.of("CONTEXTWATCH_API", "http://127.0.0.1:" + pipeline.apiPort(),
          "CONTEXTWATCH_OTLP", "http://127.0.0.1:" + pipeline.otlpHttpPort(), "CONTEXTWATCH_STATUSLINE_TIMEOUT", "5");
      assertThat(run(input, env)).startsWith("cw ctx 60% of compact | ");
    } finally {
      pipeline.stop();
    }
  }

  @Test
  @DisplayName("statusline.sh prints a line of its own from the input, exit 0, when contextwatch does not answer in time, refuses the connection, or the input is no JSON")
  void scriptFallback() throws Exception {
    String expected = "cw offline | Sonnet 4.5 | ctx 40% of window | $0.12\n";
    try (ServerSocket silent = new ServerSocket(0)) { // accepts connections (its backlog) and never answers
      Map<String, String> env = Map.of("CONTEXTWATCH_API", "http://127.0.0.1:" + silent.getLocalPort(),
          "CONTEXTWATCH_OTLP", "http://127.0.0.1:" + silent.getLocalPort());
      long start = System.nanoTime();
      assertThat(run(fixture(), env)).isEqualTo(expected);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).as("curl's --max-time, not a hang").isLessThan(Duration.ofSeconds(20));
    }
    int closed;
    try (ServerSocket socket = new ServerSocket(0)) {
      closed = socket.getLocalPort();
    }
    Map<String, String> refused = Map.of("CONTEXTWATCH_API", "http://127.0.0.1:" + closed, "CONTEXTWATCH_OTLP", "http://127.0.0.1:" + closed);
    assertThat(run(fixture(), refused)).isEqualTo(expected);
    assertThat(run("not json at all", refused)).isEqualTo("cw offline | Claude\n");
  }

  private static void send(PipelineHarness pipeline, Buffer body) throws Exception {
    assertThat(pipeline.postAndWait("/v1/logs", OtlpRequests.PROTOBUF, body, Map.of()).status()).isEqualTo(200);
  }

  private static String fixture() throws Exception {
    try (InputStream in = StatusLineTest.class.getResourceAsStream("/claude-code/statusline-2.1.332.json")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** Runs the script under dash (a plain POSIX sh) with {@code input} on stdin; what it printed, having asserted exit 0. */
  private static String run(String input, Map<String, String> env) throws Exception {
    ProcessBuilder builder = new ProcessBuilder("sh", SCRIPT.toString()).redirectError(ProcessBuilder.Redirect.DISCARD);
    builder.environment().keySet().removeIf(k -> k.startsWith("CONTEXTWATCH_"));
    builder.environment().putAll(env);
    Process p = builder.start();
    p.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
    return out;
  }
}
