package dev.contextwatch.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.contextwatch.app.Pipeline;
import dev.contextwatch.core.config.ConfigLoader;
import dev.contextwatch.core.config.ContextwatchConfig;
import dev.contextwatch.testkit.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Opt-in (Maven profile {@code claude-cli}): runs the real Claude Code CLI headless against a stub
 * Messages API, exporting its telemetry to a running pipeline, and checks the database against
 * both what the CLI reported and what it actually sent (seen through a byte-for-byte relay).
 */
@Tag("claude-cli")
@DisplayName("A real Claude Code CLI run")
class ClaudeCliIT {
  private static final int TOOL_CALLS = 2;
  private static final String COMMAND = "echo hi";
  private static final String PROMPT = "Run `echo hi` with the Bash tool, twice, then say you are done.";
  private static final Duration CLI_TIMEOUT = Duration.ofMinutes(3);
  private static final Duration STORE_TIMEOUT = Duration.ofSeconds(30);

  private static ClaudeCli.Installation cli;

  private Vertx vertx;
  private Pipeline pipeline;
  private String databaseUrl;
  private StubMessagesApi stub;
  private OtlpTap tap;

  @BeforeAll
  static void installCli() throws Exception {
    Path prefix = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().resolve("target/claude-cli");
    cli = ClaudeCli.locate(prefix);
    System.out.println("[claude-cli] using " + cli.executable() + " version '" + cli.version() + "' (" + cli.how() + ")");
  }

  @BeforeEach
  void startPipeline() throws Exception {
    databaseUrl = TestDatabase.newDatabase();
    ContextwatchConfig defaults = ConfigLoader.defaults();
    // port 0: one receiver instance on a free port; the relay forwards to it
    ContextwatchConfig config = defaults
        .withDatabase(defaults.database().withUrl(databaseUrl))
        .withReceiver(defaults.receiver().withPorts("127.0.0.1", 0, 0))
        .withApi(defaults.api().withPort(0));
    vertx = Vertx.vertx();
    pipeline = Pipeline.start(vertx, config).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    tap = new OtlpTap(pipeline.otlpHttpPort());
    stub = new StubMessagesApi(TOOL_CALLS, COMMAND);
  }

  @AfterEach
  void stopPipeline() throws Exception {
    if (stub != null) {
      stub.close();
    }
    if (tap != null) {
      tap.close();
    }
    try {
      if (pipeline != null) {
        pipeline.stop().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      }
    } finally {
      if (vertx != null) {
        vertx.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      }
    }
  }

