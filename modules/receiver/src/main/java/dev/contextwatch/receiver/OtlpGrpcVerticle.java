package dev.contextwatch.receiver;

import com.google.protobuf.Message;
import dev.contextwatch.core.bus.LocalCodec;
import dev.contextwatch.core.config.ReceiverConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerOptions;
import io.vertx.grpc.server.GrpcServerRequest;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OTLP/gRPC receiver (logs, metrics and traces services, gzip as gRPC compresses). Same decoding,
 * authentication (the {@code authorization} metadata), limits and promise as the HTTP receiver:
 * the response comes only once the batch is committed; otherwise UNAVAILABLE or
 * RESOURCE_EXHAUSTED. Claude Code's gRPC exporter never retries such a failure, which is why
 * http/protobuf is the recommended protocol.
 */
public final class OtlpGrpcVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(OtlpGrpcVerticle.class);

  private final ReceiverConfig config;
  private Ingest ingest;
  private InFlight inFlight;
  private OtlpDecoder decoder;
  private HttpServer server;

  public OtlpGrpcVerticle(ReceiverConfig config) {
    this.config = config;
  }

  @Override
  public Future<?> start() {
    LocalCodec.registerAll(vertx);
    ingest = new Ingest(vertx, config.ingestToken(), config.storeTimeoutMs());
    inFlight = InFlight.of(vertx);
    decoder = new OtlpDecoder(config);
    GrpcServer grpc = GrpcServer.server(vertx, new GrpcServerOptions().setMaxMessageSize(config.maxBodyBytes()));
    for (OtlpSignal signal : OtlpSignal.values()) {
      ServiceMethod<Message, Message> export = ServiceMethod.server(ServiceName.create(signal.grpcService), "Export",
          GrpcMessageEncoder.encoder(), GrpcMessageDecoder.decoder(signal.prototype));
      grpc.callHandler(export, request -> export(signal, request));
    }
    server = vertx.createHttpServer(config.tls().applyTo(new HttpServerOptions().setHost(config.host()).setPort(config.grpcPort())));
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

  private void export(OtlpSignal signal, GrpcServerRequest<Message, Message> request) {
    long start = System.nanoTime();
    try {
      inFlight.enter(request.connection(), config.maxInFlightRequests(), config.maxInFlightPerConnection());
    } catch (OtlpException tooMany) {
      Ingest.timed("grpc", signal, fail(request, tooMany).name(), start);
      return;
    }
    Future.<Void>succeededFuture()
        .map(v -> {
          ingest.authenticate(request.headers().get("authorization"));
          return v;
        })
        .compose(v -> request.last())
        .compose(message -> ingest.store(signal.decode(decoder, message)))
        .onSuccess(batch -> {
          request.response().end(signal.response(batch));
          Ingest.timed("grpc", signal, GrpcStatus.OK.name(), start);
        })
        .onFailure(error -> Ingest.timed("grpc", signal, fail(request, error).name(), start))
        .onComplete(v -> inFlight.leave(request.connection()));
  }

  private static GrpcStatus fail(GrpcServerRequest<Message, Message> request, Throwable error) {
    GrpcStatus status = error instanceof OtlpException refused ? switch (refused.status) {
      case 401 -> GrpcStatus.UNAUTHENTICATED;
      case 413, 429 -> GrpcStatus.RESOURCE_EXHAUSTED;
      case 503 -> GrpcStatus.UNAVAILABLE;
      default -> GrpcStatus.INVALID_ARGUMENT;
    } : GrpcStatus.INVALID_ARGUMENT;
    if (status == GrpcStatus.UNAVAILABLE || status == GrpcStatus.RESOURCE_EXHAUSTED) {
      LOG.warn("event=export_refused protocol=grpc status={} reason=\"{}\"", status, error.getMessage());
    }
    request.response().status(status).statusMessage(String.valueOf(error.getMessage())).end();
    return status;
  }
}
