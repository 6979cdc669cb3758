package dev.contextwatch.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.contextwatch.testkit.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.junit5.VertxExtension;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every endpoint of the API port with no token, a wrong one and the right one. */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccessControlTest {
  private static final String API = "api-t0ken";
  private static final String ADMIN = "adm1n-t0ken";
  private static final String ALLOWED_ORIGIN = "https://dashboards.example.com";
  private PipelineHarness pipeline;
  private HttpClient client;

  /** An endpoint, whether it needs the admin token, and what it answers once let in. */
  record Endpoint(HttpMethod method, String path, boolean admin, int allowedStatus) {
    @Override
    public String toString() {
      return method + " " + path;
    }
  }

  @BeforeAll
  void start(Vertx vertx) throws Exception {
    pipeline = PipelineHarness.start(vertx, TestDatabase.newDatabase(),
        config -> config.withApi(config.api().withTokens(API, ADMIN).withAllowedOrigins(List.of(ALLOWED_ORIGIN))));
    client = vertx.createHttpClient();
  }

  @AfterAll
  void stop() throws Exception {
    pipeline.stop();
  }

  List<Endpoint> guarded() {
    String unknown = UUID.randomUUID().toString();
    return List.of(
        new Endpoint(HttpMethod.GET, "/api/v1/fleet", false, 200),
        new Endpoint(HttpMethod.GET, "/api/v1/sessions", false, 200),
        new Endpoint(HttpMethod.GET, "/api/v1/sessions/none", false, 404),
        new Endpoint(HttpMethod.GET, "/api/v1/sessions/none/events", false, 404),
        new Endpoint(HttpMethod.GET, "/api/v1/projects", false, 200),
        new Endpoint(HttpMethod.GET, "/api/v1/runs", false, 200),
        new Endpoint(HttpMethod.GET, "/api/v1/runs/none", false, 404),
        new Endpoint(HttpMethod.GET, "/api/v1/checkpoints", false, 200),
        new Endpoint(HttpMethod.GET, "/api/v1/webhooks/deliveries", false, 200),
        new Endpoint(HttpMethod.GET, "/api/v1/usage", false, 200),
        new Endpoint(HttpMethod.GET, "/", false, 200),
        new Endpoint(HttpMethod.GET, "/v1/stream", false, 400),
        new Endpoint(HttpMethod.POST, "/api/v1/sessions/none/close", true, 404),
        new Endpoint(HttpMethod.POST, "/api/v1/webhooks/deliveries/" + unknown + "/retry", true, 404),
        new Endpoint(HttpMethod.DELETE, "/api/v1/projects/none", true, 404),
        new Endpoint(HttpMethod.DELETE, "/api/v1/runs/none", true, 404));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("guarded")
  @DisplayName("no token and a wrong token are refused with 401; the right one is let in")
  void tokens(Endpoint endpoint) throws Exception {
    assertThat(status(endpoint, null)).as("no token").isEqualTo(401);
    assertThat(status(endpoint, "Bearer wrong")).as("wrong token").isEqualTo(401);
    if (endpoint.admin()) {
      assertThat(status(endpoint, "Bearer " + API)).as("the API token is not an admin token").isEqualTo(401);
    } else {
      assertThat(status(endpoint, "Bearer " + API)).as("API token").isEqualTo(endpoint.allowedStatus());
    }
    assertThat(status(endpoint, "Bearer " + ADMIN)).as("admin token").isEqualTo(endpoint.allowedStatus());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("open")
  @DisplayName("health and readiness stay open for load balancers and container runtimes")
  void openEndpoints(String path) throws Exception {
    assertThat(status(new Endpoint(HttpMethod.GET, path, false, 200), null)).isEqualTo(200);
  }

  List<String> open() {
    return List.of("/health", "/ready");
  }

  @Test
  @DisplayName("a browser that opens the dashboard with ?token= gets it back as an HTTP-only cookie that lets its own requests in")
  void dashboardCookie() throws Exception {
    PipelineHarness.Response page = send(HttpMethod.GET, "/?token=" + API, null, null);
    assertThat(page.status()).isEqualTo(200);
    String cookie = page.headers().get("Set-Cookie");
    assertThat(cookie).startsWith("contextwatch_token=" + API).containsIgnoringCase("HttpOnly").containsIgnoringCase("SameSite=Strict");
    assertThat(send(HttpMethod.GET, "/api/v1/sessions", null, cookie.split(";", 2)[0]).status()).isEqualTo(200);
    assertThat(send(HttpMethod.GET, "/api/v1/sessions", null, "contextwatch_token=wrong").status()).isEqualTo(401);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"bearer", "BEARER", "bEaReR"})
  @DisplayName("the Bearer scheme is matched whatever its case (RFC 7235), for the API and the admin token")
  void schemeCaseInsensitive(String scheme) throws Exception {
    assertThat(status(new Endpoint(HttpMethod.GET, "/api/v1/sessions", false, 200), scheme + " " + API)).isEqualTo(200);
    assertThat(status(new Endpoint(HttpMethod.POST, "/api/v1/sessions/none/close", true, 404), scheme + " " + ADMIN))
        .isEqualTo(404);
    assertThat(status(new Endpoint(HttpMethod.GET, "/api/v1/sessions", false, 200), scheme + " wrong")).isEqualTo(401);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("writes")
  @DisplayName("a POST or DELETE is authorised only by the Authorization header: the right admin token as ?token= or as the dashboard's cookie is refused")
  void writesNeedTheHeader(Endpoint write) throws Exception {
    PipelineHarness.Response byQuery = send(write.method(), write.path() + "?token=" + ADMIN, null, null);
    assertThat(byQuery.status()).isEqualTo(401);
    assertThat(byQuery.body().toJsonObject().getString("message")).contains("Authorization").doesNotContain(ADMIN);
    assertThat(send(write.method(), write.path(), null, "contextwatch_token=" + ADMIN).status()).isEqualTo(401);
    assertThat(send(write.method(), write.path() + "?token=" + ADMIN, "Bearer " + ADMIN, null).status()).isEqualTo(404);
  }

  List<Endpoint> writes() {
    return guarded().stream().filter(Endpoint::admin).toList();
  }

  @Test
  @DisplayName("a project's data is deleted with the admin token only: with the API token it is refused and the sessions stay")
  void deleteNeedsTheAdminToken() throws Exception {
    PipelineHarness.Response posted = pipeline.postAndWait("/v1/logs", OtlpRequests.PROTOBUF,
        OtlpRequests.mainRequest("doomed", null, false, "doomed-1", 0, 10_000), Map.of());
    assertThat(posted.status()).isEqualTo(200);

    assertThat(send(HttpMethod.DELETE, "/api/v1/projects/doomed", "Bearer " + API, null).status()).isEqualTo(401);
    assertThat(pipeline.count("select count(*) from sessions where project = 'doomed'")).isEqualTo(1);
    PipelineHarness.Response deleted = send(HttpMethod.DELETE, "/api/v1/projects/doomed", "Bearer " + ADMIN, null);
    assertThat(deleted.status()).isEqualTo(200);
    assertThat(deleted.body().toJsonObject().getLong("sessions")).isEqualTo(1);
    assertThat(pipeline.count("select count(*) from sessions where project = 'doomed'")).isZero();
    assertThat(pipeline.count("select count(*) from events where session_id = 'doomed-1'")).isZero();
  }

  @Test
  @DisplayName("with tokens on, a WebSocket handshake from a foreign Origin is refused with 403; the server's own origin, an allowed one and none (not a browser) are let in")
  void websocketOrigin(Vertx vertx) throws Exception {
    WebSocketClient client = vertx.createWebSocketClient();
    String own = "http://127.0.0.1:" + pipeline.apiPort();
    for (String origin : List.of("http://evil.example", "http://127.0.0.1:1", "null", "https://dashboards.example.com.evil.example")) {
      Throwable refused = catchThrowable(() -> PipelineHarness.await(handshake(client, origin)));
      assertThat(refused).as(origin).cause().isInstanceOf(UpgradeRejectedException.class);
      UpgradeRejectedException rejected = (UpgradeRejectedException) refused.getCause();
      assertThat(rejected.getStatus()).as(origin).isEqualTo(403);
      assertThat(rejected.getBody().toJsonObject().getString("error")).isEqualTo("forbidden");
      assertThat(rejected.getBody().toJsonObject().getString("message")).contains("apiAllowedOrigins");
    }
    for (String origin : Arrays.asList(own, ALLOWED_ORIGIN, null)) {
      WebSocket socket = PipelineHarness.await(handshake(client, origin));
      assertThat(socket.isClosed()).as(String.valueOf(origin)).isFalse();
      PipelineHarness.await(socket.close());
    }
    PipelineHarness.await(client.close());
  }

  private Future<WebSocket> handshake(WebSocketClient client, String origin) {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(pipeline.apiPort())
        .setURI("/v1/stream").addHeader("Authorization", "Bearer " + API).setAllowOriginHeader(origin != null);
    if (origin != null) {
      options.addHeader("Origin", origin);
    }
    return client.connect(options);
  }

  private int status(Endpoint endpoint, String authorization) throws Exception {
    return send(endpoint.method(), endpoint.path(), authorization, null).status();
  }

  private PipelineHarness.Response send(HttpMethod method, String path, String authorization, String cookie) throws Exception {
    RequestOptions options = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(pipeline.apiPort()).setURI(path);
    if (authorization != null) {
      options.putHeader("Authorization", authorization);
    }
    if (cookie != null) {
      options.putHeader("Cookie", cookie);
    }
    return PipelineHarness.await(client.request(options).compose(request -> {
      var response = request.response().compose(r -> r.body().map(b -> new PipelineHarness.Response(r.statusCode(), r.headers(), b)));
      request.end(Buffer.buffer());
      return response;
    }));
  }
}
