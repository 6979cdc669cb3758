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
  /** Cluster mode's keys, fixed by issue 18 (docs/cluster.md). */
  private static final Set<String> CLUSTER_VARIABLES = Set.of("CONTEXTWATCH_CLUSTER_ENABLED", "CONTEXTWATCH_CLUSTER_HOST",
      "CONTEXTWATCH_CLUSTER_PORT", "CONTEXTWATCH_CLUSTER_MEMBERS");
  private static final List<String> NODES = List.of("node1", "node2", "node3");
  /** Each port the load balancer serves, and the upstream it spreads over the nodes. */
  private static final Map<Integer, String> BALANCED_PORTS = Map.of(4317, "otlp_grpc", 4318, "otlp_http", 8080, "api");

  @Test
  @DisplayName("docker-compose.yml runs PostgreSQL 17 with a volume and health check, contextwatch on a healthy database, and the load test under a profile")
  @SuppressWarnings("unchecked")
  void compose() throws IOException {
    Map<String, Object> compose = new Yaml().load(Files.readString(ROOT.resolve("docker-compose.yml")));
    Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) compose.get("services");
    assertThat(services).containsOnlyKeys("postgres", "contextwatch", "loadtest", "node1", "node2", "node3", "lb", "loadtest-cluster");

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
  void composeVariablesAreRead() throws IOException {
    Map<String, Map<String, Object>> services = services();
    Set<String> read = new HashSet<>(LOGGING_VARIABLES);
    read.addAll(CLUSTER_VARIABLES);
    ConfigLoader.bundledDefaults().fieldNames().forEach(key -> read.add(ConfigLoader.envName(key)));
    for (String service : List.of("contextwatch", "node1", "node2", "node3")) {
      Map<String, String> environment = environment(services.get(service));
      assertThat(environment.keySet()).as(service).isNotEmpty()
          .allMatch(read::contains, "is a CONTEXTWATCH_ variable the application reads");
      assertThat(environment.get("CONTEXTWATCH_PG_URL")).as(service).startsWith("postgresql://").contains("@postgres:5432/");
    }
  }

  @Test
  @DisplayName("the cluster profile runs three nodes in cluster mode on the one PostgreSQL, each listing all three as members, "
      + "behind an official nginx image on the usual ports, and a load test spread over the three")
  @SuppressWarnings("unchecked")
  void clusterProfile() throws IOException {
    Map<String, Map<String, Object>> services = services();
    String database = environment(services.get("contextwatch")).get("CONTEXTWATCH_PG_URL");
    for (String name : NODES) {
      Map<String, Object> node = services.get(name);
      assertThat((List<String>) node.get("profiles")).as(name).containsExactly("cluster");
      assertThat(node.get("image")).as(name).isEqualTo(services.get("contextwatch").get("image"));
      assertThat(((Map<String, Map<String, String>>) node.get("depends_on")).get("postgres")).containsEntry("condition", "service_healthy");
      assertThat(node.get("healthcheck").toString()).contains("/ready");
      assertThat(node).doesNotContainKey("ports");
      Map<String, String> environment = environment(node);
      assertThat(environment).as(name).containsEntry("CONTEXTWATCH_PG_URL", database)
          .containsEntry("CONTEXTWATCH_CLUSTER_ENABLED", "true")
          .containsEntry("CONTEXTWATCH_CLUSTER_HOST", name)
          .containsEntry("CONTEXTWATCH_CLUSTER_PORT", "5701")
          .containsEntry("CONTEXTWATCH_CLUSTER_MEMBERS", "node1:5701,node2:5701,node3:5701");
    }

    Map<String, Object> lb = services.get("lb");
    assertThat((String) lb.get("image")).matches("nginx:[\\w.-]+");
    assertThat((List<String>) lb.get("profiles")).containsExactly("cluster");
    assertThat((Map<String, Map<String, String>>) lb.get("depends_on")).containsOnlyKeys(NODES)
        .allSatisfy((node, condition) -> assertThat(condition).containsEntry("condition", "service_healthy"));
    assertThat((List<String>) lb.get("ports")).extracting(p -> p.replaceAll("\\s.*", ""))
        .containsExactlyInAnyOrder("4317:4317", "4318:4318", "8080:8080");
    assertThat((List<String>) lb.get("volumes")).containsExactly("./deploy/nginx-cluster.conf:/etc/nginx/nginx.conf:ro");

    String command = services.get("loadtest-cluster").get("command").toString();
    assertThat(command).contains("http://node1:4318,http://node2:4318,http://node3:4318")
        .contains("http://node1:8080,http://node2:8080,http://node3:8080");
  }

  @Test
  @DisplayName("the load balancer's configuration serves OTLP/HTTP, OTLP/gRPC over h2c and the API with the WebSocket upgrade, "
      + "each over the three nodes, and fails over to the next node")
  void loadBalancerConfiguration() throws IOException {
    String conf = Files.readString(ROOT.resolve("deploy/nginx-cluster.conf"));
    BALANCED_PORTS.forEach((port, upstream) -> {
      String block = block(conf, "upstream " + upstream + " {");
      NODES.forEach(node -> assertThat(block).as(upstream).contains("server " + node + ":" + port + " "));
      assertThat(block(conf, "listen " + port + ";")).as("the server on %d", port).contains("://" + upstream + ";");
    });
    String grpc = block(conf, "listen 4317;");
    assertThat(grpc).contains("http2 on;", "grpc_pass grpc://otlp_grpc;",
        "grpc_next_upstream error timeout http_502 http_503 http_504 non_idempotent;");
    assertThat(block(conf, "listen 4318;")).contains("proxy_next_upstream error timeout http_502 http_503 http_504 non_idempotent;");
    String stream = block(conf, "location /v1/stream {");
    assertThat(stream).contains("proxy_http_version 1.1;", "proxy_set_header Upgrade $http_upgrade;",
        "proxy_set_header Connection $connection_upgrade;", "proxy_set_header Host $http_host;");
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

  @SuppressWarnings("unchecked")
  private static Map<String, Map<String, Object>> services() throws IOException {
    Map<String, Object> compose = new Yaml().load(Files.readString(ROOT.resolve("docker-compose.yml")));
    return (Map<String, Map<String, Object>>) compose.get("services");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, String> environment(Map<String, Object> service) {
    return (Map<String, String>) service.get("environment");
  }

  /** The text from {@code opening} to the brace that closes the block it opens (or, for a line inside a block, that block's end). */
  private static String block(String text, String opening) {
    int start = text.indexOf(opening);
    assertThat(start).as("%s in the file", opening).isNotNegative();
    int depth = opening.endsWith("{") ? 0 : 1;
    for (int i = start; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '{') {
        depth++;
      } else if (c == '}' && --depth == 0) {
        return text.substring(start, i + 1);
      }
    }
    throw new AssertionError("no end of the block " + opening);
  }

  private static String match(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    assertThat(m.find()).as("%s in the file", regex).isTrue();
    return m.group(1);
  }
}
