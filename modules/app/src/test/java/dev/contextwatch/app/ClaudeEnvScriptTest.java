package dev.contextwatch.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ClaudeEnvScriptTest {
  private static final Path SCRIPT = Path.of("../../scripts/claude-env.sh").toAbsolutePath().normalize();

  @Test
  @DisplayName("claude-env.sh prints the exports for an endpoint, a project, a label, a run and a token, ready to eval")
  void prints() throws Exception {
    String out = run(Map.of("CONTEXTWATCH_RUN_ID", "run-9", "CONTEXTWATCH_INGEST_TOKEN", "t0k"),
        "http://localhost:4318/", "acme", "term-2");
    assertThat(out).contains("export CLAUDE_CODE_ENABLE_TELEMETRY=1")
        .contains("export OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf")
        .contains("export OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318\n")
        .contains("export OTEL_RESOURCE_ATTRIBUTES=service.namespace=acme\\,service.instance.id=term-2\\,contextwatch.run_id=run-9")
        .contains("export OTEL_EXPORTER_OTLP_HEADERS=Authorization=Bearer\\ t0k");
    String evaluated = run(Map.of(), "--eval", "http://localhost:4318", "my project");
    assertThat(evaluated).contains("service.namespace=my project");
  }

  @Test
  @DisplayName("claude-env.sh --json prints the env block of settings.json: valid JSON, plain string values (commas unescaped), the same variables as the exports")
  void printsSettingsJson() throws Exception {
    // a tab, a quote and a backslash need JSON escapes; the commas between the attributes need none
    Map<String, String> env = Map.of("CONTEXTWATCH_RUN_ID", "run\t9", "CONTEXTWATCH_INGEST_TOKEN", "t\"0\\k",
        "CONTEXTWATCH_LOG_PROMPTS", "1");
    JsonObject settings = new JsonObject(run(env, "--json", "http://localhost:4318/", "acme", "term-2"));
    assertThat(settings.fieldNames()).containsExactly("env");
    JsonObject block = settings.getJsonObject("env");
    assertThat(block.getMap().values()).allSatisfy(value -> assertThat(value).isInstanceOf(String.class));
    assertThat(block.getString("OTEL_RESOURCE_ATTRIBUTES"))
        .isEqualTo("service.namespace=acme,service.instance.id=term-2,contextwatch.run_id=run\t9");
    assertThat(block.getString("OTEL_EXPORTER_OTLP_HEADERS")).isEqualTo("Authorization=Bearer t\"0\\k");
    assertThat(block.getString("OTEL_EXPORTER_OTLP_ENDPOINT")).isEqualTo("http://localhost:4318");
    assertThat(block.getString("CLAUDE_CODE_ENABLE_TELEMETRY")).isEqualTo("1");
    assertThat(block.getString("OTEL_LOG_USER_PROMPTS")).isEqualTo("1");

    Map<String, String> exported = new TreeMap<>();
    run(env, "--eval", "http://localhost:4318/", "acme", "term-2").lines()
        .filter(line -> line.contains("="))
        .forEach(line -> exported.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1)));
    assertThat(new TreeMap<>(block.getMap())).isEqualTo(exported);
  }

  @Test
  @DisplayName("claude-env.sh with CONTEXTWATCH_LOG_PROMPTS=1 says on stderr that the server keeps prompt text only with storeContent")
  void promptsNeedStoreContent() throws Exception {
    ProcessBuilder builder = new ProcessBuilder("bash", SCRIPT.toString(), "--json", "http://localhost:4318")
        .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    builder.environment().put("CONTEXTWATCH_LOG_PROMPTS", "1");
    Process p = builder.start();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
    assertThat(err).contains("storeContent=true").contains("CONTEXTWATCH_STORE_CONTENT=true");
  }

  @Test
  @DisplayName("claude-env.sh refuses an endpoint without a scheme, naming it")
  void refusesBadEndpoint() throws Exception {
    Process p = new ProcessBuilder("bash", SCRIPT.toString(), "localhost:4318").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(2);
    assertThat(out).contains("must start with http:// or https://").contains("localhost:4318");
  }

  /** Runs the script; with --eval first, evaluates its output in a shell and prints the resulting variables. */
  private static String run(Map<String, String> env, String... args) throws Exception {
    boolean eval = args[0].equals("--eval");
    StringBuilder command = new StringBuilder(eval ? "eval \"$(" : "").append("bash '").append(SCRIPT).append("'");
    for (int i = eval ? 1 : 0; i < args.length; i++) {
      command.append(" '").append(args[i]).append("'");
    }
    if (eval) {
      command.append(")\"; env | grep -E '^OTEL_|^CLAUDE_'");
    }
    // stderr apart: the script's notes must not end up in what is evaluated or parsed
    ProcessBuilder builder = new ProcessBuilder("bash", "-c", command.toString()).redirectError(ProcessBuilder.Redirect.DISCARD);
    builder.environment().keySet().removeIf(k -> k.startsWith("OTEL_") || k.startsWith("CLAUDE_") || k.startsWith("CONTEXTWATCH_"));
    builder.environment().putAll(env);
    Process p = builder.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }
}
