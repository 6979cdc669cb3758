package dev.contextwatch.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.core.bus.Addresses;
import dev.contextwatch.core.config.ConfigLoader;
import dev.contextwatch.core.config.ContextwatchConfig;
import dev.contextwatch.core.model.IngestOutcome;
import dev.contextwatch.core.model.RecordBatch;
import dev.contextwatch.testkit.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.awaitility.Awaitility;

/** A whole pipeline on a fresh test database and a free port, and an OTLP client to talk to it. */
final class PipelineHarness {
  final Vertx vertx;
  final String databaseUrl;
  final ContextwatchConfig config;
  private Pipeline pipeline;
  private final HttpClient client;

  private PipelineHarness(Vertx vertx, String databaseUrl, ContextwatchConfig config, HttpClient client) {
    this.vertx = vertx;
    this.databaseUrl = databaseUrl;
    this.config = config;
    this.client = client;
  }

  /** The same pipeline seen through another client (for connection-level tests). */
  PipelineHarness withClient(HttpClient other) {
    PipelineHarness view = new PipelineHarness(vertx, databaseUrl, config, other);
    view.pipeline = pipeline;
    return view;
  }

  static PipelineHarness start(Vertx vertx) throws Exception {
    return start(vertx, TestDatabase.newDatabase(), UnaryOperator.identity());
  }

  /** Starts a pipeline on {@code databaseUrl}; {@code adjust} changes the test's configuration. */
  static PipelineHarness start(Vertx vertx, String databaseUrl, UnaryOperator<ContextwatchConfig> adjust) throws Exception {
    ContextwatchConfig defaults = ConfigLoader.defaults();
    ContextwatchConfig config = adjust.apply(defaults
        .withDatabase(defaults.database().withUrl(databaseUrl))
        .withApi(defaults.api().withPort(0))
        .withReceiver(defaults.receiver().withPorts("127.0.0.1", 0, 0)));
    PipelineHarness harness = new PipelineHarness(vertx, databaseUrl, config,
        vertx.createHttpClient(new PoolOptions().setHttp1MaxSize(64)));
    harness.pipeline = await(Pipeline.start(vertx, config));
    return harness;
  }

  void stop() throws Exception {
    await(pipeline.stop());
  }

  /** A finished HTTP exchange. */
  record Response(int status, MultiMap headers, Buffer body) {}

  /** POSTs the body as the Claude Code CLI does: chunked, without Content-Length. */
  Future<Response> post(String path, String contentType, Buffer body, Map<String, String> headers) {
    return send(HttpMethod.POST, path, contentType, body, headers);
  }

  Future<Response> send(HttpMethod method, String path, String contentType, Buffer body, Map<String, String> headers) {
    return exchange(pipeline.otlpHttpPort(), method, path, contentType, body, headers);
  }

  /** A request to the API port, whatever it answers. */
  Future<Response> apiRequest(HttpMethod method, String path, Buffer body) {
    return apiRequest(method, path, body, Map.of());
  }

  Future<Response> apiRequest(HttpMethod method, String path, Buffer body, Map<String, String> headers) {
    return exchange(pipeline.apiPort(), method, path, null, body, headers);
  }

  /** A request to the query API; the answer's JSON object (asserting the status first). */
  JsonObject api(HttpMethod method, String path, int expectedStatus) throws Exception {
    Response response = await(apiRequest(method, path, Buffer.buffer()));
    if (response.status() != expectedStatus) {
      throw new AssertionError(method + " " + path + " answered " + response.status() + ": " + response.body());
    }
    return response.body().toJsonObject();
  }

  /** The port of the query API, which also carries the dashboard and the live feed. */
  int apiPort() {
    return pipeline.apiPort();
  }

  JsonObject apiGet(String path) throws Exception {
    return api(HttpMethod.GET, path, 200);
  }

  int otlpHttpPort() {
    return pipeline.otlpHttpPort();
  }

  int otlpGrpcPort() {
    return pipeline.otlpGrpcPort();
  }

  /** Stops this pipeline and starts a new one on the same database, as a restart would. */
  PipelineHarness restart() throws Exception {
    stop();
    pipeline = await(Pipeline.start(vertx, config));
    return this;
  }

  private Future<Response> exchange(int port, HttpMethod method, String path, String contentType, Buffer body,
      Map<String, String> headers) {
    RequestOptions options = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(port).setURI(path);
    if (contentType != null) {
      options.putHeader("Content-Type", contentType);
    }
    headers.forEach(options::putHeader);
    // the response body handler is set before the request is written, so an early answer (sent
    // before the server read the body) cannot slip past it
    return client.request(options).compose(request -> {
      Future<Response> response = request.response()
          .compose(r -> r.body().map(b -> new Response(r.statusCode(), r.headers(), b)));
      request.setChunked(true).end(body);
      return response;
    });
  }

  /**
   * Hands decoded records straight to the processor, as the receiver does (for records the
   * receiver itself would refuse); the reply once they are committed.
   */
  IngestOutcome ingest(RecordBatch batch) throws Exception {
    return await(vertx.eventBus().<IngestOutcome>request(Addresses.INGEST, batch)).body();
  }

  Response postAndWait(String path, String contentType, Buffer body, Map<String, String> headers) throws Exception {
    return await(post(path, contentType, body, headers));
  }

  long count(String sql) throws Exception {
    return Long.parseLong(query(sql));
  }

  /** Runs a statement straight on the test database; the rows it changed. */
  int execute(String sql) throws Exception {
    try (Connection c = TestDatabase.connect(databaseUrl)) {
      return c.createStatement().executeUpdate(sql);
    }
  }

  /** Polls until the query counts {@code expected} (rows follow commits asynchronously), or fails after 30 s. */
  void awaitCount(String sql, long expected) {
    Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
        .untilAsserted(() -> assertThat(count(sql)).as(sql).isEqualTo(expected));
  }

  String query(String sql) throws Exception {
    try (Connection c = TestDatabase.connect(databaseUrl); ResultSet rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
