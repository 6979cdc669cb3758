package dev.contextwatch.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.core.config.ConfigLoader;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.yaml.snakeyaml.Yaml;

/**
 * No Docker engine runs where the suite runs, so the deployment files are checked as text: the
 * services, ports and health checks compose needs, variables the application really reads, and a
 * Dockerfile that runs the jar the build produces.
 */
@ExtendWith(VertxExtension.class)
class DeploymentFilesTest {
  private static final Path ROOT = Path.of("../..");
  /** Read by logback.xml rather than by the configuration loader. */
  private static final Set<String> LOGGING_VARIABLES = Set.of("CONTEXTWATCH_LOG_LEVEL");

  @Test
  @DisplayName("docker-compose.yml runs PostgreSQL 17 with a volume and health check, contextwatch on a healthy database, and the load test under a profile")
  @SuppressWarnings("unchecked")
  void compose() throws IOException {
    Map<String, Object> compose = new Yaml().load(Files.readString(ROOT.resolve("docker-compose.yml")));
    Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) compose.get("services");
    assertThat(services).containsOnlyKeys("postgres", "contextwatch", "loadtest");

    Map<String, Object> postgres = services.get("postgres");
    assertThat((String) postgres.get("image")).startsWith("postgres:17");
    assertThat((List<String>) postgres.get("volumes")).anyMatch(v -> v.startsWith("pgdata:"));
    assertThat(((Map<String, Object>) compose.get("volumes"))).containsKey("pgdata");
    assertThat(postgres).containsKey("healthcheck");

    Map<String, Object> app = services.get("contextwatch");
    assertThat(((Map<String, Map<String, String>>) app.get("depends_on")).get("postgres")).containsEntry("condition", "service_healthy");
    assertThat((List<String>) app.get("ports")).extracting(p -> p.replaceAll("\\s.*", ""))
        .containsExactlyInAnyOrder("4317:4317", "4318:4318", "8080:8080");
    assertThat(app.get("healthcheck").toString()).contains("/ready");

    Map<String, Object> loadtest = services.get("loadtest");
    assertThat((List<String>) loadtest.get("profiles")).containsExactly("loadtest");
    assertThat(loadtest.get("command").toString()).contains("http://contextwatch:4318").contains("http://contextwatch:8080");
  }

  @Test
  @DisplayName("every environment variable docker-compose.yml sets is one the application reads")
  @SuppressWarnings("unchecked")
  void composeVariablesAreRead() throws IOException {
    Map<String, Object> compose = new Yaml().load(Files.readString(ROOT.resolve("docker-compose.yml")));
    Map<String, String> environment = (Map<String, String>) ((Map<String, Map<String, Object>>) compose.get("services"))
        .get("contextwatch").get("environment");
    Set<String> read = new HashSet<>(LOGGING_VARIABLES);
    ConfigLoader.bundledDefaults().fieldNames().forEach(key -> read.add(ConfigLoader.envName(key)));
    assertThat(environment.keySet()).isNotEmpty().allMatch(read::contains, "is a CONTEXTWATCH_ variable the application reads");
    assertThat(environment.get("CONTEXTWATCH_PG_URL")).startsWith("postgresql://").contains("@postgres:5432/");
  }

  @Test
  @DisplayName("the Dockerfile builds in one stage, runs as a non-root user in another, checks /ready, and runs the jar the build produces")
  void dockerfile() throws IOException {
    String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
    assertThat(Pattern.compile("^FROM ", Pattern.MULTILINE).matcher(dockerfile).results().count()).isEqualTo(2);
    assertThat(dockerfile).containsPattern("(?m)^FROM maven:[^\\s]*temurin-17 AS build").containsPattern("(?m)^FROM eclipse-temurin:17-jre");
    assertThat(dockerfile).containsPattern("(?m)^USER (?!root)\\w+").contains("HEALTHCHECK").contains("/ready");

    String finalName = match(Files.readString(ROOT.resolve("modules/app/pom.xml")), "<finalName>([^<]+)</finalName>");
    String copied = match(dockerfile, "COPY --from=build /src/(modules/app/target/[^\\s]+) (/app/[^\\s]+)");
    assertThat(copied).isEqualTo("modules/app/target/" + finalName + ".jar");
    String installedAs = match(dockerfile, "COPY --from=build /src/modules/app/target/[^\\s]+ (/app/[^\\s]+)");
    assertThat(match(dockerfile, "ENTRYPOINT \\[.*\"-jar\", \"([^\"]+)\"\\]")).isEqualTo(installedAs);
    assertThat(dockerfile).contains(HealthCheck.class.getName());
  }

  @Test
  @DisplayName("the health check passes against a ready pipeline and fails where nothing answers")
  void healthCheck(Vertx vertx) throws Exception {
    PipelineHarness pipeline = PipelineHarness.start(vertx);
    int port = pipeline.apiPort();
    try {
      assertThat(HealthCheck.ready("http://127.0.0.1:" + port + "/ready")).isTrue();
    } finally {
      pipeline.stop();
    }
    assertThat(HealthCheck.ready("http://127.0.0.1:" + port + "/ready")).isFalse();
  }

  @Test
  @DisplayName("./contextwatch builds with quiet batch-mode Maven, which with the repository's .mvn settings prints nothing, not even an escape code")
  void quietBuildPrintsNothing() throws Exception {
    assertThat(Files.readString(ROOT.resolve("contextwatch"))).contains("mvn -q -B package -DskipTests");
    // the same flags and .mvn settings on the cheapest goal: what the launcher's first build prints besides its own line
    Process mvn = new ProcessBuilder("mvn", "-q", "-B", "-N", "validate").directory(ROOT.toFile()).redirectErrorStream(true).start();
    String out = new String(mvn.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(mvn.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(mvn.exitValue()).as(out).isZero();
    assertThat(out).as("escaped: %s", out.replace("\u001b", "ESC")).isEmpty();
  }

  private static String match(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    assertThat(m.find()).as("%s in the file", regex).isTrue();
    return m.group(1);
  }
}
