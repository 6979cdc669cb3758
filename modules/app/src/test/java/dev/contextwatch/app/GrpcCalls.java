package dev.contextwatch.app;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * OTLP/gRPC calls made by hand over HTTP/2 (a length-prefixed message, the status in the
 * trailers), for tests that need what an SDK hides: the status message, or a call whose message
 * never comes.
 */
public final class GrpcCalls {
  static final String LOGS = "/opentelemetry.proto.collector.logs.v1.LogsService/Export";
  static final String METRICS = "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export";
  static final String TRACES = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
  /** The OTLP/HTTP path of each OTLP/gRPC method: the same request message goes to either. */
  public static final Map<String, String> HTTP_PATHS = Map.of(LOGS, "/v1/logs", METRICS, "/v1/metrics", TRACES, "/v1/traces");

  /** A finished call: its gRPC status code and message. */
  public record Answer(int status, String message) {}

  private GrpcCalls() {}

  /** A client over HTTP/2 without TLS, as gRPC exporters connect: {@code connections} at most, {@code streams} calls on each. */
  public static HttpClient client(Vertx vertx, int connections, int streams) {
    return vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false)
        .setHttp2MultiplexingLimit(streams), new PoolOptions().setHttp2MaxSize(connections));
  }

  public static Future<Answer> call(HttpClient client, int port, String method, Buffer message, Map<String, String> metadata) {
    return open(client, port, method, metadata).compose(request -> {
      Future<Answer> answer = answer(request);
      request.end(frame(message));
      return answer;
    });
  }

  /** A call whose headers are sent and whose message never is. */
  static Future<HttpClientRequest> open(HttpClient client, int port, String method, Map<String, String> metadata) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port).setURI(method)
        .putHeader("content-type", "application/grpc").putHeader("te", "trailers");
    metadata.forEach(options::putHeader);
    return client.request(options);
  }

  /** How a call ends: its status from the trailers (or from the headers of a trailers-only answer). */
  static Future<Answer> answer(HttpClientRequest request) {
    return request.response().compose(response -> response.body().map(body -> status(response)));
  }

  private static Answer status(HttpClientResponse response) {
    MultiMap source = response.trailers().contains("grpc-status") ? response.trailers() : response.headers();
    String message = source.get("grpc-message");
    return new Answer(Integer.parseInt(source.get("grpc-status")),
        message == null ? "" : URLDecoder.decode(message.replace("+", "%2B"), StandardCharsets.UTF_8));
  }

  private static Buffer frame(Buffer message) {
    return Buffer.buffer().appendByte((byte) 0).appendInt(message.length()).appendBuffer(message);
  }
}
