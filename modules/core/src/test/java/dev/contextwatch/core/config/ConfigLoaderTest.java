package dev.contextwatch.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @TempDir
  Path dir;

  @Test
  @DisplayName("the bundled defaults are config/contextwatch.json, key for key")
  void defaultsAreTheRepositoryFile() throws IOException {
    JsonObject file = new JsonObject(Files.readString(Path.of("../../config/contextwatch.json")));
    assertThat(ConfigLoader.bundledDefaults()).isEqualTo(file);
  }

  @Test
  @DisplayName("docs/configuration.md documents every key with its environment variable")
  void everyKeyDocumented() throws IOException {
    String doc = Files.readString(Path.of("../../docs/configuration.md"));
    for (String key : ConfigLoader.bundledDefaults().fieldNames()) {
      assertThat(doc).as(key).contains("| `" + key + "` | `" + ConfigLoader.envName(key) + "` |");
    }
  }

  @Test
  @DisplayName("with nothing set the pipeline uses embedded PostgreSQL and OTLP port 4318")
  void defaults() {
    ContextwatchConfig config = ConfigLoader.load(null, Map.of());
    assertThat(config.database().embedded()).isTrue();
    assertThat(config.database().dataDir()).isEqualTo("data/pg");
    assertThat(config.receiver().port()).isEqualTo(4318);
    assertThat(config.receiver().maxBodyBytes()).isEqualTo(16 * 1024 * 1024);
    assertThat(config.receiver().authRequired()).isFalse();
  }

  @Test
  @DisplayName("the dashboard's URL uses the bound port, localhost for a wildcard host, https with TLS, and a token placeholder when reads need one")
  void dashboardUrl() {
    ApiConfig api = ConfigLoader.load(null, Map.of()).api();
    assertThat(api.dashboardUrl(8080)).isEqualTo("http://localhost:8080/");
    assertThat(api.withPort(0).dashboardUrl(41234)).isEqualTo("http://localhost:41234/");
    ApiConfig local = ConfigLoader.load(null, Map.of("CONTEXTWATCH_API_HOST", "127.0.0.1", "CONTEXTWATCH_API_TOKEN", "s3cret")).api();
    assertThat(local.dashboardUrl(8080)).isEqualTo("http://127.0.0.1:8080/?token=<apiToken>").doesNotContain("s3cret");
    assertThat(local.withTls(new TlsFiles("cert.pem", "key.pem")).dashboardUrl(8443)).startsWith("https://127.0.0.1:8443/");
    assertThat(api.withTokens("", "admin").dashboardUrl(8080)).as("an admin token alone leaves reads open").isEqualTo("http://localhost:8080/");
    assertThat(ConfigLoader.load(null, Map.of("CONTEXTWATCH_API_HOST", "::")).api().dashboardUrl(8080)).isEqualTo("http://localhost:8080/");
    assertThat(ConfigLoader.load(null, Map.of("CONTEXTWATCH_API_HOST", "::1")).api().dashboardUrl(8080)).isEqualTo("http://[::1]:8080/");
  }

  @Test
  @DisplayName("environment variables override the file, and the file overrides the defaults")
  void layering() throws IOException {
    Path file = write("{\"otlpHttpPort\": 5000, \"pgPoolSize\": 3}");
    ContextwatchConfig config = ConfigLoader.load(file, Map.of(
        "CONTEXTWATCH_OTLP_HTTP_PORT", "6000",
        "CONTEXTWATCH_PG_URL", "postgresql://cw:secret@db:5432/contextwatch",
        "CONTEXTWATCH_INGEST_TOKEN", "t0ken"));
    assertThat(config.receiver().port()).isEqualTo(6000);
    assertThat(config.database().poolSize()).isEqualTo(3);
    assertThat(config.database().embedded()).isFalse();
    assertThat(config.receiver().ingestToken()).isEqualTo("t0ken");
  }

  @Test
  @DisplayName("the environment variable of a key is CONTEXTWATCH_ and the key in upper snake case")
  void envNames() {
    assertThat(ConfigLoader.envName("pgUrl")).isEqualTo("CONTEXTWATCH_PG_URL");
    assertThat(ConfigLoader.envName("writerMaxBatchRecords")).isEqualTo("CONTEXTWATCH_WRITER_MAX_BATCH_RECORDS");
  }

  @Test
  @DisplayName("a value out of range names the key and the variable it came from")
  void outOfRangeFromEnv() {
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("CONTEXTWATCH_OTLP_HTTP_PORT", "70000")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'otlpHttpPort'")
        .hasMessageContaining("CONTEXTWATCH_OTLP_HTTP_PORT")
        .hasMessageContaining("70000");
  }

  @Test
  @DisplayName("a value that is not a number names the key")
  void notANumber() {
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("CONTEXTWATCH_MAX_BODY_BYTES", "16MiB")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'maxBodyBytes'")
        .hasMessageContaining("expected an integer");
  }

  @Test
  @DisplayName("a value of the wrong type in the file names the key and the file")
  void wrongTypeInFile() throws IOException {
    Path file = write("{\"pgPoolSize\": \"eight\"}");
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'pgPoolSize'")
        .hasMessageContaining(file.toString());
  }

  @Test
  @DisplayName("an unknown key in the file is refused, so a typo cannot pass silently")
  void unknownKey() throws IOException {
    Path file = write("{\"otlpHttpPrt\": 4318}");
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("unknown key 'otlpHttpPrt'");
  }

  @Test
  @DisplayName("the receiver's connection bounds default to a 120 s idle time-out, a 30 s body time-out and 256 MiB of bodies")
  void connectionBounds() {
    ReceiverConfig receiver = ConfigLoader.load(null, Map.of()).receiver();
    assertThat(receiver.idleTimeoutSeconds()).isEqualTo(120);
    assertThat(receiver.bodyTimeoutMs()).isEqualTo(30_000);
    assertThat(receiver.maxBufferedBodyBytes()).isEqualTo(256 * 1024 * 1024);
    assertThat(receiver.runAttributes()).containsExactly("contextwatch.run_id", "contextwatch.parent_session_id");
  }

  @Test
  @DisplayName("bodies in memory smaller than one body, or an idle time-out that would cut a request waiting for its commit, are refused by name")
  void connectionBoundsChecked() {
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("CONTEXTWATCH_MAX_BUFFERED_BODY_BYTES", "1048576")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'maxBufferedBodyBytes'")
        .hasMessageContaining("must be at least maxBodyBytes (16777216)");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("CONTEXTWATCH_OTLP_IDLE_TIMEOUT_SECONDS", "9")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'otlpIdleTimeoutSeconds' (from CONTEXTWATCH_OTLP_IDLE_TIMEOUT_SECONDS)")
        .hasMessageContaining("must be longer than storeTimeoutMs (9000 ms)");
  }

  @Test
  @DisplayName("a database URL that is not postgresql:// is refused with the expected form")
  void badPgUrl() {
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("CONTEXTWATCH_PG_URL", "mysql://db/x")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'pgUrl'")
        .hasMessageContaining("postgresql://user:password@host:port/db");
  }

  @Test
  @DisplayName("allowed origins are read from the environment as a JSON array; one with a path is refused naming the key")
  void allowedOrigins() {
    ContextwatchConfig config = ConfigLoader.load(null,
        Map.of("CONTEXTWATCH_API_ALLOWED_ORIGINS", "[\"https://Dash.example.com\", \"http://10.0.0.5:8080\"]"));
    assertThat(config.api().allowedOrigins()).containsExactly("https://dash.example.com", "http://10.0.0.5:8080");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("CONTEXTWATCH_API_ALLOWED_ORIGINS", "[\"https://dash.example.com/app\"]")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'apiAllowedOrigins'")
        .hasMessageContaining("no path");
  }

  @Test
  @DisplayName("a --config file that does not exist is an error, not a silent fallback")
  void missingFile() {
    assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("nope.json"), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("no such file");
  }

  @Test
  @DisplayName("secrets never appear in the printed configuration")
  void secretsMasked() {
    ContextwatchConfig config = ConfigLoader.load(null, Map.of(
        "CONTEXTWATCH_PG_URL", "postgresql://cw:hunter2@db:5432/contextwatch",
        "CONTEXTWATCH_INGEST_TOKEN", "t0ken"));
    assertThat(config.toString()).doesNotContain("hunter2").doesNotContain("t0ken");
  }

  @Test
  @DisplayName("budgets come as JSON from one environment variable: limits in dollars or tokens, per project by default, for the fleet with scope fleet, warning at 80% and periods of UTC unless told")
  void budgetsFromEnv() {
    ContextwatchConfig config = ConfigLoader.load(null, Map.of("CONTEXTWATCH_BUDGETS", "[{\"name\":\"acme\",\"period\":\"week\","
        + "\"costUsd\":12.5,\"project\":\"acme\"},{\"name\":\"fleet\",\"period\":\"month\",\"tokens\":1000000,"
        + "\"scope\":\"fleet\",\"user\":\"alice\",\"warnPercent\":50,\"tz\":\"America/Los_Angeles\"}]"));
    assertThat(config.checkpoints().budgets()).containsExactly(
        new Budget("acme", Budget.Period.WEEK, 12_500_000L, null, "acme", false, null, 80, ZoneOffset.UTC),
        new Budget("fleet", Budget.Period.MONTH, null, 1_000_000L, null, true, "alice", 50, ZoneId.of("America/Los_Angeles")));
    assertThat(ConfigLoader.defaults().checkpoints().budgets()).isEmpty();
  }

  @Test
  @DisplayName("a bad budget names the key and field that is wrong")
  void badBudgets() {
    Map<String, String> badOnes = Map.of(
        "[{\"period\":\"day\",\"costUsd\":1}]", "budgets[0].name",
        "[{\"name\":\"a\",\"period\":\"year\",\"costUsd\":1}]", "budgets[0].period",
        "[{\"name\":\"a\",\"period\":\"day\"}]", "needs costUsd or tokens",
        "[{\"name\":\"a\",\"period\":\"day\",\"costUsd\":-1}]", "budgets[0].costUsd",
        "[{\"name\":\"a\",\"period\":\"day\",\"tokens\":\"many\"}]", "budgets[0].tokens",
        "[{\"name\":\"a\",\"period\":\"day\",\"tokens\":1.5}]", "whole tokens",
        "[{\"name\":\"a\",\"period\":\"day\",\"costUsd\":1,\"scope\":\"world\"}]", "budgets[0].scope",
        "[{\"name\":\"a\",\"period\":\"day\",\"costUsd\":1,\"warnPercent\":120}]", "budgets[0].warnPercent",
        "[{\"name\":\"a\",\"period\":\"day\",\"costUsd\":1,\"limit\":1}]", "budgets[0].limit",
        "[{\"name\":\"a\",\"period\":\"day\",\"costUsd\":1},{\"name\":\"a\",\"period\":\"week\",\"costUsd\":1}]",
        "two budgets have the same name");
    badOnes.forEach((json, named) -> assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("CONTEXTWATCH_BUDGETS", json)))
        .as(json).isInstanceOf(ConfigException.class).hasMessageContaining(named).hasMessageContaining("CONTEXTWATCH_BUDGETS"));
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("CONTEXTWATCH_BUDGETS",
        "[{\"name\":\"a\",\"period\":\"day\",\"costUsd\":1,\"tz\":\"Mars/Olympus\"}]")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("budgets[0].tz").hasMessageContaining("IANA time zone");
  }

  @Test
  @DisplayName("webhook endpoints come as JSON from one environment variable, and a bad one names its field")
  void webhooksFromEnv() {
    ContextwatchConfig config = ConfigLoader.load(null, Map.of("CONTEXTWATCH_WEBHOOKS",
        "[{\"name\":\"harness\",\"url\":\"http://harness:9000/hook\",\"secret\":\"s\",\"events\":[\"context.warning\"],\"projects\":[\"acme\"]}]"));
    WebhookEndpoint endpoint = config.checkpoints().webhooks().get(0);
    assertThat(endpoint.name()).isEqualTo("harness");
    assertThat(endpoint.wants("context.warning", "acme", false)).isTrue();
    assertThat(endpoint.wants("context.warning", "other", false)).isFalse();
    assertThat(endpoint.wants("context.critical", "acme", false)).isFalse();
    assertThat(endpoint.wants("context.warning", "acme", true)).as("a synthetic session, not asked for").isFalse();
    assertThat(endpoint.toString()).doesNotContain("secret=s");

    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("CONTEXTWATCH_WEBHOOKS", "[{\"url\":\"ftp://x\",\"secret\":\"s\"}]")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("webhooks[0].url");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("CONTEXTWATCH_WEBHOOKS", "[{\"url\":\"http://x\"}]")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("webhooks[0].secret");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("CONTEXTWATCH_WEBHOOKS",
        "[{\"url\":\"http://x\",\"secret\":\"s\",\"events\":[\"context.oops\"]}]")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("unknown event type 'context.oops'");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("CONTEXTWATCH_WEBHOOKS",
        "[{\"url\":\"http://x\",\"secret\":\"s\",\"synthetic\":\"yes\"}]")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("webhooks[0].synthetic").hasMessageContaining("got 'yes'");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("CONTEXTWATCH_WEBHOOKS", "{not json")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'webhooks'").hasMessageContaining("not valid JSON");
  }

  @Test
  @DisplayName("an endpoint hears of synthetic sessions (simulated by a load test) only with \"synthetic\": true")
  void webhooksSynthetic() {
    ContextwatchConfig config = ConfigLoader.load(null, Map.of("CONTEXTWATCH_WEBHOOKS",
        "[{\"url\":\"http://a/hook\",\"secret\":\"s\"},{\"url\":\"http://b/hook\",\"secret\":\"s\",\"synthetic\":true}]"));
    WebhookEndpoint plain = config.checkpoints().webhooks().get(0);
    WebhookEndpoint optedIn = config.checkpoints().webhooks().get(1);
    assertThat(plain.synthetic()).isFalse();
    assertThat(plain.wants("context.warning", "loadtest", true)).isFalse();
    assertThat(plain.wants("context.warning", "loadtest", false)).isTrue();
    assertThat(optedIn.wants("context.warning", "loadtest", true)).isTrue();
  }

  @Test
  @DisplayName("level thresholds can be set per project, the rest falling back to the global ones")
  void levelOverrides() {
    ContextwatchConfig config = ConfigLoader.load(null, Map.of("CONTEXTWATCH_LEVEL_OVERRIDES", "{\"acme\":{\"warningPercent\":60}}"));
    assertThat(config.checkpoints().levelsFor("acme")).isEqualTo(new LevelThresholds(60, 90, 5, 2));
    assertThat(config.checkpoints().levelsFor("other")).isEqualTo(new LevelThresholds(70, 90, 5, 2));
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("CONTEXTWATCH_LEVEL_OVERRIDES", "{\"acme\":{\"warnPercent\":60}}")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("levelOverrides.acme.warnPercent");
  }

  @Test
  @DisplayName("an endpoint that names no events gets the six default ones; session.error only when named")
  void sessionErrorOptIn() {
    ContextwatchConfig config = ConfigLoader.load(null, Map.of("CONTEXTWATCH_WEBHOOKS",
        "[{\"name\":\"a\",\"url\":\"http://a\",\"secret\":\"s\"},"
            + "{\"name\":\"b\",\"url\":\"http://b\",\"secret\":\"s\",\"events\":[\"session.error\"]}]"));
    assertThat(config.checkpoints().webhooks().get(0).events()).isEqualTo(WebhookEndpoint.DEFAULT_EVENT_TYPES)
        .doesNotContain("session.error");
    assertThat(config.checkpoints().webhooks().get(1).wants("session.error", "acme", false)).isTrue();
  }

  @Test
  @DisplayName("auto-compact thresholds can be set per session and per project, a session's winning, and default to none")
  void compactionThresholds() throws IOException {
    assertThat(ConfigLoader.load(null, Map.of()).sessions().compactionThresholds()).isEqualTo(CompactionThresholds.NONE);
    Path file = write("{\"autoCompactThresholds\": {\"projects\": {\"acme\": 400000}, \"sessions\": {\"s-1\": 150000}}}");
    CompactionThresholds thresholds = ConfigLoader.load(file, Map.of()).sessions().compactionThresholds();
    assertThat(thresholds.forSession("s-1", "acme")).isEqualTo(150_000L);
    assertThat(thresholds.forSession("s-2", "acme")).isEqualTo(400_000L);
    assertThat(thresholds.forSession("s-2", "other")).isNull();
    assertThat(thresholds.forSession("s-2", null)).isNull();
    assertThat(ConfigLoader.load(null, Map.of("CONTEXTWATCH_AUTO_COMPACT_THRESHOLDS", "{\"projects\":{\"acme\":300000}}"))
        .sessions().compactionThresholds().forSession("any", "acme")).isEqualTo(300_000L);
  }

  @Test
  @DisplayName("a bad auto-compact threshold fails naming its key: an unknown part, a non-object, a fraction, too small, a string")
  void badCompactionThresholds() {
    Map<String, String> cases = Map.of(
        "{\"project\":{}}", "autoCompactThresholds.project",
        "{\"projects\":[1]}", "autoCompactThresholds.projects",
        "{\"projects\":{\"acme\":1500.5}}", "autoCompactThresholds.projects.acme",
        "{\"sessions\":{\"s-1\":10}}", "autoCompactThresholds.sessions.s-1",
        "{\"sessions\":{\"s-1\":\"150000\"}}", "autoCompactThresholds.sessions.s-1");
    cases.forEach((json, key) -> assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("CONTEXTWATCH_AUTO_COMPACT_THRESHOLDS", json)))
        .as(json).isInstanceOf(ConfigException.class).hasMessageContaining("'" + key + "'")
        .hasMessageContaining("CONTEXTWATCH_AUTO_COMPACT_THRESHOLDS"));
  }

  @Test
  @DisplayName("cluster mode is off by default; on, it takes this node's address, its member port and the members to join from CONTEXTWATCH_CLUSTER_*")
  void clusterFromEnv() {
    ClusterConfig off = ConfigLoader.load(null, Map.of()).cluster();
    assertThat(off.enabled()).isFalse();
    assertThat(off.port()).isEqualTo(5701);
    assertThat(off.members()).isEmpty();
    ClusterConfig on = ConfigLoader.load(null, Map.of("CONTEXTWATCH_CLUSTER_ENABLED", "true", "CONTEXTWATCH_CLUSTER_HOST", "127.0.0.1",
        "CONTEXTWATCH_CLUSTER_PORT", "5801", "CONTEXTWATCH_CLUSTER_MEMBERS", " 127.0.0.1:5801, node-2:5701,,[::1]:5702 ")).cluster();
    assertThat(on).isEqualTo(new ClusterConfig(true, "127.0.0.1", 5801, List.of("127.0.0.1:5801", "node-2:5701", "[::1]:5702")));
  }

  @Test
  @DisplayName("with cluster mode on and no host given, the node takes an address of its own machine that others can reach")
  void clusterHostPicked() throws Exception {
    String host = ConfigLoader.load(null, Map.of("CONTEXTWATCH_CLUSTER_ENABLED", "true")).cluster().host();
    java.net.InetAddress address = java.net.InetAddress.getByName(host);
    assertThat(address.isAnyLocalAddress()).isFalse();
    assertThat(address.isLoopbackAddress() || java.net.NetworkInterface.getByInetAddress(address) != null).as(host).isTrue();
  }

  @Test
  @DisplayName("a bad cluster value names its key: a port out of range, a member that is not host:port, a wildcard or foreign host")
  void badCluster() {
    Map<Map<String, String>, String> cases = Map.of(
        Map.of("CONTEXTWATCH_CLUSTER_PORT", "0"), "'clusterPort'",
        Map.of("CONTEXTWATCH_CLUSTER_PORT", "65536"), "'clusterPort'",
        Map.of("CONTEXTWATCH_CLUSTER_MEMBERS", "node-1"), "'clusterMembers' (from CONTEXTWATCH_CLUSTER_MEMBERS): expected host:port",
        Map.of("CONTEXTWATCH_CLUSTER_MEMBERS", "node-1:5701;node-2:5701"), "'clusterMembers'",
        Map.of("CONTEXTWATCH_CLUSTER_MEMBERS", "node-1:70000"), "the port of 'node-1:70000'",
        Map.of("CONTEXTWATCH_CLUSTER_ENABLED", "maybe"), "'clusterEnabled'",
        Map.of("CONTEXTWATCH_CLUSTER_ENABLED", "true", "CONTEXTWATCH_CLUSTER_HOST", "0.0.0.0"), "'clusterHost' (from CONTEXTWATCH_CLUSTER_HOST): '0.0.0.0' is a wildcard",
        Map.of("CONTEXTWATCH_CLUSTER_ENABLED", "true", "CONTEXTWATCH_CLUSTER_HOST", "192.0.2.1"), "is not an address of this machine",
        Map.of("CONTEXTWATCH_CLUSTER_ENABLED", "true", "CONTEXTWATCH_CLUSTER_HOST", "no-such-host.invalid"), "cannot resolve 'no-such-host.invalid'");
    cases.forEach((env, message) -> assertThatThrownBy(() -> ConfigLoader.load(null, env))
        .as(env.toString()).isInstanceOf(ConfigException.class).hasMessageContaining(message));
  }

  @Test
  @DisplayName("with cluster mode off the host is not looked up, so a configuration prepared for a cluster still starts one node")
  void clusterHostUncheckedWhenOff() {
    assertThat(ConfigLoader.load(null, Map.of("CONTEXTWATCH_CLUSTER_HOST", "192.0.2.1")).cluster().host()).isEqualTo("192.0.2.1");
  }

  private Path write(String json) throws IOException {
    Path file = dir.resolve("contextwatch.json");
    Files.writeString(file, json);
    return file;
  }
}
