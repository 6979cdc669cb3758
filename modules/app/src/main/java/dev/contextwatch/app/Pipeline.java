package dev.contextwatch.app;

import dev.contextwatch.api.ApiVerticle;
import dev.contextwatch.core.bus.LocalCodec;
import dev.contextwatch.core.config.ContextwatchConfig;
import dev.contextwatch.persistence.PersistenceVerticle;
import dev.contextwatch.processor.ProcessorVerticle;
import dev.contextwatch.receiver.OtlpHttpVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The deployed verticles, started in dependency order (persistence, which applies the migrations,
 * then the processor, the query API, and last the receiver that feeds the processor) and stopped in reverse: first no new
 * requests, then the write queue drained, then the pools closed.
 */
public final class Pipeline {
  private final Vertx vertx;
  private final List<OtlpHttpVerticle> receivers = new CopyOnWriteArrayList<>();
  private String persistenceId;
  private String processorId;
  private String apiId;
  private ApiVerticle api;
  private String receiverId;

  private Pipeline(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Deploys every verticle; {@code config.database().url()} must name a reachable server. */
  public static Future<Pipeline> start(Vertx vertx, ContextwatchConfig config) {
    LocalCodec.registerAll(vertx);
    Pipeline pipeline = new Pipeline(vertx);
    return vertx.deployVerticle(new PersistenceVerticle(config.database(), config.writer()))
        .compose(id -> {
          pipeline.persistenceId = id;
          return vertx.deployVerticle(new ProcessorVerticle(config.sessions(), config.database()));
        })
        .compose(id -> {
          pipeline.processorId = id;
          pipeline.api = new ApiVerticle(config.api(), config.database(), config.sessions());
          return vertx.deployVerticle(pipeline.api);
        })
        .compose(id -> {
          pipeline.apiId = id;
          // instances share a configured port; with port 0 each would bind a random port of its own
          int instances = config.receiver().port() == 0 ? 1 : config.receiver().instances();
          return vertx.deployVerticle(() -> pipeline.newReceiver(config), new DeploymentOptions().setInstances(instances));
        })
        .map(id -> {
          pipeline.receiverId = id;
          return pipeline;
        });
  }

  private OtlpHttpVerticle newReceiver(ContextwatchConfig config) {
    OtlpHttpVerticle receiver = new OtlpHttpVerticle(config.receiver());
    receivers.add(receiver);
    return receiver;
  }

  public Future<Void> stop() {
    return vertx.undeploy(receiverId)
        .compose(v -> vertx.undeploy(apiId))
        .compose(v -> vertx.undeploy(processorId))
        .compose(v -> vertx.undeploy(persistenceId));
  }

  /** The port of the query API. */
  public int apiPort() {
    return api.port();
  }

  /** The port the OTLP/HTTP receiver listens on (the configured one, or the one picked for 0). */
  public int otlpHttpPort() {
    return receivers.get(0).port();
  }
}
