package dev.contextwatch.receiver;

import com.google.protobuf.Message;
import dev.contextwatch.core.bus.LocalCodec;
import dev.contextwatch.core.config.ReceiverConfig;
import dev.contextwatch.core.model.RecordBatch;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.InvalidMessageException;
import io.vertx.grpc.common.MessageSizeOverflowException;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerOptions;
import io.vertx.grpc.server.GrpcServerRequest;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OTLP/gRPC receiver (logs, metrics and traces services, gzip as gRPC compresses). Same decoding,
 * authentication (the {@code authorization} metadata), limits and promise as the HTTP receiver:
 * the response comes only once the batch is committed; otherwise UNAVAILABLE or
 * RESOURCE_EXHAUSTED. The OpenTelemetry SDK's gRPC exporter, as clients use it, does not retry such
 * a failure, which is why http/protobuf is the recommended protocol.
 *
 * <p>As over HTTP, a call takes its place among the requests in flight only once its message is
 * complete; a message not complete {@code bodyTimeoutMs} after the call's headers is answered
 * DEADLINE_EXCEEDED and its stream reset. A connection idle for {@code idleTimeoutSeconds} is closed.
 */
public final class OtlpGrpcVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(OtlpGrpcVerticle.class);

  private final ReceiverConfig config;
  private Ingest ingest;
  private InFlight inFlight;
  private HttpServer server;

  public OtlpGrpcVerticle(ReceiverConfig config) {
    this.config = config;
  }

  @Override
  public Future<?> start() {
    LocalCodec.registerAll(vertx);
    ingest = new Ingest(vertx, config);
    inFlight = InFlight.of(vertx);
    GrpcServer grpc = GrpcServer.server(vertx, new GrpcServerOptions().setMaxMessageSize(config.maxBodyBytes()));
    for (OtlpSignal signal : OtlpSignal.values()) {
      // the message is parsed by the signal, as over HTTP, so that a bad one gets the same plain answer
      ServiceMethod<Buffer, Message> export = ServiceMethod.server(ServiceName.create(signal.grpcService), "Export",
          GrpcMessageEncoder.encoder(), GrpcMessageDecoder.IDENTITY);
      grpc.callHandler(export, request -> export(signal, request));
    }
    server = vertx.createHttpServer(config.tls().applyTo(new HttpServerOptions().setHost(config.host()).setPort(config.grpcPort())
        .setIdleTimeout(config.idleTimeoutSeconds()).setIdleTimeoutUnit(TimeUnit.SECONDS)));
    return server.requestHandler(grpc).listen();
  }

  @Override
  public Future<?> stop() {
    return server.shutdown(config.storeTimeoutMs() + 1000L, TimeUnit.MILLISECONDS);
  }

  /** The bound port, useful when configured as 0. */
  public int port() {
    return server.actualPort();
  }

  private void export(OtlpSignal signal, GrpcServerRequest<Buffer, Message> request) {
    long start = System.nanoTime();
    Future.<Void>succeededFuture()
        .map(v -> {
          ingest.authenticate(request.headers().get("authorization"));
          return v;
        })
        .compose(v -> message(request))
        .compose(message -> store(signal, request.connection(), message))
        .onSuccess(batch -> {
          request.response().end(signal.response(batch));
          Ingest.timed("grpc", signal, GrpcStatus.OK.name(), start);
        })
        .onFailure(error -> Ingest.timed("grpc", signal, fail(request, error).name(), start));
  }

  /** The call's one message, once complete, within the body time-out. */
  private Future<Buffer> message(GrpcServerRequest<Buffer, Message> request) {
    return request.last().timeout(config.bodyTimeoutMs(), TimeUnit.MILLISECONDS).recover(error -> Future.failedFuture(
        error instanceof TimeoutException
            ? new OtlpException(408, "request message not complete within " + config.bodyTimeoutMs() + " ms of its headers")
            : error instanceof MessageSizeOverflowException
                ? new OtlpException(413, "message exceeds the limit of " + config.maxBodyBytes() + " bytes")
                : error instanceof InvalidMessageException
                    ? new OtlpException(400, "not a valid gRPC message")
                    : new OtlpException(400, "the call ended before its message was complete")));
  }

  /** Decodes and stores a complete message while it holds its place and its bytes among the requests in flight. */
  private Future<RecordBatch> store(OtlpSignal signal, HttpConnection connection, Buffer message) {
    inFlight.reserve(message.length(), config.maxBufferedBodyBytes());
    try {
      inFlight.enter(connection, config.maxInFlightRequests(), config.maxInFlightPerConnection());
    } catch (OtlpException refused) {
      inFlight.release(message.length());
      throw refused;
    }
    return Future.succeededFuture(message)
        .compose(body -> ingest.store(signal, body, OtlpEncoding.PROTOBUF))
        .onComplete(v -> {
          inFlight.leave(connection);
          inFlight.release(message.length());
        });
  }

  /** Answers with the gRPC status of the failure, in the user's terms (as over HTTP: {@link Refusal}). */
  private static GrpcStatus fail(GrpcServerRequest<Buffer, Message> request, Throwable error) {
    Refusal refusal = Refusal.of(error, 0);
    GrpcStatus status = GrpcStatus.valueOf(RpcStatus.forHttpStatus(refusal.status(), refusal.message()).code());
    if (refusal.internal()) {
      LOG.error("event=receiver_error protocol=grpc", error);
    } else if (status == GrpcStatus.UNAVAILABLE || status == GrpcStatus.RESOURCE_EXHAUSTED) {
      LOG.warn("event=export_refused protocol=grpc status={} reason=\"{}\"", status, refusal.message());
    }
    request.response().status(status).statusMessage(refusal.message()).end();
    if (refusal.status() == 408) {
      // the client still has the stream open for a message it never sent: free it
      request.response().cancel();
    }
    return status;
  }
}
