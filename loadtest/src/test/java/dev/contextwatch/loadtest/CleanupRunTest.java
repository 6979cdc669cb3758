package dev.contextwatch.loadtest;

import static dev.contextwatch.telemetry.Otlp.integer;
import static dev.contextwatch.telemetry.Otlp.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.contextwatch.core.config.ConfigLoader;
import dev.contextwatch.telemetry.ClaudeCode;
import dev.contextwatch.telemetry.EventHeader;
import dev.contextwatch.telemetry.Otlp;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.resource.v1.Resource;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The load test as the README suggests it, against a running pipeline (started here, with API and
 * admin tokens and a webhook endpoint for every event type) that already holds real sessions; with
 * --cleanup the fleet, in every view with and without synthetic sessions, and the webhook receiver
 * are exactly as they were.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CleanupRunTest {
  private static final String API_TOKEN = "api-t0ken";
  private static final String ADMIN_TOKEN = "adm1n-t0ken";
  /** Every table that holds rows of a session. */
  private static final List<String> TABLES = List.of("events", "metric_points", "spans", "context_samples", "metric_series",
      "sessions", "session_levels", "checkpoints", "webhook_deliveries");
  private static final String USAGE_RANGE = "from=2026-01-01T00:00:00Z&to=2028-01-01T00:00:00Z&bucket=day";
  /** What a user of the fleet reads: sessions, projects, runs and usage, as shown by default and with the synthetic ones. */
  private static final List<String> FLEET = List.of("/api/v1/sessions?limit=500", "/api/v1/sessions?limit=500&synthetic=include",
      "/api/v1/sessions?limit=500&synthetic=only", "/api/v1/projects", "/api/v1/projects?synthetic=include", "/api/v1/runs",
      "/api/v1/runs?synthetic=include", "/api/v1/usage?group=project&" + USAGE_RANGE,
      "/api/v1/usage?group=project&synthetic=include&" + USAGE_RANGE);

  @TempDir
  static Path out;

  private final List<String> hooks = new CopyOnWriteArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();
  private HttpServer receiver;
  private EmbeddedTarget pipeline;

  @BeforeAll
  void start() throws Exception {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/hook", exchange -> {
      hooks.add(exchange.getRequestHeaders().getFirst("X-Contextwatch-Event") + " "
          + new JsonObject(new String(exchange.getRequestBody().readAllBytes())).getJsonObject("session").getString("id"));
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    receiver.start();
    Path config = out.resolve("pipeline.json");
    Files.writeString(config, ConfigLoader.bundledDefaults()
        .put("webhooks", new JsonArray().add(new JsonObject().put("name", "harness")
            .put("url", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook").put("secret", "whsec")))
        .put("webhookBackoffBaseMs", 100)
        .encodePrettily());
    pipeline = EmbeddedTarget.start(Options.parse("--embedded", "--pipeline-config", config.toString(),
        "--api-token", API_TOKEN, "--admin-token", ADMIN_TOKEN));
    // the real fleet: two sessions of project acme, one of them at its compaction threshold
    postLogs(realRequest("real-1", 50_000));
    postLogs(realRequest("real-2", 160_000));
    awaitHooks(3);
  }

  @AfterAll
  void stop() throws Exception {
    try {
      pipeline.close();
    } finally {
      receiver.stop(0);
    }
  }

  @Test
  @DisplayName("a load-test run against a running pipeline, then --cleanup: the fleet and the webhook receiver are exactly as they were")
  void runThenCleanupLeavesNothing() throws Exception {
    Map<String, JsonObject> before = fleet();
    List<String> hooksBefore = List.copyOf(hooks);
    assertThat(hooksBefore).containsExactlyInAnyOrder("session.started real-1", "session.started real-2", "context.critical real-2");

    Options options = Options.parse("--otlp", Target.urls(pipeline.otlp()), "--api", Target.urls(pipeline.api()),
        "--api-token", API_TOKEN, "--admin-token", ADMIN_TOKEN, "--sessions", "20", "--duration", "4s", "--logs-interval", "1s",
        "--subscribers", "2", "--cleanup", "--out", out.resolve("run").toString(),
        "--history", out.resolve("history.jsonl").toString());
    Result result = new LoadTest(options, new Target.Running(pipeline.otlp(), pipeline.api(), null)).run();

    assertThat(result.passed()).as(Report.console(result)).isTrue();
    assertThat(result.verification.method()).isEqualTo("api");
    Cleanup.Result cleanup = result.cleanup;
    assertThat(cleanup.projects()).containsExactly("loadtest");
    assertThat(cleanup.sessions()).isEqualTo(20);
    assertThat(cleanup.sessionsLeft()).isZero();
    assertThat(cleanup.deleted().get("events")).isEqualTo(result.verification.eventsExpected()).isPositive();
    assertThat(cleanup.deleted().get("metric_points")).isEqualTo(result.account.records.acknowledged().points).isPositive();
    assertThat(cleanup.deleted().get("checkpoints")).as("levels and checkpoints are computed for synthetic sessions").isPositive();
    assertThat(cleanup.deleted().get("webhook_deliveries")).as("no delivery was ever queued for them").isZero();
    assertThat(cleanup.evicted().get("sessions")).isEqualTo(20);

    assertThat(fleet()).isEqualTo(before);
    // a delivery is attempted within a second of its commit; the run and its verification took longer
    assertThat(hooks).isEqualTo(hooksBefore);
    assertThat(rowsOf(result.ledger.sessions().stream().map(e -> e.sessionId).toArray(String[]::new)))
        .allSatisfy((table, rows) -> assertThat(rows).as(table).isZero());
    JsonObject json = new JsonObject(Files.readString(out.resolve("run").resolve("result.json")));
    assertThat(json.getJsonObject("cleanup").getLong("sessionsDeleted")).isEqualTo(20);
  }

  @Test
  @DisplayName("--cleanup into a project that holds real sessions is refused before anything is sent")
  void refusesARealProject() throws Exception {
    Map<String, JsonObject> before = fleet();
    Options options = Options.parse("--otlp", Target.urls(pipeline.otlp()), "--api", Target.urls(pipeline.api()),
        "--api-token", API_TOKEN, "--admin-token", ADMIN_TOKEN, "--project", "acme", "--sessions", "5", "--duration", "2s",
        "--cleanup", "--out", out.resolve("refused").toString(), "--history", out.resolve("history.jsonl").toString());

    assertThatThrownBy(() -> new LoadTest(options, new Target.Running(pipeline.otlp(), pipeline.api(), null)).run())
        .isInstanceOf(Cleanup.Refused.class)
        .hasMessageContaining("project 'acme' holds 2 sessions the load test did not mark synthetic");
    assertThat(fleet()).isEqualTo(before);
  }

  private Map<String, JsonObject> fleet() throws Exception {
    Map<String, JsonObject> fleet = new LinkedHashMap<>();
    for (String path : FLEET) {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(pipeline.queryApi().resolve(path))
          .header("Authorization", "Bearer " + API_TOKEN).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(path).isEqualTo(200);
      fleet.put(path, withoutClock(new JsonObject(response.body())));
    }
    return fleet;
  }

  /** A running run's duration counts to now, so it grows between two reads of an unchanged fleet. */
  private static JsonObject withoutClock(JsonObject view) {
    if (view.getValue("items") instanceof JsonArray items) {
      items.forEach(item -> ((JsonObject) item).remove("durationSeconds"));
    }
    return view;
  }

  private Map<String, Long> rowsOf(String[] sessions) throws Exception {
    Map<String, Long> rows = new LinkedHashMap<>();
    try (Connection c = Jdbc.connect(pipeline.databaseUrl())) {
      Array ids = c.createArrayOf("text", sessions);
      for (String table : TABLES) {
        try (PreparedStatement s = c.prepareStatement("SELECT count(*) FROM " + table + " WHERE session_id = ANY(?)")) {
          s.setArray(1, ids);
          try (ResultSet rs = s.executeQuery()) {
            rs.next();
            rows.put(table, rs.getLong(1));
          }
        }
      }
    }
    return rows;
  }

  private void awaitHooks(int count) {
    Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20))
        .untilAsserted(() -> assertThat(hooks).hasSize(count));
  }

  private void postLogs(ExportLogsServiceRequest request) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(pipeline.otlp().get(0).resolve("/v1/logs"))
        .header("Content-Type", "application/x-protobuf")
        .POST(HttpRequest.BodyPublishers.ofByteArray(request.toByteArray())).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
  }

  /** One main-thread api_request of a real session of project acme, its prompt {@code promptTokens} long. */
  private static ExportLogsServiceRequest realRequest(String session, long promptTokens) {
    LogRecord record = EventHeader.of(session, Instant.now().toEpochMilli() * 1_000_000L, 0).record("api_request")
        .addAttributes(text("model", "claude-sonnet-4-5"))
        .addAttributes(integer("input_tokens", 100))
        .addAttributes(integer("cache_read_tokens", promptTokens - 100))
        .addAttributes(integer("output_tokens", 50))
        .build();
    Resource resource = Resource.newBuilder().addAttributes(text("service.name", ClaudeCode.SERVICE_NAME))
        .addAttributes(text("service.namespace", "acme")).addAttributes(text("contextwatch.run_id", "release-7")).build();
    return Otlp.logs(resource, ClaudeCode.EVENTS, List.of(record));
  }
}
