package dev.contextwatch.app;

import static dev.contextwatch.app.OtlpRequests.JSON;
import static dev.contextwatch.app.OtlpRequests.PROTOBUF;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.UnknownFieldSet;
import dev.contextwatch.testkit.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.ByteArrayOutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** One test per kind of bad request: the right status, a message naming the problem, nothing stored. */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputTest {
  private static final String TOKEN = "s3cret-ingest-token";
  private static final int BODY_LIMIT = 64 * 1024;
  private static final Map<String, String> AUTH = Map.of("Authorization", "Bearer " + TOKEN);
  private PipelineHarness pipeline;

  @BeforeAll
  void start(Vertx vertx) throws Exception {
    pipeline = PipelineHarness.start(vertx, TestDatabase.newDatabase(),
        config -> config.withReceiver(config.receiver().withLimits(BODY_LIMIT, TOKEN)));
  }

  @AfterAll
  void stop() throws Exception {
    pipeline.stop();
  }

  @Test
  @DisplayName("a valid request with the right token is stored and answered 200")
  void accepted() throws Exception {
    PipelineHarness.Response response = post("/v1/logs", PROTOBUF, OtlpRequests.apiRequests("ok", 0, 3), AUTH);
    assertThat(response.status()).isEqualTo(200);
    assertThat(pipeline.count("select count(*) from events where session_id = 'ok'")).isEqualTo(3);
  }

  @Test
  @DisplayName("malformed protobuf is a 400 whose body is a protobuf google.rpc.Status")
  void malformedProtobuf() throws Exception {
    PipelineHarness.Response response = post("/v1/logs", PROTOBUF, Buffer.buffer(new byte[] {0x0a, (byte) 0xff, 0x01, 0x02}), AUTH);
    assertThat(response.status()).isEqualTo(400);
    assertThat(response.headers().get("Content-Type")).isEqualTo(PROTOBUF);
    UnknownFieldSet status = UnknownFieldSet.parseFrom(response.body().getBytes());
    assertThat(status.getField(1).getVarintList()).containsExactly(3L);
    assertThat(status.getField(2).getLengthDelimitedList().get(0).toStringUtf8()).contains("cannot decode application/x-protobuf");
  }

  @Test
  @DisplayName("malformed JSON is a 400 whose body is a JSON google.rpc.Status")
  void malformedJson() throws Exception {
    PipelineHarness.Response response = post("/v1/metrics", JSON, Buffer.buffer("{\"resourceMetrics\": [ {"), AUTH);
    assertThat(response.status()).isEqualTo(400);
    JsonObject status = response.body().toJsonObject();
    assertThat(status.getInteger("code")).isEqualTo(3);
    assertThat(status.getString("message")).contains("cannot decode application/json ExportMetricsServiceRequest");
  }

  @Test
  @DisplayName("another content type is a 415 naming the two that are accepted")
  void wrongContentType() throws Exception {
    PipelineHarness.Response response = post("/v1/logs", "text/plain", Buffer.buffer("hello"), AUTH);
    assertThat(response.status()).isEqualTo(415);
    assertThat(response.body().toString()).contains("text/plain").contains("application/x-protobuf").contains("application/json");
  }

  @Test
  @DisplayName("an encoding other than gzip is a 415 naming it")
  void wrongContentEncoding() throws Exception {
    PipelineHarness.Response response = post("/v1/logs", PROTOBUF, OtlpRequests.apiRequests("br", 0, 1),
        Map.of("Authorization", "Bearer " + TOKEN, "Content-Encoding", "br"));
    assertThat(response.status()).isEqualTo(415);
    assertThat(response.body().toString()).contains("Content-Encoding 'br'");
  }

  @Test
  @DisplayName("another method is a 405 with Allow: POST")
  void wrongMethod() throws Exception {
    for (HttpMethod method : new HttpMethod[] {HttpMethod.GET, HttpMethod.PUT, HttpMethod.DELETE}) {
      PipelineHarness.Response response = PipelineHarness.await(
          pipeline.send(method, "/v1/traces", PROTOBUF, Buffer.buffer(), AUTH));
      assertThat(response.status()).as(method.name()).isEqualTo(405);
      assertThat(response.headers().get("Allow")).isEqualTo("POST");
    }
  }

  @Test
  @DisplayName("a path that is no OTLP endpoint is a 404 naming the endpoints")
  void unknownPath() throws Exception {
    PipelineHarness.Response response = post("/v1/profiles", PROTOBUF, Buffer.buffer(), AUTH);
    assertThat(response.status()).isEqualTo(404);
    assertThat(response.body().toString()).contains("/v1/logs");
  }

  @Test
  @DisplayName("a body beyond the limit is a 413, even when sent chunked without a length")
  void oversized() throws Exception {
    PipelineHarness.Response response = post("/v1/logs", PROTOBUF, Buffer.buffer(new byte[BODY_LIMIT + 1]), AUTH);
    assertThat(response.status()).isEqualTo(413);
    assertThat(response.body().toString()).contains("limit of " + BODY_LIMIT);
  }

  @Test
  @DisplayName("a body whose declared length is beyond the limit is a 413 at once, before its bytes are sent")
  void declaredOversized() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", pipeline.otlpHttpPort())) {
      String head = "POST /v1/logs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + TOKEN + "\r\nContent-Type: " + PROTOBUF
          + "\r\nContent-Length: " + (BODY_LIMIT * 4L) + "\r\n\r\n";
      socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
      socket.setSoTimeout(20_000);
      byte[] answer = new byte[1024];
      int n = socket.getInputStream().read(answer);
      String text = new String(answer, 0, Math.max(n, 0), StandardCharsets.ISO_8859_1);
      assertThat(text).startsWith("HTTP/1.1 413").contains("body of " + BODY_LIMIT * 4L + " bytes exceeds the limit of " + BODY_LIMIT);
    }
  }

  @Test
  @DisplayName("a gzip bomb is a 413 once its inflated size passes the limit")
  void gzipBomb() throws Exception {
    Buffer bomb = gzip(new byte[64 * BODY_LIMIT]);
    assertThat(bomb.length()).isLessThan(BODY_LIMIT);
    PipelineHarness.Response response = post("/v1/logs", PROTOBUF, bomb,
        Map.of("Authorization", "Bearer " + TOKEN, "Content-Encoding", "gzip"));
    assertThat(response.status()).isEqualTo(413);
    assertThat(response.body().toString()).contains("inflated body exceeds the limit");
  }

  @Test
  @DisplayName("a gzip body is inflated and stored; a broken one is a 400")
  void gzip() throws Exception {
    Map<String, String> headers = Map.of("Authorization", "Bearer " + TOKEN, "Content-Encoding", "gzip");
    assertThat(post("/v1/logs", PROTOBUF, gzip(OtlpRequests.apiRequests("gz", 0, 2).getBytes()), headers).status()).isEqualTo(200);
    assertThat(pipeline.count("select count(*) from events where session_id = 'gz'")).isEqualTo(2);
    PipelineHarness.Response broken = post("/v1/logs", PROTOBUF, Buffer.buffer("not gzip at all"), headers);
    assertThat(broken.status()).isEqualTo(400);
    assertThat(broken.body().toString()).contains("not valid gzip");
  }

  @Test
  @DisplayName("a missing token is a 401 and nothing is stored")
  void missingToken() throws Exception {
    PipelineHarness.Response response = post("/v1/logs", PROTOBUF, OtlpRequests.apiRequests("no-token", 0, 1), Map.of());
    assertThat(response.status()).isEqualTo(401);
    assertThat(response.headers().get("WWW-Authenticate")).startsWith("Bearer");
    assertThat(response.body().toString()).contains("missing Authorization");
    assertThat(pipeline.count("select count(*) from events where session_id = 'no-token'")).isZero();
  }

  @Test
  @DisplayName("a wrong token is a 401 and nothing is stored")
  void wrongToken() throws Exception {
    PipelineHarness.Response response = post("/v1/logs", PROTOBUF, OtlpRequests.apiRequests("bad-token", 0, 1),
        Map.of("Authorization", "Bearer " + TOKEN + "x"));
    assertThat(response.status()).isEqualTo(401);
    assertThat(response.body().toString()).contains("wrong ingest token").doesNotContain(TOKEN);
    assertThat(pipeline.count("select count(*) from events where session_id = 'bad-token'")).isZero();
  }

  @Test
  @DisplayName("the authorization scheme is case-insensitive (RFC 7235): bearer, BEARER and Bearer with more spaces are accepted")
  void schemeCaseInsensitive() throws Exception {
    String[] schemes = {"bearer ", "BEARER ", "Bearer   "};
    for (int i = 0; i < schemes.length; i++) {
      PipelineHarness.Response response = post("/v1/logs", PROTOBUF, OtlpRequests.apiRequests("any-case", i, 1),
          Map.of("Authorization", schemes[i] + TOKEN));
      assertThat(response.status()).as(schemes[i]).isEqualTo(200);
    }
    assertThat(pipeline.count("select count(*) from events where session_id = 'any-case'")).isEqualTo(3);
  }

  @Test
  @DisplayName("another authorization scheme is a 401 naming the one expected")
  void otherScheme() throws Exception {
    PipelineHarness.Response response = post("/v1/logs", PROTOBUF, OtlpRequests.apiRequests("basic", 0, 1),
        Map.of("Authorization", "Basic " + TOKEN));
    assertThat(response.status()).isEqualTo(401);
    assertThat(response.body().toString()).contains("Authorization must be Bearer <ingest token>").doesNotContain(TOKEN);
  }

  @Test
  @DisplayName("JSON that is broken or not an object is a 400 saying so in plain words, without the parser's class names")
  void jsonInPlainWords() throws Exception {
    String notAnObject = post("/v1/logs", JSON, Buffer.buffer("[1, 2]"), AUTH).body().toJsonObject().getString("message");
    assertThat(notAnObject).isEqualTo("cannot decode application/json ExportLogsServiceRequest: the body is JSON but not an object");
    String broken = post("/v1/logs", JSON, Buffer.buffer("{\"resourceLogs\": [ {"), AUTH).body().toJsonObject().getString("message");
    assertThat(broken).isEqualTo("cannot decode application/json ExportLogsServiceRequest: not valid JSON (line 1, column 21)");
  }

  @Test
  @DisplayName("records that cannot be stored are reported as partial success, the others are stored")
  void partialSuccess() throws Exception {
    String json = """
        {"resourceSpans":[{"resource":{"attributes":[{"key":"session.id","value":{"stringValue":"partial"}}]},
          "scopeSpans":[{"spans":[
            {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","name":"good",
             "startTimeUnixNano":"1795411735167000000","endTimeUnixNano":"1795411735267000000"},
            {"traceId":"abcd","spanId":"eee19b7ec3c1b175","name":"bad"}]}]}]}
        """;
    PipelineHarness.Response response = post("/v1/traces", JSON, Buffer.buffer(json), AUTH);
    assertThat(response.status()).isEqualTo(200);
    JsonObject partial = response.body().toJsonObject().getJsonObject("partialSuccess");
    assertThat(partial.getString("rejectedSpans")).isEqualTo("1");
    assertThat(partial.getString("errorMessage")).contains("trace_id must be 16 bytes");
    assertThat(pipeline.count("select count(*) from spans where session_id = 'partial'")).isEqualTo(1);
  }

  @Test
  @DisplayName("requests refused before their body was read do not stall the next request on a one-connection client")
  void refusalsDoNotStallTheConnection(Vertx vertx) throws Exception {
    PipelineHarness single = pipeline.withClient(vertx.createHttpClient(new PoolOptions().setHttp1MaxSize(1)));
    Buffer body = OtlpRequests.apiRequests("after-refusals", 0, 2);
    assertThat(PipelineHarness.await(single.post("/v1/logs", PROTOBUF, OtlpRequests.apiRequests("before-refusals", 0, 2), AUTH)).status())
        .isEqualTo(200);
    assertThat(PipelineHarness.await(single.post("/v1/logs", PROTOBUF, body,
        Map.of("Authorization", "Bearer " + TOKEN, "Content-Encoding", "br"))).status()).isEqualTo(415);
    assertThat(PipelineHarness.await(single.post("/v1/logs", "text/plain", body, AUTH)).status()).isEqualTo(415);
    assertThat(PipelineHarness.await(single.post("/v1/logs", PROTOBUF, body, Map.of())).status()).isEqualTo(401);
    Buffer large = Buffer.buffer(new byte[BODY_LIMIT - 1]);
    assertThat(PipelineHarness.await(single.post("/v1/logs", PROTOBUF, large, Map.of())).status()).isEqualTo(401);
    assertThat(PipelineHarness.await(single.post("/v1/logs", "text/plain", large, AUTH)).status()).isEqualTo(415);
    assertThat(PipelineHarness.await(single.post("/v1/logs", PROTOBUF, Buffer.buffer(new byte[BODY_LIMIT * 2]), AUTH)).status())
        .isEqualTo(413);
    assertThat(PipelineHarness.await(single.post("/v1/logs", PROTOBUF, body, AUTH)).status()).isEqualTo(200);
    assertThat(pipeline.count("select count(*) from events where session_id = 'after-refusals'")).isEqualTo(2);
  }

  private PipelineHarness.Response post(String path, String contentType, Buffer body, Map<String, String> headers) throws Exception {
    return pipeline.postAndWait(path, contentType, body, headers);
  }

  private static Buffer gzip(byte[] bytes) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(bytes);
    }
    return Buffer.buffer(out.toByteArray());
  }
}