  @ParameterizedTest(name = "exporting over {0}")
  @ValueSource(strings = {"http/protobuf", "http/json"})
  @DisplayName("has every event and data point it exports stored once, adding up to the usage it reports")
  void storesEveryRecordOnce(String protocol, @TempDir Path temp) throws Exception {
    Path home = Files.createDirectories(temp.resolve("home"));
    Path work = Files.createDirectories(temp.resolve("work"));
    Map<String, String> env = new HashMap<>();
    env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin"));
    env.put("HOME", home.toString());
    if (Files.isExecutable(Path.of("/bin/bash"))) {
      env.put("SHELL", "/bin/bash");
    }
    env.put("ANTHROPIC_BASE_URL", stub.baseUrl());
    env.put("ANTHROPIC_API_KEY", "dummy");
    env.put("CLAUDE_CODE_ENABLE_TELEMETRY", "1");
    env.put("OTEL_METRICS_EXPORTER", "otlp");
    env.put("OTEL_LOGS_EXPORTER", "otlp");
    env.put("OTEL_EXPORTER_OTLP_PROTOCOL", protocol);
    env.put("OTEL_EXPORTER_OTLP_ENDPOINT", "http://localhost:" + tap.port());
    env.put("OTEL_METRIC_EXPORT_INTERVAL", "200");
    env.put("OTEL_LOGS_EXPORT_INTERVAL", "200");
    env.put("DISABLE_AUTOUPDATER", "1");
    env.put("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1");
    // --dangerously-skip-permissions is refused when running as root; allowing Bash is enough headless
    List<String> command = List.of(cli.executable().toString(), "-p", PROMPT, "--output-format", "json",
        "--allowedTools", "Bash");

    ClaudeCli.Result run = ClaudeCli.run(command, env, work, CLI_TIMEOUT, true);

    String transcript = "stdout:\n" + run.stdout() + "\nstderr:\n" + run.stderr();
    assertThat(run.timedOut()).as("CLI still running after %s; %s", CLI_TIMEOUT, transcript).isFalse();
    assertThat(run.exitCode()).as("CLI exit code; %s", transcript).isZero();
    JsonObject result = lastJsonObject(run.stdout());
    assertThat(result.getString("type")).as(transcript).isEqualTo("result");
    assertThat(result.getBoolean("is_error")).as(transcript).isFalse();
    String sessionId = result.getString("session_id");
    assertThat(sessionId).as(transcript).isNotBlank();
    JsonObject usage = result.getJsonObject("usage");
    assertThat(usage).as(transcript).isNotNull();
    long input = usage.getLong("input_tokens");
    long output = usage.getLong("output_tokens");
    long cacheRead = usage.getLong("cache_read_input_tokens");
    long cacheCreation = usage.getLong("cache_creation_input_tokens");
    double cost = result.getDouble("total_cost_usd");

    // the stub's script ran as intended: each Bash call really ran, the CLI reports what the stub handed out
    assertThat(stub.answers()).as("Messages API answers").hasSize(TOOL_CALLS + 1);
    assertThat(stub.toolResults()).as("tool results sent back").hasSize(TOOL_CALLS).allMatch(t -> t.contains("hi"));
    StubMessagesApi.Usage handedOut = stub.totalUsage();
    assertThat(new StubMessagesApi.Usage(input, output, cacheRead, cacheCreation))
        .as("CLI usage vs the stub's").isEqualTo(handedOut);

    List<OtlpTap.Exchange> exports = awaitAnswered();
    Stored stored = awaitStable();

    // what went over the wire
    assertThat(exports).as("OTLP requests").isNotEmpty();
    assertThat(exports).as("OTLP requests and their answers").allSatisfy(e -> {
      assertThat(e.method()).isEqualTo("POST");
      assertThat(e.path()).isIn("/v1/logs", "/v1/metrics");
      assertThat(e.status()).as("answer to %s: %s", e, e.responseBody()).isEqualTo(200);
    });
    assertThat(tap.incompleteRequests()).as("requests cut off").isZero();
    Map<String, Integer> sentEvents = new TreeMap<>();
    Map<String, Integer> sentPoints = new TreeMap<>();
    Set<ByteBuffer> distinctBodies = new LinkedHashSet<>();
    for (OtlpTap.Exchange e : exports) {
      if (distinctBodies.add(key(e))) { // a retry re-sends identical bytes: count its records once
        e.records().forEach((name, n) -> (e.path().equals("/v1/logs") ? sentEvents : sentPoints).merge(name, n, Integer::sum));
      }
    }
    int sentEventCount = sentEvents.values().stream().mapToInt(Integer::intValue).sum();
    int sentPointCount = sentPoints.values().stream().mapToInt(Integer::intValue).sum();

    // every record sent is stored, once
    assertThat(stored.eventsByName()).as("events stored by name vs log records sent").isEqualTo(sentEvents);
    assertThat(stored.pointsByName()).as("data points stored by metric vs sent").isEqualTo(sentPoints);
    assertThat(stored.events()).isEqualTo(sentEventCount).isEqualTo(stored.distinctEventKeys());
    assertThat(stored.points()).isEqualTo(sentPointCount).isEqualTo(stored.distinctPointKeys());
    assertThat(stored.sessions()).as("session ids on stored rows").containsExactly(sessionId);

    try (Connection db = TestDatabase.connect(databaseUrl)) {
      // the api_request events add up to the CLI's own totals
      List<Object> sums = row(db, """
          SELECT count(*), sum(input_tokens), sum(output_tokens), sum(cache_read_tokens),
                 sum(cache_creation_tokens), sum(cost_usd)
          FROM events WHERE session_id = ? AND event_name = 'api_request'""", sessionId);
      assertThat(((Number) sums.get(0)).longValue()).as("api_request events").isEqualTo(stub.answers().size());
      assertThat(((Number) sums.get(1)).longValue()).as("input tokens").isEqualTo(input);
      assertThat(((Number) sums.get(2)).longValue()).as("output tokens").isEqualTo(output);
      assertThat(((Number) sums.get(3)).longValue()).as("cache read tokens").isEqualTo(cacheRead);
      assertThat(((Number) sums.get(4)).longValue()).as("cache creation tokens").isEqualTo(cacheCreation);
      assertThat(((Number) sums.get(5)).doubleValue()).as("cost").isCloseTo(cost, within(1e-9));

      // so do the delta token.usage points, by type
      Map<String, Double> tokensByType = new TreeMap<>();
      try (PreparedStatement s = db.prepareStatement("""
          SELECT attributes->>'type', sum(value), bool_and(temporality = 'delta')
          FROM metric_points WHERE session_id = ? AND metric_name = 'claude_code.token.usage' GROUP BY 1""")) {
        s.setString(1, sessionId);
        try (ResultSet rs = s.executeQuery()) {
          while (rs.next()) {
            tokensByType.put(rs.getString(1), rs.getDouble(2));
            assertThat(rs.getBoolean(3)).as("token.usage %s temporality is delta", rs.getString(1)).isTrue();
          }
        }
      }
      assertThat(tokensByType).as("claude_code.token.usage by type").isEqualTo(Map.of(
          "input", (double) input, "output", (double) output,
          "cacheRead", (double) cacheRead, "cacheCreation", (double) cacheCreation));
      List<Object> costPoints = row(db, """
          SELECT sum(value) FROM metric_points WHERE session_id = ? AND metric_name = 'claude_code.cost.usage'""",
          sessionId);
      assertThat(((Number) costPoints.get(0)).doubleValue()).as("claude_code.cost.usage").isCloseTo(cost, within(1e-9));

      // the turn's events are there, one tool_result per scripted Bash call, each a success
      assertThat(stored.eventsByName()).containsKeys("user_prompt", "api_request", "tool_result");
      assertThat(stored.eventsByName().get("tool_result")).isEqualTo(TOOL_CALLS);
      List<Object> toolResults = row(db, """
          SELECT count(*) FILTER (WHERE attributes->>'success' = 'true'), string_agg(DISTINCT attributes->>'tool_name', ',')
          FROM events WHERE session_id = ? AND event_name = 'tool_result'""", sessionId);
      assertThat(((Number) toolResults.get(0)).longValue()).as("successful tool results").isEqualTo(TOOL_CALLS);
      assertThat(toolResults.get(1)).isEqualTo("Bash");
    }

    System.out.printf("[claude-cli] %s: CLI %s, exit %d in %d ms, session %s, num_turns %s%n", protocol, cli.version(),
        run.exitCode(), run.took().toMillis(), sessionId, result.getValue("num_turns"));
    System.out.printf("[claude-cli] %s: usage input=%d output=%d cacheRead=%d cacheCreation=%d cost=%s%n", protocol,
        input, output, cacheRead, cacheCreation, cost);
    System.out.printf("[claude-cli] %s: %d OTLP requests (%d distinct bodies) on %d connections; stored %d events %s, %d points %s%n",
        protocol, exports.size(), distinctBodies.size(), tap.connectionCount(), stored.events(), stored.eventsByName(),
        stored.points(), stored.pointsByName());
    for (OtlpTap.Exchange e : exports) {
      System.out.printf("[claude-cli] %s:   %s records=%s%n", protocol, e, e.records());
    }
    System.out.printf("[claude-cli] %s: stub answers %s; other requests to the stub %s%n", protocol, stub.answers(),
        stub.otherRequests());
  }

