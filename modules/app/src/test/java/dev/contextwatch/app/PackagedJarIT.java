package dev.contextwatch.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.core.config.TlsFiles;
import dev.contextwatch.testkit.Fixtures;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The artifact users run: {@code ./contextwatch} (the shaded {@code modules/app/target/contextwatch.jar},
 * nothing from the test classpath) in a process of its own, with every optional feature on. A
 * class that only the test classpath has fails here. Runs in failsafe's integration-test phase,
 * after the shade plugin built the jar.
 */
@ExtendWith(VertxExtension.class)
class PackagedJarIT {
  private static final String INGEST_TOKEN = "ingest-" + UUID.randomUUID();
  private static final String API_TOKEN = "api-" + UUID.randomUUID();
  private static final String ADMIN_TOKEN = "admin-" + UUID.randomUUID();
  private static final String WEBHOOK_SECRET = "whsec-" + UUID.randomUUID();
  private static final int GRPC_OK = 0;
  private static final int GRPC_UNAUTHENTICATED = 16;

  @TempDir
  Path dir;

  @Test
  @DisplayName("the packaged jar with webhooks, three tokens, TLS, gRPC, storeContent, cluster mode and the embedded database stores real Claude Code "
      + "telemetry, answers the API with the CLI's totals, delivers signed webhooks and stops cleanly, leaving the cluster")
  void everyFeatureOn(Vertx vertx) throws Exception {
    TlsFiles tls = TestCertificate.copyTo(dir);
    WebhookReceiver hook = WebhookReceiver.start(vertx, WebhookReceiver.Mode.OK);
    Path dataDir = dir.resolve("pg");
    int otlpPort = ChildPipeline.freePort();
    int grpcPort = ChildPipeline.freePort();
    int apiPort = ChildPipeline.freePort();
    int clusterPort = ChildPipeline.freePort();
    ChildPipeline child = ChildPipeline.startPackaged(dir, Map.ofEntries(
        Map.entry("CONTEXTWATCH_PG_DATA_DIR", dataDir.toString()),
        Map.entry("CONTEXTWATCH_OTLP_HTTP_HOST", "127.0.0.1"),
        Map.entry("CONTEXTWATCH_OTLP_HTTP_PORT", Integer.toString(otlpPort)),
        Map.entry("CONTEXTWATCH_OTLP_GRPC_PORT", Integer.toString(grpcPort)),
        Map.entry("CONTEXTWATCH_API_HOST", "127.0.0.1"),
        Map.entry("CONTEXTWATCH_API_PORT", Integer.toString(apiPort)),
        Map.entry("CONTEXTWATCH_INGEST_TOKEN", INGEST_TOKEN),
        Map.entry("CONTEXTWATCH_API_TOKEN", API_TOKEN),
        Map.entry("CONTEXTWATCH_ADMIN_TOKEN", ADMIN_TOKEN),
        Map.entry("CONTEXTWATCH_OTLP_TLS_CERT_FILE", tls.certFile()),
        Map.entry("CONTEXTWATCH_OTLP_TLS_KEY_FILE", tls.keyFile()),
        Map.entry("CONTEXTWATCH_API_TLS_CERT_FILE", tls.certFile()),
        Map.entry("CONTEXTWATCH_API_TLS_KEY_FILE", tls.keyFile()),
        Map.entry("CONTEXTWATCH_STORE_CONTENT", "true"),
        Map.entry("CONTEXTWATCH_CLUSTER_ENABLED", "true"),
        Map.entry("CONTEXTWATCH_CLUSTER_HOST", "127.0.0.1"),
        Map.entry("CONTEXTWATCH_CLUSTER_PORT", Integer.toString(clusterPort)),
        Map.entry("CONTEXTWATCH_CLUSTER_MEMBERS", "127.0.0.1:" + clusterPort),
        Map.entry("CONTEXTWATCH_WEBHOOKS", new JsonArray().add(new JsonObject().put("name", "harness").put("url", hook.url())
            .put("secret", WEBHOOK_SECRET)
            .put("events", new JsonArray().add("context.warning").add("context.critical").add("session.closed"))).encode())));
    HttpClient https = vertx.createHttpClient(new HttpClientOptions().setSsl(true)
        .setTrustOptions(new PemTrustOptions().addCertPath(tls.certFile())));
    OtlpGrpcClient grpc = new OtlpGrpcClient(vertx, grpcPort, tls.certFile());
    try {
      child.awaitLog("event=contextwatch_ready", 1);
      assertThat(child.output()).contains("mode=embedded").doesNotContain("wanted to rebuild")
          .doesNotContain("already registered").doesNotContain("\u001b")
          .contains("dashboard=https://127.0.0.1:" + apiPort + "/?token=<apiToken> ");
      for (String protocol : List.of("http", "grpc")) {
        assertThat(child.output().lines().filter(line -> line.contains("event=receiver_started protocol=" + protocol))).hasSize(1);
      }
      assertThat(child.output()).contains("event=cluster_joined", "port=" + clusterPort, "members=1").doesNotContain("event=cluster_alone")
          .as("the jar opens what Hazelcast needs of the JDK").doesNotContain("without proper access");
      JsonObject cluster = new JsonObject(api(https, apiPort, HttpMethod.GET, "/ready", null).body()).getJsonObject("cluster");
      assertThat(cluster.getBoolean("enabled")).isTrue();
      assertThat(cluster.getInteger("members")).isEqualTo(1);
      assertThat(child.output()).contains("node=" + cluster.getString("node"));

      Fixtures.Folder overHttp = Fixtures.folder("tool-loop-delta-protobuf");
      assertThat(send(https, otlpPort, overHttp.requests().get(0), null).status()).as("no ingest token").isEqualTo(401);
      for (Fixtures.Request request : overHttp.requests()) {
        PipelineHarness.Response response = send(https, otlpPort, request, INGEST_TOKEN);
        assertThat(response.status()).as("%s: %s", request.file(), response.body()).isEqualTo(200);
      }
      Fixtures.Folder overGrpc = Fixtures.folder("single-prompt-delta-protobuf");
      assertThat(PipelineHarness.await(grpc.export("/v1/logs", overGrpc.requests().get(0).body(), null)))
          .as("no ingest token over gRPC").isEqualTo(GRPC_UNAUTHENTICATED);
      for (Fixtures.Request request : overGrpc.requests()) {
        assertThat(PipelineHarness.await(grpc.export(request.path(), request.body(), INGEST_TOKEN))).as(request.file()).isEqualTo(GRPC_OK);
      }

      assertThat(api(https, apiPort, HttpMethod.GET, "/api/v1/sessions", null).status()).as("no API token").isEqualTo(401);
      for (Fixtures.Folder folder : List.of(overHttp, overGrpc)) {
        CliTotals.assertMatch(apiJson(https, apiPort, "/api/v1/sessions/" + folder.sessionId()), folder);
      }
      JsonObject prompt = apiJson(https, apiPort, "/api/v1/sessions/" + overHttp.sessionId() + "/events?name=user_prompt")
          .getJsonArray("items").getJsonObject(0);
      assertThat(prompt.getJsonObject("attributes").getValue("prompt")).as("storeContent keeps the prompt's text")
          .isInstanceOf(String.class);

      List<WebhookReceiver.Attempt> levels = hook.awaitDelivered(a -> a.event().startsWith("context."), 1, 60_000);
      assertThat(levels).as("a context level webhook for the tool loop that grew to 200k").isNotEmpty();
      assertSigned(levels.get(0), overHttp.sessionId());

      String close = "/api/v1/sessions/" + overHttp.sessionId() + "/close";
      assertThat(api(https, apiPort, HttpMethod.POST, close, API_TOKEN).status()).as("closing needs the admin token").isEqualTo(401);
      assertThat(api(https, apiPort, HttpMethod.POST, close, ADMIN_TOKEN).status()).isEqualTo(200);
      assertSigned(hook.awaitDelivered(a -> a.event().equals("session.closed"), 1, 60_000).get(0), overHttp.sessionId());

      child.process().destroy();
      assertThat(child.process().waitFor(90, TimeUnit.SECONDS)).as("stops on SIGTERM").isTrue();
      assertThat(child.output()).contains("event=cluster_left", "event=shutdown_complete", "event=database_stopped");
      String output = child.output();
      assertThat(output.indexOf("event=cluster_left")).as("leaves the cluster after the pipeline stopped, before the database closes")
          .isGreaterThan(output.indexOf("event=shutdown_started")).isLessThan(output.indexOf("event=database_stopped"));
      assertThat(Postmaster.pid(dataDir)).as("the embedded server stopped with it").isEmpty();
      String password = Files.readString(dataDir.resolve(SuperuserPassword.FILE)).trim();
      assertThat(child.output()).as("no secret in the log")
          .doesNotContain(password, INGEST_TOKEN, API_TOKEN, ADMIN_TOKEN, WEBHOOK_SECRET);
    } finally {
      child.stop();
      PipelineHarness.await(grpc.close());
      PipelineHarness.await(hook.close());
    }
  }

