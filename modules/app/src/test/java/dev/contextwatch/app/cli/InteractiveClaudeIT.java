package dev.contextwatch.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.app.Pipeline;
import dev.contextwatch.core.config.ConfigLoader;
import dev.contextwatch.core.config.ContextwatchConfig;
import dev.contextwatch.testkit.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Opt-in (Maven profile {@code claude-cli}): the real Claude Code, interactive in a tmux pane as a
 * person runs it, set up with {@code scripts/claude-setup.sh} (telemetry, hooks, status line)
 * against a running pipeline and a stub Messages API. The status line shows contextwatch's gauge;
 * a Bash call that needs permission makes the session {@code waiting} until it is approved; /exit
 * closes it with the client's reason.
 */
@Tag("claude-cli")
@DisplayName("A real Claude Code CLI, interactive")
class InteractiveClaudeIT {
  private static final Path BASEDIR = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();
  private static final String TOKEN = "interactive-it-token";
  private static final String API_KEY = "sk-ant-interactive-0123456789abcdefghij";
  private static final Duration SCREEN_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration STATUS_TIMEOUT = Duration.ofSeconds(30);

  @Test
  @DisplayName("shows the gauge in its status line, waits for a person while a permission prompt is open, and closes on /exit")
  void statusLineWaitingAndExit() throws Exception {
    ClaudeCli.Installation cli = ClaudeCli.locate(BASEDIR.resolve("target/claude-cli"));
    String databaseUrl = TestDatabase.newDatabase();
    ContextwatchConfig defaults = ConfigLoader.defaults();
    ContextwatchConfig config = defaults
        .withDatabase(defaults.database().withUrl(databaseUrl))
        .withReceiver(defaults.receiver().withPorts("127.0.0.1", 0, 0).withLimits(defaults.receiver().maxBodyBytes(), TOKEN))
        .withApi(defaults.api().withPort(0));
    Vertx vertx = Vertx.vertx();
    Path temp = Files.createTempDirectory("claude-interactive");
    try (StubMessagesApi stub = new StubMessagesApi(StubMessagesApi.Script.toolLoop(1, "touch made-by-claude.txt"))) {
      Pipeline pipeline = Pipeline.start(vertx, config).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      Path home = Files.createDirectories(temp.resolve("home"));
      Path work = Files.createDirectories(temp.resolve("work"));
      String otlp = "http://127.0.0.1:" + pipeline.otlpHttpPort();
      String api = "http://127.0.0.1:" + pipeline.apiPort();
      setUp(home, work, otlp, api);
      List<JsonObject> feed = new CopyOnWriteArrayList<>();
      subscribe(vertx, pipeline.apiPort(), feed);
      try (Tmux pane = Tmux.start("cw-it-" + ProcessHandle.current().pid(), work, environment(home, stub, otlp, api),
          List.of(cli.executable().toString(), "--permission-mode", "default"))) {
        pane.await("the prompt", screen -> screen.contains("❯"), SCREEN_TIMEOUT);
        pane.type("Create the file with the Bash tool.");
        pane.await("the permission prompt", screen -> screen.contains("Do you want to proceed?"), SCREEN_TIMEOUT);
        String session = awaitSession(api, "waiting");
        awaitFrame(feed, session, "waiting");
        pane.send("1");
        awaitStatus(api, session, "active");
        awaitFrame(feed, session, "active");
        Awaitility.await("the main thread's context").atMost(STATUS_TIMEOUT).pollInterval(Duration.ofMillis(200))
            .until(() -> get(api, "/api/v1/sessions/" + session).getJsonObject("context").getLong("tokens") != null);
        pane.await("contextwatch's gauge in the status line", screen -> screen.contains("cw ctx"), SCREEN_TIMEOUT);
        pane.type("/exit");
        awaitStatus(api, session, "closed");
        Awaitility.await("the client's exit").atMost(STATUS_TIMEOUT).until(() -> !pane.running());
        assertThat(get(api, "/api/v1/sessions/" + session).toString()).contains("prompt_input_exit");
      } finally {
        pipeline.stop().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
  }

  /** The live feed's frames, as a dashboard gets them. */
  private static void subscribe(Vertx vertx, int apiPort, List<JsonObject> frames) throws Exception {
    WebSocket socket = vertx.createWebSocketClient().connect(apiPort, "127.0.0.1", "/v1/stream").toCompletionStage()
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    socket.textMessageHandler(text -> frames.add(new JsonObject(text)));
    socket.writeTextMessage(new JsonObject().put("op", "subscribe").put("filter", new JsonObject()
        .put("types", new JsonArray().add("session.status"))).encode());
  }

  private static void awaitFrame(List<JsonObject> frames, String session, String to) {
    Awaitility.await("a session.status frame to " + to).atMost(STATUS_TIMEOUT).pollInterval(Duration.ofMillis(200))
        .until(() -> frames.stream().anyMatch(f -> "session.status".equals(f.getString("type"))
            && session.equals(f.getJsonObject("data").getString("sessionId")) && to.equals(f.getJsonObject("data").getString("to"))));
  }

  /** What a person does once: the setup script, and the client's first-run questions answered. */
  private static void setUp(Path home, Path work, String otlp, String api) throws Exception {
    Path settings = home.resolve(".claude").resolve("settings.json");
    ProcessBuilder builder = new ProcessBuilder("bash", BASEDIR.resolve("../../scripts/claude-setup.sh").normalize().toString(),
        "--settings", settings.toString(), "--otlp", otlp, "--api", api, "--token", TOKEN).redirectErrorStream(true);
    // the classes under test, rather than a jar the script would build
    builder.environment().put("CONTEXTWATCH_CLASSPATH", System.getProperty("java.class.path"));
    Process setup = builder.start();
    String output = new String(setup.getInputStream().readAllBytes());
    assertThat(setup.waitFor()).as(output).isZero();
    JsonObject firstRun = new JsonObject()
        .put("hasCompletedOnboarding", true)
        .put("theme", "dark")
        .put("customApiKeyResponses", new JsonObject().put("approved", new JsonArray().add(API_KEY.substring(API_KEY.length() - 20)))
            .put("rejected", new JsonArray()))
        .put("projects", new JsonObject().put(work.toString(), new JsonObject().put("hasTrustDialogAccepted", true)));
    Files.writeString(home.resolve(".claude.json"), firstRun.encodePrettily());
  }

  private static Map<String, String> environment(Path home, StubMessagesApi stub, String otlp, String api) {
    Map<String, String> env = new HashMap<>();
    env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin"));
    env.put("HOME", home.toString());
    env.put("SHELL", "/bin/bash");
    env.put("ANTHROPIC_BASE_URL", stub.baseUrl());
    env.put("ANTHROPIC_API_KEY", API_KEY);
    env.put("CONTEXTWATCH_OTLP", otlp);
    env.put("CONTEXTWATCH_API", api);
    env.put("CONTEXTWATCH_TOKEN", TOKEN);
    env.put("DISABLE_AUTOUPDATER", "1");
    env.put("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1");
    return env;
  }

  /** The one session the API knows, once it has {@code status}. */
  private static String awaitSession(String api, String status) {
    String[] id = {null};
    Awaitility.await("a session " + status).atMost(STATUS_TIMEOUT).pollInterval(Duration.ofMillis(200)).until(() -> {
      JsonArray items = get(api, "/api/v1/sessions?status=" + status).getJsonArray("items");
      id[0] = items.isEmpty() ? null : items.getJsonObject(0).getString("sessionId");
      return id[0] != null;
    });
    return id[0];
  }

  private static void awaitStatus(String api, String session, String status) {
    Awaitility.await("session " + status).atMost(STATUS_TIMEOUT).pollInterval(Duration.ofMillis(200))
        .until(() -> status.equals(get(api, "/api/v1/sessions/" + session).getString("status")));
  }

  private static JsonObject get(String api, String path) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(api + path)).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
    return new JsonObject(response.body());
  }
}