  private static ByteBuffer key(OtlpTap.Exchange e) {
    byte[] path = e.path().getBytes();
    byte[] body = e.decodedBody();
    return ByteBuffer.allocate(path.length + 1 + body.length).put(path).put((byte) 0).put(body).flip();
  }

  /** Waits until every OTLP request has been answered: the receiver answers only after the commit. */
  private List<OtlpTap.Exchange> awaitAnswered() {
    Awaitility.await("every OTLP request answered").atMost(STORE_TIMEOUT).pollInterval(Duration.ofMillis(100))
        .until(() -> tap.incompleteRequests() == 0 && tap.exchanges().stream().noneMatch(e -> e.status() < 0));
    return tap.exchanges();
  }

  /** What the database holds, once two looks a moment apart agree. */
  private Stored awaitStable() {
    AtomicReference<Stored> previous = new AtomicReference<>();
    return Awaitility.await("the stored rows settled").atMost(STORE_TIMEOUT).pollInterval(Duration.ofMillis(500))
        .until(this::stored, current -> current.equals(previous.getAndSet(current)));
  }

  /** Counts over the whole (fresh) database: everything in it came from this one CLI run. */
  private record Stored(long events, long distinctEventKeys, long points, long distinctPointKeys,
      Map<String, Integer> eventsByName, Map<String, Integer> pointsByName, List<String> sessions) {}

