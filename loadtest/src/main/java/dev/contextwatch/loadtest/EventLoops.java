package dev.contextwatch.loadtest;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;

/**
 * An event-loop context of its own. Vert.x hands every context created from one outside thread
 * the same event loop; a deployment takes the next one, so the sender and the subscribers do not
 * share a thread.
 */
final class EventLoops {
  private EventLoops() {}

  static Context next(Vertx vertx) throws Exception {
    Promise<Context> deployed = Promise.promise();
    vertx.deployVerticle(new VerticleBase() {
      @Override
      public Future<?> start() {
        deployed.complete(context);
        return Future.succeededFuture();
      }
    });
    return EmbeddedTarget.await(deployed.future(), 30);
  }
}
