package dev.contextwatch.app;

import static dev.contextwatch.app.OtlpRequests.PROTOBUF;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.UnixOperatingSystemMXBean;
import dev.contextwatch.testkit.TestDatabase;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.junit5.VertxExtension;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Clients that connect and then stall (headers sent, body never) hold no place among the requests
 * in flight, so exporters that behave keep being served; the stalled ones are answered 408 (gRPC:
 * DEADLINE_EXCEEDED) and let go after the body time-out, and idle connections are closed.
 */
@ExtendWith(VertxExtension.class)
class StalledConnectionsTest {
  private static final int BODY_TIMEOUT_MS = 8000;
  private static final long DEADLINE_MS = 60_000;
  private static final int IN_FLIGHT_LIMIT = 1024;
  private static final int STALLED = 1100;

  @Test
  @DisplayName("1,100 HTTP connections stalled after their headers do not lock exporters out; each gets 408 after the body time-out")
  void stalledHttpBodies(Vertx vertx) throws Exception {
    int stalledCount = stalledWithinFileDescriptors();
    int limit = Math.min(IN_FLIGHT_LIMIT, stalledCount - 50);
    PipelineHarness pipeline = PipelineHarness.start(vertx, TestDatabase.newDatabase(), config -> config.withReceiver(config.receiver()
        .withInFlightLimits(limit, 64).withConnectionLimits(120, BODY_TIMEOUT_MS, config.receiver().maxBufferedBodyBytes())));
    List<Socket> stalled = new ArrayList<>();
    try {
      for (int i = 0; i < stalledCount; i++) {
        stalled.add(stall(pipeline.otlpHttpPort(), 1000, 0));
      }
      for (int i = 0; i < 5; i++) {
        PipelineHarness.Response response = pipeline.postAndWait("/v1/logs", PROTOBUF, OtlpRequests.apiRequests("served", i * 2L, 2), Map.of());
        assertThat(response.status()).as("export %d while %d connections stall", i, stalledCount).isEqualTo(200);
      }
      assertThat(pipeline.count("select count(*) from events where session_id = 'served'")).isEqualTo(10);
      assertThat(stalled).as("still waiting for their bodies").allMatch(StalledConnectionsTest::openAndSilent);
      long deadline = System.currentTimeMillis() + DEADLINE_MS;
      for (Socket socket : stalled) {
        assertThat(readUntilClosed(socket, deadline)).startsWith("HTTP/1.1 408").contains("request body not complete within 8000 ms");
      }
    } finally {
      closeAll(stalled);
      pipeline.stop();
    }
  }

  @Test
  @DisplayName("1,200 gRPC calls stalled before their message do not lock exporters out; each ends DEADLINE_EXCEEDED after the body time-out")
  void stalledGrpcMessages(Vertx vertx) throws Exception {
    PipelineHarness pipeline = PipelineHarness.start(vertx, TestDatabase.newDatabase(), config -> config.withReceiver(config.receiver()
        .withConnectionLimits(120, BODY_TIMEOUT_MS, config.receiver().maxBufferedBodyBytes())));
    HttpClient stalling = GrpcCalls.client(vertx, 20, 60);
    HttpClient exporter = GrpcCalls.client(vertx, 1, 10);
    try {
      List<Future<GrpcCalls.Answer>> stalled = IntStream.range(0, 1200)
          .mapToObj(i -> GrpcCalls.open(stalling, pipeline.otlpGrpcPort(), GrpcCalls.LOGS, Map.of())
              .compose(request -> request.sendHead().compose(v -> GrpcCalls.answer(request))))
          .toList();
      for (int i = 0; i < 5; i++) {
        GrpcCalls.Answer answer = PipelineHarness.await(GrpcCalls.call(exporter, pipeline.otlpGrpcPort(), GrpcCalls.LOGS,
            OtlpRequests.apiRequests("grpc-served", i * 2L, 2), Map.of()));
        assertThat(answer.status()).as("export %d: %s", i, answer.message()).isZero();
      }
      assertThat(pipeline.count("select count(*) from events where session_id = 'grpc-served'")).isEqualTo(10);
      assertThat(stalled).as("still waiting for their messages").noneMatch(Future::isComplete);
      PipelineHarness.await(Future.join(stalled));
      assertThat(stalled).allSatisfy(call -> assertThat(call.result())
          .isEqualTo(new GrpcCalls.Answer(4, "request message not complete within 8000 ms of its headers")));
    } finally {
      stalling.close();
      exporter.close();
      pipeline.stop();
    }
  }

