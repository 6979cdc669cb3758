package dev.contextwatch.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClaudeSetupScriptTest {
  private static final Path SCRIPTS = Path.of("../../scripts").toAbsolutePath().normalize();
  private static final Path SCRIPT = SCRIPTS.resolve("claude-setup.sh");

  @TempDir
  Path dir;

  /** What the script printed and how it exited. */
  private record Run(int status, String out) {}

  @Test
  @DisplayName("claude-setup.sh creates a missing settings.json (and its directory) with the env, an http hook per hook event with the token, and the status line")
  void creates() throws Exception {
    Path file = dir.resolve(".claude/settings.json");
    Run run = run("--settings", file.toString(), "--otlp", "http://cw.example:4318/", "--api", "http://cw.example:8080",
        "--token", "t0k");
    assertThat(run.status()).as(run.out()).isZero();
    JsonObject settings = new JsonObject(Files.readString(file));
    JsonObject env = settings.getJsonObject("env");
    assertThat(env.getString("OTEL_EXPORTER_OTLP_ENDPOINT")).isEqualTo("http://cw.example:4318");
    assertThat(env.getString("OTEL_EXPORTER_OTLP_HEADERS")).isEqualTo("Authorization=Bearer t0k");
    assertThat(env.getString("CLAUDE_CODE_ENABLE_TELEMETRY")).isEqualTo("1");
    assertThat(env.getString("CONTEXTWATCH_API")).isEqualTo("http://cw.example:8080");
    assertThat(env.getString("CONTEXTWATCH_OTLP")).isEqualTo("http://cw.example:4318");
    assertThat(env.getString("CONTEXTWATCH_TOKEN")).isEqualTo("t0k");
    JsonObject hooks = settings.getJsonObject("hooks");
    assertThat(hooks.fieldNames()).containsExactlyInAnyOrderElementsOf(ClaudeSetup.HOOK_EVENTS);
    JsonObject hook = hooks.getJsonArray("Notification").getJsonObject(0).getJsonArray("hooks").getJsonObject(0);
    assertThat(hook.getString("type")).isEqualTo("http");
    assertThat(hook.getString("url")).isEqualTo("http://cw.example:4318/v1/hooks");
    assertThat(hook.getJsonObject("headers").getString("Authorization")).isEqualTo("Bearer t0k");
    JsonObject start = hooks.getJsonArray("SessionStart").getJsonObject(0).getJsonArray("hooks").getJsonObject(0);
    assertThat(start.getString("type")).as("the client sends no http SessionStart hook").isEqualTo("command");
    assertThat(start.getString("command")).contains("'Authorization: Bearer t0k'", "'http://cw.example:4318/v1/hooks'");
    assertThat(settings.getJsonObject("statusLine")).isEqualTo(new JsonObject().put("type", "command")
        .put("command", SCRIPTS.resolve("statusline.sh").toString()));
  }

  @Test
  @DisplayName("claude-setup.sh keeps the settings' other keys, env variables and hooks; a second run gives the same file byte for byte")
  void mergesAndIsIdempotent() throws Exception {
    Path file = dir.resolve("settings.json");
    JsonObject theirs = new JsonObject().put("model", "opus").put("permissions", new JsonObject().put("allow", new JsonArray().add("Bash(ls)")))
        .put("env", new JsonObject().put("MY_VAR", "kept"))
        .put("hooks", new JsonObject().put("PreToolUse", new JsonArray().add(new JsonObject().put("matcher", "Bash")
            .put("hooks", new JsonArray().add(new JsonObject().put("type", "command").put("command", "echo mine"))))));
    Files.writeString(file, theirs.encodePrettily());
    assertThat(run("--settings", file.toString()).status()).isZero();
    String first = Files.readString(file);
    assertThat(run("--settings", file.toString()).status()).isZero();
    assertThat(Files.readString(file)).isEqualTo(first);

    JsonObject settings = new JsonObject(first);
    assertThat(settings.getString("model")).isEqualTo("opus");
    assertThat(settings.getJsonObject("permissions")).isEqualTo(theirs.getJsonObject("permissions"));
    assertThat(settings.getJsonObject("env").getString("MY_VAR")).isEqualTo("kept");
    assertThat(settings.getJsonObject("env").getString("OTEL_EXPORTER_OTLP_ENDPOINT")).isEqualTo("http://localhost:4318");
    JsonArray preToolUse = settings.getJsonObject("hooks").getJsonArray("PreToolUse");
    assertThat(preToolUse).hasSize(2);
    assertThat(preToolUse.getJsonObject(0).getString("matcher")).isEqualTo("Bash");
    assertThat(preToolUse.getJsonObject(1).getJsonArray("hooks").getJsonObject(0).getString("url"))
        .isEqualTo("http://localhost:4318/v1/hooks");
    assertThat(preToolUse.getJsonObject(1).getJsonArray("hooks").getJsonObject(0).containsKey("headers"))
        .as("no token given, no header").isFalse();
  }

  @Test
  @DisplayName("claude-setup.sh refuses a missing --settings, an unknown argument, an option without a value, a URL without a scheme and a token with a quote (exit 2), and a settings file that is not a JSON object (exit 1, the file untouched)")
  void badArguments() throws Exception {
    assertRefused(run(), 2, "--settings is missing");
    assertRefused(run("--settings", dir.resolve("s.json").toString(), "--colour", "red"), 2, "unknown argument '--colour'");
    assertRefused(run("--settings"), 2, "--settings needs a value");
    assertRefused(run("--settings", dir.resolve("s.json").toString(), "--otlp", "localhost:4318"), 2, "localhost:4318");
    assertRefused(run("--settings", dir.resolve("s.json").toString(), "--api", "localhost:8080"), 2,
        "--api must start with http:// or https://");
    assertRefused(run("--settings", dir.resolve("s.json").toString(), "--token", "it's"), 2, "--token must not contain a single quote");
    assertThat(dir.resolve("s.json")).doesNotExist();
    Path broken = dir.resolve("broken.json");
    Files.writeString(broken, "[1, 2");
    assertRefused(run("--settings", broken.toString()), 1, "is not a JSON object; left unchanged");
    assertThat(Files.readString(broken)).isEqualTo("[1, 2");
    Path wrongEnv = dir.resolve("env.json");
    Files.writeString(wrongEnv, "{\"env\": [1]}");
    assertRefused(run("--settings", wrongEnv.toString()), 1, "'env' is not a JSON object");
  }

  private static void assertRefused(Run run, int status, String message) {
    assertThat(run.status()).as(run.out()).isEqualTo(status);
    assertThat(run.out()).contains(message).doesNotContain("Exception");
  }

  /** Runs the script with this test's classpath in place of the jar (the merge is the jar's ClaudeSetup). */
  private static Run run(String... args) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(command(args)).redirectErrorStream(true);
    builder.environment().keySet().removeIf(k -> k.startsWith("OTEL_") || k.startsWith("CLAUDE_") || k.startsWith("CONTEXTWATCH_"));
    builder.environment().put("CONTEXTWATCH_CLASSPATH", System.getProperty("java.class.path"));
    Process p = builder.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), out);
  }

  private static List<String> command(String... args) {
    List<String> command = new java.util.ArrayList<>(List.of("bash", SCRIPT.toString()));
    command.addAll(List.of(args));
    return command;
  }
}
