package dev.contextwatch.app;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemTrustOptions;
import java.util.Map;

/**
 * OTLP/gRPC over TLS as an exporter sends it: one unary call per export, the request message
 * (the very bytes an OTLP/HTTP protobuf body carries) in one length-prefixed gRPC frame, the token
 * in the {@code authorization} metadata. Answers the call's {@code grpc-status}.
 */
final class OtlpGrpcClient {
  private static final Map<String, String> SERVICES = Map.of(
      "/v1/logs", "/opentelemetry.proto.collector.logs.v1.LogsService/Export",
      "/v1/metrics", "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export",
      "/v1/traces", "/opentelemetry.proto.collector.trace.v1.TraceService/Export");

  private final HttpClient client;
  private final int port;

  OtlpGrpcClient(Vertx vertx, int port, String trustedCertFile) {
    this.client = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setSsl(true).setUseAlpn(true).setTrustOptions(new PemTrustOptions().addCertPath(trustedCertFile)));
    this.port = port;
  }

  /** Exports {@code message} to the service of OTLP/HTTP path {@code otlpPath}; {@code token} may be null. */
  Future<Integer> export(String otlpPath, Buffer message, String token) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost("localhost").setPort(port)
        .setURI(SERVICES.get(otlpPath))
        .putHeader("content-type", "application/grpc")
        .putHeader("te", "trailers");
    if (token != null) {
      options.putHeader("authorization", "Bearer " + token);
    }
    Buffer frame = Buffer.buffer().appendByte((byte) 0).appendInt(message.length()).appendBuffer(message);
    return client.request(options)
        .compose(request -> request.send(frame))
        .compose(response -> response.body().map(body -> grpcStatus(response)));
  }

  /** In the trailers, or in the headers of a trailers-only answer (how errors usually come). */
  private static int grpcStatus(HttpClientResponse response) {
    String status = response.getTrailer("grpc-status");
    if (status == null) {
      status = response.getHeader("grpc-status");
    }
    return status == null ? -1 : Integer.parseInt(status);
  }

  Future<Void> close() {
    return client.close();
  }
}