  @Test
  @DisplayName("bodies in memory are bounded in bytes: beyond maxBufferedBodyBytes 429, and a stalled body's bytes return once it times out")
  void bufferedBodyBytes(Vertx vertx) throws Exception {
    refusedWhileStalled(vertx, "bytes", 40_000);
  }

  @Test
  @DisplayName("a body's declared length counts against maxBufferedBodyBytes from its headers on, before its bytes arrive")
  void declaredLengthCounts(Vertx vertx) throws Exception {
    refusedWhileStalled(vertx, "declared", 1_000);
  }

  /**
   * With a 64 KiB budget, a connection that declared a 60,000-byte body and sent {@code sent} of it
   * leaves no room for a 30,000-byte request (429) until its body times out (408); then it is stored.
   */
  private static void refusedWhileStalled(Vertx vertx, String session, int sent) throws Exception {
    int limit = 64 * 1024;
    PipelineHarness pipeline = PipelineHarness.start(vertx, TestDatabase.newDatabase(), config -> config.withReceiver(config.receiver()
        .withLimits(limit, "").withConnectionLimits(120, 3000, limit)));
    Buffer large = largeRequest(session, 30_000);
    Socket stalled = stall(pipeline.otlpHttpPort(), 60_000, sent);
    try {
      PipelineHarness.Response refused = untilAnswered(pipeline, large, 429);
      assertThat(refused.body().toString()).contains("too many request bodies in memory: at most " + limit + " bytes");
      assertThat(refused.headers().get("Retry-After")).isNotBlank();
      assertThat(readUntilClosed(stalled, System.currentTimeMillis() + DEADLINE_MS)).startsWith("HTTP/1.1 408");
      assertThat(pipeline.postAndWait("/v1/logs", PROTOBUF, large, Map.of()).status()).isEqualTo(200);
      assertThat(pipeline.count("select count(*) from events where session_id = '" + session + "'")).isEqualTo(1);
    } finally {
      stalled.close();
      pipeline.stop();
    }
  }

  @Test
  @DisplayName("a stalled HTTP/2 stream is answered 408 and reset; its connection keeps serving other requests")
  void stalledHttp2Stream(Vertx vertx) throws Exception {
    PipelineHarness pipeline = PipelineHarness.start(vertx, TestDatabase.newDatabase(), config -> config.withReceiver(config.receiver()
        .withConnectionLimits(120, 2000, config.receiver().maxBufferedBodyBytes())));
    HttpClient h2 = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
    try {
      RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(pipeline.otlpHttpPort())
          .setURI("/v1/logs").putHeader("Content-Type", PROTOBUF);
      Future<Integer> stalled = h2.request(options).compose(request -> request.sendHead()
          .compose(v -> request.response()).map(r -> r.statusCode()));
      Future<Integer> served = h2.request(options).compose(request -> request.send(OtlpRequests.apiRequests("h2", 0, 1)))
          .map(r -> r.statusCode());
      assertThat(PipelineHarness.await(served)).isEqualTo(200);
      assertThat(PipelineHarness.await(stalled)).isEqualTo(408);
      Future<Integer> after = h2.request(options).compose(request -> request.send(OtlpRequests.apiRequests("h2", 1, 1)))
          .map(r -> r.statusCode());
      assertThat(PipelineHarness.await(after)).isEqualTo(200);
    } finally {
      h2.close();
      pipeline.stop();
    }
  }