  private Stored stored() throws SQLException {
    try (Connection db = TestDatabase.connect(databaseUrl)) {
      List<Object> events = row(db, "SELECT count(*), count(DISTINCT dedup_key) FROM events");
      List<Object> points = row(db, "SELECT count(*), count(DISTINCT dedup_key) FROM metric_points");
      return new Stored(((Number) events.get(0)).longValue(), ((Number) events.get(1)).longValue(),
          ((Number) points.get(0)).longValue(), ((Number) points.get(1)).longValue(),
          counts(db, "SELECT coalesce(event_name, ''), count(*) FROM events GROUP BY 1"),
          counts(db, "SELECT metric_name, count(*) FROM metric_points GROUP BY 1"),
          strings(db, "SELECT DISTINCT coalesce(session_id, '<null>') FROM "
              + "(SELECT session_id FROM events UNION ALL SELECT session_id FROM metric_points) s"));
    }
  }

  private static Map<String, Integer> counts(Connection db, String sql) throws SQLException {
    Map<String, Integer> counts = new TreeMap<>();
    try (PreparedStatement s = db.prepareStatement(sql); ResultSet rs = s.executeQuery()) {
      while (rs.next()) {
        counts.put(rs.getString(1), rs.getInt(2));
      }
    }
    return counts;
  }

  private static List<String> strings(Connection db, String sql) throws SQLException {
    List<String> values = new ArrayList<>();
    try (PreparedStatement s = db.prepareStatement(sql); ResultSet rs = s.executeQuery()) {
      while (rs.next()) {
        values.add(rs.getString(1));
      }
    }
    return values;
  }

  private static List<Object> row(Connection db, String sql, Object... parameters) throws SQLException {
    try (PreparedStatement s = db.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) {
        s.setObject(i + 1, parameters[i]);
      }
      try (ResultSet rs = s.executeQuery()) {
        assertThat(rs.next()).as("a row from %s", sql).isTrue();
        List<Object> values = new ArrayList<>();
        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
          Object value = rs.getObject(i);
          values.add(value == null ? 0 : value);
        }
        return values;
      }
    }
  }

  /** The CLI's --output-format json result: the last line of stdout that is a JSON object. */
  private static JsonObject lastJsonObject(String stdout) {
    String[] lines = stdout.trim().split("\n");
    for (int i = lines.length - 1; i >= 0; i--) {
      String line = lines[i].trim();
      if (line.startsWith("{")) {
        return new JsonObject(line);
      }
    }
    throw new AssertionError("no JSON object on the CLI's stdout:\n" + stdout);
  }
}