  private static void assertSigned(WebhookReceiver.Attempt attempt, String sessionId) throws Exception {
    assertThat(attempt.signature()).as("signature of %s", attempt.event()).isEqualTo(attempt.expectedSignature(WEBHOOK_SECRET));
    assertThat(attempt.payload().getJsonObject("session").getString("id")).isEqualTo(sessionId);
    assertThat(attempt.payload().getString("id")).isEqualTo(attempt.deliveryId());
  }

  /** A recorded request as the CLI sent it: chunked, with its Content-Type. */
  private static PipelineHarness.Response send(HttpClient https, int port, Fixtures.Request request, String token) throws Exception {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost("localhost").setPort(port)
        .setURI(request.path()).putHeader("Content-Type", request.contentType());
    return exchange(https, options, token, request.body());
  }

  private static PipelineHarness.Response api(HttpClient https, int port, HttpMethod method, String uri, String token) throws Exception {
    return exchange(https, new RequestOptions().setMethod(method).setHost("localhost").setPort(port).setURI(uri), token, Buffer.buffer());
  }

  private static JsonObject apiJson(HttpClient https, int port, String uri) throws Exception {
    PipelineHarness.Response response = api(https, port, HttpMethod.GET, uri, API_TOKEN);
    assertThat(response.status()).as("%s: %s", uri, response.body()).isEqualTo(200);
    return response.body().toJsonObject();
  }

  private static PipelineHarness.Response exchange(HttpClient https, RequestOptions options, String token, Buffer body) throws Exception {
    if (token != null) {
      options.putHeader("Authorization", "Bearer " + token);
    }
    return PipelineHarness.await(https.request(options)
        .compose(request -> request.setChunked(body.length() > 0).send(body))
        .compose(response -> response.body().map(b -> new PipelineHarness.Response(response.statusCode(), response.headers(), b))));
  }
}
