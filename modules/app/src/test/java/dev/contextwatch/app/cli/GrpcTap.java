package dev.contextwatch.app.cli;

import dev.contextwatch.app.GrpcCalls;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;

/**
 * The OTLP/gRPC counterpart of {@link OtlpTap}: an HTTP/2 cleartext endpoint on loopback that takes
 * each unary Export call of the CLI, keeps its request message (unframed, decompressed: the very
 * bytes an http/protobuf body carries), forwards it to the receiver's gRPC port and answers the CLI
 * with the receiver's gRPC status. Each call is kept as an {@link OtlpTap.Exchange} of the OTLP/HTTP
 * path of its service, content type {@code application/grpc}, status 200 when the receiver answered
 * OK (else 500 with the gRPC status and message as the response body).
 */
final class GrpcTap implements AutoCloseable {
  static final String CONTENT_TYPE = "application/grpc";

  private final Vertx vertx;
  private final int targetPort;
  private final HttpClient client;
  private final HttpServer server;
  private final List<OtlpTap.Exchange> exchanges = new CopyOnWriteArrayList<>();
  private final AtomicInteger inFlight = new AtomicInteger();

  GrpcTap(int targetPort) throws Exception {
    this.vertx = Vertx.vertx();
    this.targetPort = targetPort;
    this.client = GrpcCalls.client(vertx, 1, 100);
    this.server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
        .requestHandler(this::export)
        .listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  int port() {
    return server.actualPort();
  }

  /** Calls taken and not yet answered. */
  int inFlight() {
    return inFlight.get();
  }

  /** Every call answered so far, in the order they arrived. */
  List<OtlpTap.Exchange> exchanges() {
    return List.copyOf(exchanges);
  }

  private void export(HttpServerRequest request) {
    long arrived = System.nanoTime();
    inFlight.incrementAndGet();
    String method = request.path();
    String encoding = request.getHeader("grpc-encoding");
    request.body()
        .map(frame -> message(frame, encoding))
        .compose(message -> GrpcCalls.call(client, targetPort, method, Buffer.buffer(message), Map.of())
            .onSuccess(answer -> exchanges.add(new OtlpTap.Exchange("POST", GrpcCalls.HTTP_PATHS.getOrDefault(method, method),
                Map.of("content-type", CONTENT_TYPE), false, 1, message, answer.status() == 0 ? 200 : 500,
                answer.status() == 0 ? "" : answer.status() + " " + answer.message(), arrived))))
        .onSuccess(answer -> request.response().putHeader("content-type", CONTENT_TYPE)
            .putTrailer("grpc-status", String.valueOf(answer.status()))
            .putTrailer("grpc-message", answer.message())
            .end(Buffer.buffer().appendByte((byte) 0).appendInt(0)))
        .onFailure(failure -> request.response().putHeader("content-type", CONTENT_TYPE)
            .putHeader("grpc-status", "14").putHeader("grpc-message", "tap: " + failure.getMessage()).end())
        .onComplete(done -> inFlight.decrementAndGet());
  }

  /** The message of a unary call's single length-prefixed frame, inflated if flagged compressed. */
  private static byte[] message(Buffer frame, String encoding) {
    boolean compressed = frame.getByte(0) == 1;
    byte[] bytes = frame.getBytes(5, 5 + frame.getInt(1));
    if (!compressed) {
      return bytes;
    }
    if (encoding == null || !encoding.toLowerCase(Locale.ROOT).equals("gzip")) {
      throw new IllegalStateException("compressed gRPC message with grpc-encoding " + encoding);
    }
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() throws Exception {
    Future<Void> closed = server.close().compose(v -> client.close()).eventually(vertx::close);
    closed.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
