package dev.contextwatch.app;

import dev.contextwatch.api.ApiVerticle;
import dev.contextwatch.checkpoint.CheckpointVerticle;
import dev.contextwatch.core.bus.LocalCodec;
import dev.contextwatch.core.config.ContextwatchConfig;
import dev.contextwatch.core.config.ReceiverConfig;
import dev.contextwatch.persistence.PersistenceVerticle;
import dev.contextwatch.persistence.RetentionVerticle;
import dev.contextwatch.processor.ProcessorVerticle;
import dev.contextwatch.push.PushVerticle;
import dev.contextwatch.receiver.OtlpGrpcVerticle;
import dev.contextwatch.receiver.OtlpHttpVerticle;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The deployed verticles, started in dependency order (persistence, which applies the migrations,
 * then the processor, the checkpoint bridge, the live feed, the query API that hands it its
 * WebSockets, and last the receiver that feeds the processor) and stopped in reverse: first no new
 * requests, then the write queue drained, then the pools closed.
 */
public final class Pipeline {
  private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);
  private final Vertx vertx;
  private final Deque<String> deployed = new ArrayDeque<>();
  private final List<OtlpHttpVerticle> receivers = new CopyOnWriteArrayList<>();
  private final List<OtlpGrpcVerticle> grpcReceivers = new CopyOnWriteArrayList<>();
  private ApiVerticle api;

  private Pipeline(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Deploys every verticle; {@code config.database().url()} must name a reachable server. */
  public static Future<Pipeline> start(Vertx vertx, ContextwatchConfig config) {
    LocalCodec.registerAll(vertx);
    Pipeline pipeline = new Pipeline(vertx);
    // instances share a configured port; with port 0 each would bind a random port of its own
    int httpInstances = config.receiver().port() == 0 ? 1 : config.receiver().instances();
    int grpcInstances = config.receiver().grpcPort() == 0 ? 1 : config.receiver().instances();
    return pipeline.deploy(() -> new PersistenceVerticle(config.database(), config.writer()), 1)
        .compose(v -> pipeline.deploy(() -> new RetentionVerticle(config.retention(), config.database()), 1))
        .compose(v -> pipeline.deploy(() -> new ProcessorVerticle(config.sessions(), config.database()), 1))
        .compose(v -> pipeline.deploy(() -> new CheckpointVerticle(config.checkpoints(), config.sessions(), config.database()), 1))
        .compose(v -> pipeline.deploy(() -> new PushVerticle(config.stream(), config.sessions(), config.database()), 1))
        .compose(v -> pipeline.deploy(() -> pipeline.api = new ApiVerticle(config.api(), config.database(), config.sessions(), config.stream()), 1))
        .compose(v -> pipeline.deploy(() -> add(pipeline.grpcReceivers, new OtlpGrpcVerticle(config.receiver())), grpcInstances))
        .onSuccess(v -> logReceiver("grpc", config.receiver(), pipeline.otlpGrpcPort(), grpcInstances))
        .compose(v -> pipeline.deploy(() -> add(pipeline.receivers, new OtlpHttpVerticle(config.receiver())), httpInstances))
        .onSuccess(v -> logReceiver("http", config.receiver(), pipeline.otlpHttpPort(), httpInstances))
        .map(pipeline);
  }

  /** One line per protocol, however many instances share its port. */
  private static void logReceiver(String protocol, ReceiverConfig config, int port, int instances) {
    LOG.info("event=receiver_started protocol={} host={} port={} instances={} auth={} tls={}", protocol, config.host(), port,
        instances, config.authRequired(), config.tls().enabled());
  }

  private Future<Void> deploy(Supplier<Deployable> verticle, int instances) {
    return vertx.deployVerticle(verticle, new DeploymentOptions().setInstances(instances)).map(id -> {
      deployed.push(id);
      return null;
    });
  }

  /** Keeps a receiver instance, to read the port it bound. */
  private static <V> V add(List<V> instances, V receiver) {
    instances.add(receiver);
    return receiver;
  }

  /** Undeploys in reverse order of deployment: the receiver first, persistence last. */
  public Future<Void> stop() {
    Future<Void> chain = Future.succeededFuture();
    while (!deployed.isEmpty()) {
      String id = deployed.pop();
      chain = chain.compose(v -> vertx.undeploy(id));
    }
    return chain;
  }

  /** The port of the query API. */
  public int apiPort() {
    return api.port();
  }

  /** The port the OTLP/gRPC receiver listens on (the configured one, or the one picked for 0). */
  public int otlpGrpcPort() {
    return grpcReceivers.get(0).port();
  }

  /** The port the OTLP/HTTP receiver listens on (the configured one, or the one picked for 0). */
  public int otlpHttpPort() {
    return receivers.get(0).port();
  }
}
