package dev.contextwatch.receiver;

import dev.contextwatch.core.bus.LocalCodec;
import dev.contextwatch.core.config.ReceiverConfig;
import dev.contextwatch.core.model.RecordBatch;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OTLP/HTTP receiver (logs, metrics, traces; protobuf or JSON; gzip; chunked). A request is
 * answered 200 only after the persistence verticle confirmed that the transaction holding all of
 * its records committed; otherwise 429 or 503 with Retry-After, so the exporter sends it again.
 *
 * <p>Content type, encoding and token are checked before the body is read; the body is read under
 * its own bounds ({@link BodyReader}); only a complete body takes a place among the requests in
 * flight. A connection idle for {@code idleTimeoutSeconds} is closed.
 */
public final class OtlpHttpVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(OtlpHttpVerticle.class);
  private static final String ENCODING_KEY = "otlp.encoding";

  private final ReceiverConfig config;
  private Ingest ingest;
  private ClientJsonRoutes clientJson;
  private InFlight inFlight;
  private BodyReader bodies;
  private HttpServer server;

  public OtlpHttpVerticle(ReceiverConfig config) {
    this.config = config;
  }

  @Override
  public Future<?> start() {
    LocalCodec.registerAll(vertx);
    ingest = new Ingest(vertx, config);
    clientJson = new ClientJsonRoutes(vertx, config, ingest);
    inFlight = InFlight.of(vertx);
    bodies = new BodyReader(vertx, config, inFlight);
    server = vertx.createHttpServer(config.tls().applyTo(new HttpServerOptions()
        .setHost(config.host())
        .setPort(config.port())
        .setIdleTimeout(config.idleTimeoutSeconds())
        .setIdleTimeoutUnit(TimeUnit.SECONDS)
        .setCompressionSupported(false)
        .setDecompressionSupported(false)));
    return server.requestHandler(router()).listen();
  }

  @Override
  public Future<?> stop() {
    // stop accepting; requests in flight still get their answer
    return server.shutdown(config.storeTimeoutMs() + 1000L, TimeUnit.MILLISECONDS);
  }

  /** The bound port, useful when configured as 0. */
  public int port() {
    return server.actualPort();
  }

  private Router router() {
    Router router = Router.router(vertx);
    for (OtlpSignal signal : OtlpSignal.values()) {
      router.post(signal.path)
          .handler(ctx -> timed(ctx, signal))
          .handler(this::negotiateEncoding)
          .handler(this::authenticate)
          .handler(bodies::read)
          .handler(this::admit)
          .handler(ctx -> export(ctx, signal))
          .failureHandler(this::fail);
      router.route(signal.path).handler(ctx -> ctx.fail(new OtlpException(405,
          "method " + ctx.request().method() + " not allowed on " + signal.path + "; use POST")));
    }
    for (ClientChannel channel : ClientChannel.values()) {
      router.post(channel.path)
          .handler(this::negotiateEncoding)
          .handler(this::requireJson)
          .handler(this::authenticate)
          .handler(bodies::read)
          .handler(this::admit)
          .handler(ctx -> clientJson.deliver(ctx, channel, body(ctx)))
          .failureHandler(this::fail);
      router.route(channel.path).handler(ctx -> ctx.fail(new OtlpException(405,
          "method " + ctx.request().method() + " not allowed on " + channel.path + "; use POST")));
    }
    router.route().handler(ctx -> ctx.fail(new OtlpException(404, "no endpoint at " + ctx.request().path()
        + "; use /v1/logs, /v1/metrics, /v1/traces, /v1/hooks or /v1/statusline")));
    router.route().failureHandler(this::fail);
    return router;
  }

  /** Times the request from its headers to its answer. */
  private void timed(RoutingContext ctx, OtlpSignal signal) {
    long start = System.nanoTime();
    ctx.addEndHandler(v -> Ingest.timed("http", signal, Integer.toString(ctx.response().getStatusCode()), start));
    ctx.next();
  }

  /** Gives a request with its whole body a place among the requests in flight, held until it is answered. */
  private void admit(RoutingContext ctx) {
    HttpConnection connection = ctx.request().connection();
    inFlight.enter(connection, config.maxInFlightRequests(), config.maxInFlightPerConnection());
    ctx.addEndHandler(v -> inFlight.leave(connection));
    ctx.next();
  }

  private void negotiateEncoding(RoutingContext ctx) {
    String contentType = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
    OtlpEncoding encoding = OtlpEncoding.of(contentType);
    if (encoding == null) {
      throw new OtlpException(415, "unsupported Content-Type '" + contentType
          + "'; use application/x-protobuf or application/json");
    }
    ctx.put(ENCODING_KEY, encoding);
    String contentEncoding = ctx.request().getHeader(HttpHeaders.CONTENT_ENCODING);
    if (contentEncoding != null && !contentEncoding.equalsIgnoreCase("gzip") && !contentEncoding.equalsIgnoreCase("identity")) {
      throw new OtlpException(415, "unsupported Content-Encoding '" + contentEncoding + "'; use gzip or none");
    }
    ctx.next();
  }

  private void requireJson(RoutingContext ctx) {
    ClientJsonRoutes.requireJson(ctx, ctx.get(ENCODING_KEY));
    ctx.next();
  }

  private void authenticate(RoutingContext ctx) {
    ingest.authenticate(ctx.request().getHeader(HttpHeaders.AUTHORIZATION));
    ctx.next();
  }

  private void export(RoutingContext ctx, OtlpSignal signal) {
    OtlpEncoding encoding = ctx.get(ENCODING_KEY);
    ingest.store(signal, body(ctx), encoding)
        .onSuccess(batch -> respond(ctx, signal, encoding, batch))
        .onFailure(ctx::fail);
  }

  /** The request's body, inflated when gzip. */
  private Buffer body(RoutingContext ctx) {
    Buffer body = BodyReader.body(ctx);
    if ("gzip".equalsIgnoreCase(ctx.request().getHeader(HttpHeaders.CONTENT_ENCODING))) {
      body = Bodies.gunzip(body, config.maxBodyBytes());
    }
    return body;
  }

  private void respond(RoutingContext ctx, OtlpSignal signal, OtlpEncoding encoding, RecordBatch batch) {
    HttpServerResponse response = ctx.response();
    if (!response.closed()) {
      response.putHeader(HttpHeaders.CONTENT_TYPE, encoding.mediaType).end(encoding.encode(signal.response(batch)));
    }
  }

  /**
   * The one place that formats errors: google.rpc.Status in the request's encoding (JSON when
   * unknown), with a message in the user's terms ({@link Refusal}).
   */
  private void fail(RoutingContext ctx) {
    Refusal refusal = Refusal.of(ctx.failure(), ctx.statusCode());
    if (refusal.internal()) {
      LOG.error("event=receiver_error path={}", ctx.request().path(), ctx.failure());
    } else if (refusal.status() >= 500 || refusal.status() == 429) {
      LOG.warn("event=export_refused status={} path={} reason=\"{}\"", refusal.status(), ctx.request().path(), refusal.message());
    }
    HttpServerResponse response = ctx.response();
    if (response.closed() || response.ended()) {
      return;
    }
    OtlpEncoding encoding = ctx.get(ENCODING_KEY) instanceof OtlpEncoding e ? e : OtlpEncoding.of(ctx.request().getHeader(HttpHeaders.CONTENT_TYPE));
    if (encoding == null) {
      encoding = OtlpEncoding.JSON;
    }
    response.setStatusCode(refusal.status()).putHeader(HttpHeaders.CONTENT_TYPE, encoding.mediaType);
    switch (refusal.status()) {
      case 401 -> response.putHeader("WWW-Authenticate", "Bearer realm=\"contextwatch\"");
      case 405 -> response.putHeader(HttpHeaders.ALLOW, "POST");
      case 429, 503 -> response.putHeader(HttpHeaders.RETRY_AFTER, Integer.toString(config.retryAfterSeconds()));
      default -> { }
    }
    response.end(encoding.encode(RpcStatus.forHttpStatus(refusal.status(), refusal.message())));
  }
}
