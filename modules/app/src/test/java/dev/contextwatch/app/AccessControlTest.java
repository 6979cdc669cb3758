package dev.contextwatch.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.testkit.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every endpoint of the API port with no token, a wrong one and the right one. */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccessControlTest {
  private static final String API = "api-t0ken";
  private static final String ADMIN = "adm1n-t0ken";
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
    pipeline = PipelineHarness.start(vertx, TestDatabase.newDatabase(), config -> config.withApi(config.api().withTokens(API, ADMIN)));
    client = vertx.createHttpClient();
  }

  @AfterAll
  void stop() throws Exception {
    pipeline.stop();
  }

  List<Endpoint> guarded() {
    String unknown = UUID.randomUUID().toString();
    return List.of(
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
        new Endpoint(HttpMethod.POST, "/api/v1/webhooks/deliveries/" + unknown + "/retry", true, 404));
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
