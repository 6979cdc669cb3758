package dev.contextwatch.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.app.CliTotals;
import dev.contextwatch.app.Pipeline;
import dev.contextwatch.core.config.ConfigLoader;
import dev.contextwatch.core.config.ContextwatchConfig;
import dev.contextwatch.testkit.Fixtures;
import dev.contextwatch.testkit.TestDatabase;
import io.vertx.core.Vertx;
import dev.contextwatch.core.model.ClientJson;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Opt-in (Maven profile {@code claude-cli}): runs the real Claude Code CLI headless against a stub
 * Messages API, each case in parallel with its own stub, relay and pipeline, exporting its telemetry
 * over the case's protocol and temporality, and checks the database against both what the CLI
 * reported ({@code modelUsage}, the session total) and what it actually sent (seen through a relay).
 * The cases make the client compact, delegate to a subagent, retry server errors, resume a session
 * and export traces. With {@code -Dclaude.cli.record=DIR} every case is also written to
 * {@code DIR/<case>/} as a fixture (docs/claude-code-setup.md: re-recording the fixtures).
 */
@Tag("claude-cli")
@DisplayName("A real Claude Code CLI run")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClaudeCliIT {
  private static final String COMMAND = "echo hi";
  private static final String PROMPT = "Run `echo hi` with the Bash tool, as often as asked, then say you are done.";
  private static final String RESUME_PROMPT = "Say that you are done.";
  private static final Duration CLI_TIMEOUT = Duration.ofMinutes(4);
  private static final Duration STORE_TIMEOUT = Duration.ofSeconds(30);
  private static final StubMessagesApi.Script TOOL_LOOP = StubMessagesApi.Script.toolLoop(2, COMMAND);

  /**
   * One scripted CLI run: how it exports, what the stub makes it do, any further environment, and
   * whether the CLI is expected to end its turn with an error.
   */
  record Case(String name, String protocol, String temporality, StubMessagesApi.Script script, boolean traces, boolean resume,
      Map<String, String> env, boolean fails, boolean hooks) {
    Case(String name, String protocol, String temporality, StubMessagesApi.Script script, boolean traces, boolean resume) {
      this(name, protocol, temporality, script, traces, resume, Map.of(), false, false);
    }

    /** The CLI also posts its lifecycle hooks to /v1/hooks, and contextwatch hands context back. */
    Case withHooks() {
      return new Case(name, protocol, temporality, script, traces, resume, env, fails, true);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  static final List<Case> CASES = List.of(
      new Case("tool-loop-delta-protobuf", "http/protobuf", "delta", TOOL_LOOP, false, false),
      new Case("tool-loop-delta-json", "http/json", "delta", TOOL_LOOP, false, false),
      new Case("tool-loop-cumulative-grpc", "grpc", "cumulative", TOOL_LOOP, false, false),
      new Case("reactive-compaction-cumulative-protobuf", "http/protobuf", "cumulative",
          StubMessagesApi.Script.toolLoop(8, COMMAND).withWindow(200_000, 30_000), false, false),
      new Case("subagent-delta-grpc", "grpc", "delta", TOOL_LOOP.withSubagent(), false, false),
      new Case("api-error-retries-delta-json", "http/json", "delta", TOOL_LOOP.withFailures(529, 500), false, false),
      new Case("api-retries-exhausted-delta-protobuf", "http/protobuf", "delta", TOOL_LOOP.withFailures(529, 529, 529), false, false,
          Map.of("CLAUDE_CODE_MAX_RETRIES", "2"), true, false),
      new Case("resume-delta-protobuf", "http/protobuf", "delta", TOOL_LOOP, false, true),
      new Case("traces-subagent-delta-protobuf", "http/protobuf", "delta", TOOL_LOOP.withSubagent(), true, false),
      new Case("hooks-compaction-resume-delta-json", "http/json", "delta",
          StubMessagesApi.Script.toolLoop(8, COMMAND).withWindow(200_000, 30_000), false, true).withHooks());
  /** The hook events the hooks case configures, each posted to /v1/hooks. */
  private static final List<String> HOOK_EVENTS = List.of("SessionStart", "SessionEnd", "PreCompact", "PostCompact", "Stop");

  private ClaudeCli.Installation cli;
  private final Map<String, Future<CaseRun>> runs = new LinkedHashMap<>();
  private ExecutorService executor;

  @BeforeAll
  void runEveryCase() throws Exception {
    Path prefix = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().resolve("target/claude-cli");
    cli = ClaudeCli.locate(prefix);
    System.out.println("[claude-cli] using " + cli.executable() + " version '" + cli.version() + "' (" + cli.how() + ")");
    executor = Executors.newFixedThreadPool(Integer.getInteger("claude.cli.parallel", 3));
    Set<String> only = Set.of(System.getProperty("claude.cli.cases", "").split(","));
    for (Case c : CASES.stream().filter(c -> only.equals(Set.of("")) || only.contains(c.name())).toList()) {
      runs.put(c.name(), executor.submit(() -> CaseRun.run(cli, c)));
    }
  }

  @AfterAll
  void closeEveryCase() throws Exception {
    executor.shutdown();
    for (Future<CaseRun> run : runs.values()) {
      try {
        run.get(CLI_TIMEOUT.multipliedBy(3).toMillis(), TimeUnit.MILLISECONDS).close();
      } catch (Exception e) {
        // a case that failed to start has nothing to close; its test reported why
      }
    }
  }

  Stream<Case> cases() {
    return CASES.stream().filter(c -> runs.containsKey(c.name()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  @DisplayName("has every record it exports stored once, and session totals equal to the modelUsage it reports")
  void storesEveryRecordOnceAndMatchesModelUsage(Case c) throws Exception {
    CaseRun run = runs.get(c.name()).get(CLI_TIMEOUT.multipliedBy(3).toMillis(), TimeUnit.MILLISECONDS);
    List<JsonObject> results = run.results();
    run.report(c);

    // the stub's script ran as intended, and the CLI reports what the stub handed out
    StubMessagesApi stub = run.stub();
    Fixtures.ModelUsage reported = Fixtures.ModelUsage.bySession(results).values().stream()
        .reduce(Fixtures.ModelUsage.NONE, Fixtures.ModelUsage::plus);
    assertThat(new StubMessagesApi.Usage(reported.input(), reported.output(), reported.cacheRead(), reported.cacheCreation()))
        .as("the CLI's modelUsage vs what the stub handed out").isEqualTo(stub.totalUsage());

    List<OtlpTap.Exchange> exports = run.exports();
    assertThat(exports).as("OTLP requests").isNotEmpty().allSatisfy(e -> {
      assertThat(e.path()).isIn("/v1/logs", "/v1/metrics", "/v1/traces");
      assertThat(e.status()).as("answer to %s: %s", e, e.responseBody()).isEqualTo(200);
    });
    Map<String, Integer> sentEvents = new TreeMap<>();
    Map<String, Integer> sentPoints = new TreeMap<>();
    Map<String, Integer> sentSpans = new TreeMap<>();
    Set<ByteBuffer> distinctBodies = new LinkedHashSet<>();
    for (OtlpTap.Exchange e : exports) {
      if (distinctBodies.add(key(e))) { // a retry re-sends identical bytes: count its records once
        Map<String, Integer> target = switch (e.path()) {
          case "/v1/logs" -> sentEvents;
          case "/v1/metrics" -> sentPoints;
          default -> sentSpans;
        };
        e.records().forEach((name, n) -> target.merge(name, n, Integer::sum));
      }
    }

    // every record sent is stored, once
    Stored stored = run.stored();
    assertThat(stored.eventsByName()).as("events stored by name vs log records sent").isEqualTo(sentEvents);
    assertThat(stored.pointsByName()).as("data points stored by metric vs sent").isEqualTo(sentPoints);
    assertThat(stored.spansByName()).as("spans stored by name vs sent").isEqualTo(sentSpans);
    assertThat(stored.events()).isEqualTo(stored.distinctEventKeys());
    assertThat(stored.points()).isEqualTo(stored.distinctPointKeys());

    // each session's totals, from events and from metrics, are the sums of its runs' modelUsage
    Map<String, Fixtures.ModelUsage> bySession = Fixtures.ModelUsage.bySession(results);
    for (Map.Entry<String, Fixtures.ModelUsage> session : bySession.entrySet()) {
      CliTotals.assertMatch(run.session(session.getKey()), session.getValue());
    }
    assertThat(stored.sessions()).as("session ids on stored rows").containsAll(bySession.keySet());

    try (Connection db = TestDatabase.connect(run.databaseUrl())) {
      assertThat(count(db, "SELECT count(*) FROM events WHERE event_name = 'api_request'"))
          .as("api_request events vs the stub's successful answers")
          .isEqualTo(stub.answers().stream().filter(a -> a.status() == 200).count());
      assertThat(count(db, "SELECT count(*) FROM events WHERE event_name = 'tool_result'"))
          .as("tool_result events vs the stub's tool_use answers")
          .isEqualTo(stub.answers().stream().filter(a -> "tool_use".equals(a.stopReason())).count());
      assertCase(c, run, db);
    }
  }

  /** What each case was scripted to make the client do, as the database shows it. */
  private static void assertCase(Case c, CaseRun run, Connection db) throws Exception {
    List<StubMessagesApi.Answer> answers = run.stub().answers();
    if (c.script().window() > 0) {
      assertThat(answers).as("a 400 prompt is too long, then the compaction request")
          .anyMatch(a -> a.status() == 400).anyMatch(a -> a.thread() == StubMessagesApi.Thread.COMPACTION);
      assertThat(count(db, "SELECT count(*) FROM events WHERE event_name = 'compaction'")).as("compaction events").isEqualTo(1);
      assertThat(count(db, "SELECT count(*) FROM events WHERE event_name = 'api_error'"
          + " AND attributes->>'error' LIKE 'prompt is too long%'")).as("api_error prompt is too long").isEqualTo(1);
    }
    if (c.script().subagent()) {
      assertThat(answers).as("the subagent's requests").anyMatch(a -> a.thread() == StubMessagesApi.Thread.SUBAGENT);
      assertThat(count(db, "SELECT count(*) FROM events WHERE event_name = 'api_request'"
          + " AND attributes->>'query_source' LIKE 'agent:%'")).as("api_request of the subagent")
          .isEqualTo(answers.stream().filter(a -> a.thread() == StubMessagesApi.Thread.SUBAGENT).count());
      assertThat(count(db, "SELECT count(*) FROM events WHERE event_name = 'subagent_completed'")).as("subagent_completed")
          .isEqualTo(1);
    }
    if (!c.script().failures().isEmpty()) {
      assertThat(answers.stream().filter(a -> a.status() >= 500).count()).as("server errors answered")
          .isEqualTo(c.script().failures().size());
      // 2.1.332 reports a server error only once its retries are exhausted, with the attempts made
      assertThat(count(db, "SELECT count(*) FROM events WHERE event_name = 'api_error'")).as("api_error events")
          .isEqualTo(c.fails() ? 1 : 0);
    }
    if (c.resume()) {
      assertThat(count(db, "SELECT count(*) FROM metric_points WHERE metric_name = 'claude_code.session.count'"
          + " AND attributes->>'start_type' = 'resume'")).as("session.count points of the resumed run").isEqualTo(1);
    }
    if (c.hooks()) {
      assertHooks(run, db);
    }
    if (c.traces()) {
      assertThat(count(db, "SELECT count(*) FROM spans WHERE name = 'claude_code.llm_request'")).as("llm_request spans")
          .isEqualTo(answers.stream().filter(a -> a.status() == 200).count());
    }
  }

  /**
   * The hooks arrived (start, the compaction, the end), the first session ended closed with its
   * reason and its compaction counted once, and the context contextwatch handed back reached the
   * model in a later request.
   */
  private static void assertHooks(CaseRun run, Connection db) throws Exception {
    String first = run.results().get(0).getString("session_id");
    System.out.println("[claude-cli] hooks: " + strings(db, "SELECT session_id || ' ' || event_name || ' ' || attributes::text"
        + " FROM events WHERE scope_name = 'contextwatch.hooks' OR event_name LIKE 'hook_execution%' ORDER BY time"));
    assertThat(count(db, "SELECT count(*) FROM events WHERE event_name = 'hook.SessionStart' AND attributes->>'source' = 'startup'"))
        .as("SessionStart startup").isEqualTo(1);
    assertThat(count(db, "SELECT count(*) FROM events WHERE event_name = 'hook.SessionStart' AND attributes->>'source' = 'compact'"))
        .as("SessionStart compact").isEqualTo(1);
    assertThat(count(db, "SELECT count(*) FROM events WHERE event_name = 'hook.SessionStart' AND attributes->>'source' = 'resume'"))
        .as("SessionStart resume").isEqualTo(1);
    assertThat(count(db, "SELECT count(*) FROM events WHERE event_name = 'hook.PreCompact'")).as("PreCompact").isEqualTo(1);
    assertThat(count(db, "SELECT count(*) FROM events WHERE event_name = 'hook.SessionEnd'")).as("SessionEnd, one per run").isEqualTo(2);
    JsonObject session = run.session(first);
    assertThat(session.getString("status")).isEqualTo("closed");
    assertThat(session.getJsonObject("lifecycle").getString("endReason")).isNotBlank();
    assertThat(session.getJsonObject("context").getInteger("compactions")).as("hook and event of one compaction").isEqualTo(1);
    assertThat(run.stub().mainRequests()).as("a main-thread request carrying the context handed back")
        .anyMatch(text -> text.contains("where this conversation stood before the compaction"));
  }

  /** One case's CLI runs and everything they talked to; the CLI has finished and the stored rows have settled. */
  private record CaseRun(Vertx vertx, Pipeline pipeline, String databaseUrl, StubMessagesApi stub, List<AutoCloseable> opened,
      List<OtlpTap.Exchange> exports, List<ClaudeCli.Result> processes, List<JsonObject> results, Stored stored) {

    static CaseRun run(ClaudeCli.Installation cli, Case c) throws Exception {
      String databaseUrl = TestDatabase.newDatabase();
      ContextwatchConfig defaults = ConfigLoader.defaults();
      ContextwatchConfig config = defaults
          .withDatabase(defaults.database().withUrl(databaseUrl))
          .withReceiver(defaults.receiver().withPorts("127.0.0.1", 0, 0).withContextReloading(c.hooks()))
          .withApi(defaults.api().withPort(0));
      Vertx vertx = Vertx.vertx();
      List<AutoCloseable> opened = new ArrayList<>();
      try {
        return run(cli, c, vertx, databaseUrl, config, opened);
      } catch (Throwable failure) {
        closeAll(vertx, opened);
        throw failure;
      }
    }

    /** Closes what a case opened, the latest first, then its Vert.x. */
    private static void closeAll(Vertx vertx, List<AutoCloseable> opened) throws Exception {
      try {
        for (int i = opened.size() - 1; i >= 0; i--) {
          opened.get(i).close();
        }
      } finally {
        vertx.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      }
    }

    /** Runs the case; everything it opens is added to {@code opened} first, for the caller to close on failure. */
    private static CaseRun run(ClaudeCli.Installation cli, Case c, Vertx vertx, String databaseUrl, ContextwatchConfig config,
        List<AutoCloseable> opened) throws Exception {
      Pipeline pipeline = pipelineOf(vertx, config);
      opened.add(() -> pipeline.stop().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS));
      StubMessagesApi stub = new StubMessagesApi(c.script());
      opened.add(stub);
      boolean grpc = c.protocol().equals("grpc");
      OtlpTap httpTap = grpc ? null : new OtlpTap(pipeline.otlpHttpPort());
      GrpcTap grpcTap = grpc ? new GrpcTap(pipeline.otlpGrpcPort()) : null;
      opened.add(grpc ? grpcTap : httpTap);
      Path temp = Files.createTempDirectory("claude-cli-" + c.name());
      opened.add(() -> deleteTree(temp));
      Path home = Files.createDirectories(temp.resolve("home"));
      Path work = Files.createDirectories(temp.resolve("work"));
      Map<String, String> env = environment(c, stub, grpc ? grpcTap.port() : httpTap.port(), home);
      if (c.hooks()) {
        writeHooks(home, pipeline.otlpHttpPort());
      }
      List<ClaudeCli.Result> processes = new ArrayList<>();
      List<JsonObject> results = new ArrayList<>();
      processes.add(ClaudeCli.run(command(cli, PROMPT), env, work, CLI_TIMEOUT, true));
      results.add(resultOf(c, processes.get(0)));
      if (c.resume()) {
        List<String> resume = new ArrayList<>(command(cli, RESUME_PROMPT));
        resume.addAll(List.of("--resume", results.get(0).getString("session_id")));
        processes.add(ClaudeCli.run(resume, env, work, CLI_TIMEOUT, true));
        results.add(resultOf(c, processes.get(1)));
      }
      List<OtlpTap.Exchange> exports = grpc ? awaitCalls(grpcTap) : awaitAnswered(httpTap);
      Stored stored = awaitStable(databaseUrl);
      String record = System.getProperty("claude.cli.record", "");
      if (!record.isBlank()) {
        Path folder = FixtureRecorder.write(Path.of(record).toAbsolutePath(), c.name(), exports, results);
        System.out.println("[claude-cli] " + c.name() + ": recorded " + exports.size() + " requests in " + folder);
      }
      return new CaseRun(vertx, pipeline, databaseUrl, stub, opened, exports, processes, results, stored);
    }

    /**
     * The user's settings.json as docs/claude-code-setup.md shows it: an http hook per event, but a
     * command hook (curl) for SessionStart, which 2.1.332 runs for command hooks only; its answer,
     * printed on standard output, is what the client reads. Straight to the receiver: the OTLP tap
     * forwards OTLP only.
     */
    private static void writeHooks(Path home, int otlpPort) throws IOException {
      String url = "http://127.0.0.1:" + otlpPort + "/v1/hooks";
      JsonObject http = new JsonObject().put("type", "http").put("url", url)
          .put("headers", new JsonObject().put("Authorization", "Bearer $CW_TOKEN"))
          .put("allowedEnvVars", new JsonArray().add("CW_TOKEN"));
      JsonObject command = new JsonObject().put("type", "command").put("command", "curl -sS --max-time 3"
          + " -H 'Content-Type: application/json' -H \"Authorization: Bearer $CW_TOKEN\" --data-binary @- " + url);
      JsonObject hooks = new JsonObject();
      HOOK_EVENTS.forEach(event -> hooks.put(event, new JsonArray()
          .add(new JsonObject().put("hooks", new JsonArray().add(event.equals("SessionStart") ? command : http)))));
      Path settings = Files.createDirectories(home.resolve(".claude")).resolve("settings.json");
      Files.writeString(settings, new JsonObject().put("hooks", hooks).encodePrettily());
    }

    private static void deleteTree(Path root) throws IOException {
      try (Stream<Path> paths = Files.walk(root)) {
        for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(path);
        }
      }
    }

    private static Pipeline pipelineOf(Vertx vertx, ContextwatchConfig config) throws Exception {
      return Pipeline.start(vertx, config).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    private static Map<String, String> environment(Case c, StubMessagesApi stub, int otlpPort, Path home) {
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
      env.put("OTEL_EXPORTER_OTLP_PROTOCOL", c.protocol());
      env.put("OTEL_EXPORTER_OTLP_ENDPOINT", "http://localhost:" + otlpPort);
      env.put("OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE", c.temporality());
      env.put("OTEL_METRIC_EXPORT_INTERVAL", "500");
      env.put("OTEL_LOGS_EXPORT_INTERVAL", "200");
      if (c.traces()) {
        env.put("CLAUDE_CODE_ENHANCED_TELEMETRY_BETA", "1");
        env.put("OTEL_TRACES_EXPORTER", "otlp");
        env.put("OTEL_TRACES_EXPORT_INTERVAL", "200");
      }
      env.put("DISABLE_AUTOUPDATER", "1");
      env.put("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1");
      env.put("CW_TOKEN", "unused-without-an-ingest-token");
      env.putAll(c.env());
      return env;
    }

    // --dangerously-skip-permissions is refused when running as root; allowing the tools is enough headless
    private static List<String> command(ClaudeCli.Installation cli, String prompt) {
      return List.of(cli.executable().toString(), "-p", prompt, "--output-format", "json", "--allowedTools", "Bash,Agent");
    }

    private static JsonObject resultOf(Case c, ClaudeCli.Result run) {
      String transcript = c.name() + " stdout:\n" + run.stdout() + "\nstderr:\n" + run.stderr();
      assertThat(run.timedOut()).as("CLI still running after %s; %s", CLI_TIMEOUT, transcript).isFalse();
      JsonObject result = lastJsonObject(run.stdout());
      assertThat(result.getString("type")).as(transcript).isEqualTo("result");
      assertThat(result.getString("session_id")).as(transcript).isNotBlank();
      assertThat(result.getBoolean("is_error")).as(transcript).isEqualTo(c.fails());
      if (!c.fails()) {
        assertThat(run.exitCode()).as("CLI exit code; %s", transcript).isZero();
        assertThat(result.getJsonObject("modelUsage")).as(transcript).isNotEmpty();
      }
      return result;
    }

    /** The API's view of one session. */
    JsonObject session(String id) throws Exception {
      HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + pipeline.apiPort() + "/api/v1/sessions/" + id)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as("GET session %s: %s", id, response.body()).isEqualTo(200);
      return new JsonObject(response.body());
    }

    void report(Case c) {
      System.out.printf("[claude-cli] %s (%s, %s): CLI %s%n", c.name(), c.protocol(), c.temporality(),
          processes.stream().map(p -> "exit " + p.exitCode() + " in " + p.took().toMillis() + " ms").toList());
      for (JsonObject r : results) {
        System.out.printf("[claude-cli] %s: session %s num_turns %s usage %s modelUsage %s cost %s subagents %s%n", c.name(),
            r.getString("session_id"), r.getValue("num_turns"), r.getJsonObject("usage").encode(),
            r.getJsonObject("modelUsage").encode(), r.getValue("total_cost_usd"), r.getValue("subagent_stats"));
      }
      System.out.printf("[claude-cli] %s: stored events %s points %s spans %s%n", c.name(), stored.eventsByName(),
          stored.pointsByName(), stored.spansByName());
      System.out.printf("[claude-cli] %s: stub answers %s; other requests %s%n", c.name(), stub.answers(), stub.otherRequests());
    }

    void close() throws Exception {
      closeAll(vertx, opened);
    }
  }

  private static ByteBuffer key(OtlpTap.Exchange e) {
    byte[] path = e.path().getBytes();
    byte[] body = e.decodedBody();
    return ByteBuffer.allocate(path.length + 1 + body.length).put(path).put((byte) 0).put(body).flip();
  }

  /** Waits until every OTLP request has been answered: the receiver answers only after the commit. */
  private static List<OtlpTap.Exchange> awaitAnswered(OtlpTap tap) {
    Awaitility.await("every OTLP request answered").atMost(STORE_TIMEOUT).pollInterval(Duration.ofMillis(100))
        .until(() -> tap.incompleteRequests() == 0 && tap.exchanges().stream().noneMatch(e -> e.status() < 0));
    return tap.exchanges();
  }

  /** Waits until every gRPC call the CLI made has been answered. */
  private static List<OtlpTap.Exchange> awaitCalls(GrpcTap tap) {
    Awaitility.await("every OTLP call answered").atMost(STORE_TIMEOUT).pollInterval(Duration.ofMillis(100))
        .until(() -> tap.inFlight() == 0);
    return tap.exchanges();
  }

  /** What the database holds, once two looks a moment apart agree. */
  private static Stored awaitStable(String databaseUrl) {
    AtomicReference<Stored> previous = new AtomicReference<>();
    return Awaitility.await("the stored rows settled").atMost(STORE_TIMEOUT).pollInterval(Duration.ofMillis(500))
        .until(() -> stored(databaseUrl), current -> current.equals(previous.getAndSet(current)));
  }

  /** Counts over the whole (fresh) database: everything in it came from this one case. */
  private record Stored(long events, long distinctEventKeys, long points, long distinctPointKeys,
      Map<String, Integer> eventsByName, Map<String, Integer> pointsByName, Map<String, Integer> spansByName,
      List<String> sessions) {}

  private static Stored stored(String databaseUrl) throws SQLException {
    try (Connection db = TestDatabase.connect(databaseUrl)) {
      List<Object> events = row(db, "SELECT count(*), count(DISTINCT dedup_key) FROM events");
      List<Object> points = row(db, "SELECT count(*), count(DISTINCT dedup_key) FROM metric_points");
      return new Stored(((Number) events.get(0)).longValue(), ((Number) events.get(1)).longValue(),
          ((Number) points.get(0)).longValue(), ((Number) points.get(1)).longValue(),
          // hook deliveries come to /v1/hooks, not through the OTLP tap
          counts(db, "SELECT coalesce(event_name, ''), count(*) FROM events"
              + " WHERE scope_name IS DISTINCT FROM '" + ClientJson.HOOKS_SCOPE + "' GROUP BY 1"),
          counts(db, "SELECT metric_name, count(*) FROM metric_points GROUP BY 1"),
          counts(db, "SELECT name, count(*) FROM spans GROUP BY 1"),
          strings(db, "SELECT DISTINCT coalesce(session_id, '<null>') FROM "
              + "(SELECT session_id FROM events UNION ALL SELECT session_id FROM metric_points) s"));
    }
  }

  private static long count(Connection db, String sql) throws SQLException {
    return ((Number) row(db, sql).get(0)).longValue();
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