  @Test
  @DisplayName("a connection to either receiver that sends nothing is closed after the idle time-out")
  void idleConnections(Vertx vertx) throws Exception {
    PipelineHarness pipeline = PipelineHarness.start(vertx, TestDatabase.newDatabase(), config -> config.withReceiver(config.receiver()
        .withConnectionLimits(2, BODY_TIMEOUT_MS, config.receiver().maxBufferedBodyBytes())));
    try (Socket http = new Socket("127.0.0.1", pipeline.otlpHttpPort()); Socket grpc = new Socket("127.0.0.1", pipeline.otlpGrpcPort())) {
      long deadline = System.currentTimeMillis() + DEADLINE_MS;
      assertThat(readUntilClosed(http, deadline)).isEmpty();
      assertThat(readUntilClosed(grpc, deadline)).doesNotContain("Export");
    } finally {
      pipeline.stop();
    }
  }

  /** Enough stalled connections to pass the in-flight limit, two file descriptors each (both ends are in this JVM). */
  private static int stalledWithinFileDescriptors() {
    UnixOperatingSystemMXBean os = (UnixOperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long spare = os.getMaxFileDescriptorCount() - os.getOpenFileDescriptorCount() - 1000;
    int count = (int) Math.min(STALLED, spare / 2);
    Assumptions.assumeTrue(count >= 200, "too few file descriptors for the stalled connections: ulimit -n is " + os.getMaxFileDescriptorCount());
    return count;
  }

  /** A connection that sends an OTLP request's headers announcing {@code length} body bytes, then only {@code sent} of them. */
  private static Socket stall(int port, int length, int sent) throws IOException {
    Socket socket = new Socket("127.0.0.1", port);
    String head = "POST /v1/logs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + PROTOBUF + "\r\nContent-Length: " + length + "\r\n\r\n";
    socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().write(new byte[sent]);
    socket.getOutputStream().flush();
    return socket;
  }

  private static boolean openAndSilent(Socket socket) {
    try {
      socket.setSoTimeout(1);
      socket.getInputStream().read();
      return false;
    } catch (SocketTimeoutException stillOpen) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** What the server sends until it closes the connection, which it must do before the deadline. */
  private static String readUntilClosed(Socket socket, long deadline) throws IOException {
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    InputStream in = socket.getInputStream();
    byte[] chunk = new byte[4096];
    while (true) {
      socket.setSoTimeout((int) Math.max(1, deadline - System.currentTimeMillis()));
      int n = in.read(chunk);
      if (n < 0) {
        return received.toString(StandardCharsets.ISO_8859_1);
      }
      received.write(chunk, 0, n);
    }
  }

  private static PipelineHarness.Response untilAnswered(PipelineHarness pipeline, Buffer body, int status) {
    return Awaitility.await("an answer " + status).atMost(Duration.ofMillis(DEADLINE_MS)).pollInterval(Duration.ofMillis(20))
        .until(() -> pipeline.postAndWait("/v1/logs", PROTOBUF, body, Map.of()), response -> response.status() == status);
  }

  /** One event whose attribute makes the request about {@code bytes} long. */
  private static Buffer largeRequest(String session, int bytes) {
    LogRecord record = LogRecord.newBuilder().setTimeUnixNano(1_795_411_735_000_000_000L)
        .addAttributes(KeyValue.newBuilder().setKey("session.id").setValue(AnyValue.newBuilder().setStringValue(session)))
        .addAttributes(KeyValue.newBuilder().setKey("padding").setValue(AnyValue.newBuilder().setStringValue("p".repeat(bytes))))
        .build();
    return Buffer.buffer(ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
        .addScopeLogs(ScopeLogs.newBuilder().addLogRecords(record))).build().toByteArray());
  }

  private static void closeAll(List<Socket> sockets) {
    for (Socket socket : sockets) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // closing is best effort; the server side is what the test checks
      }
    }
  }
}
