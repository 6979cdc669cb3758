package dev.contextwatch.receiver;

import dev.contextwatch.core.bus.Addresses;
import dev.contextwatch.core.config.ReceiverConfig;
import dev.contextwatch.core.model.EventRecord;
import dev.contextwatch.core.model.HookAnswer;
import dev.contextwatch.core.model.HookDelivery;
import dev.contextwatch.core.model.RecordBatch;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;

/**
 * {@code POST /v1/hooks} and {@code /v1/statusline}: one client JSON delivery each, stored as one
 * event through the same ingest path as OTLP, answered 200 with a JSON object once committed. A
 * hook delivery's answer is {@code {}}, or with {@code contextReloading} what the checkpoint module
 * hands back for it ({@link Addresses#HOOK_ANSWER}), asked for at most {@value #ANSWER_TIMEOUT_MS} ms:
 * the client waits for it.
 */
final class ClientJsonRoutes {
  static final long ANSWER_TIMEOUT_MS = 1500;

  private final Vertx vertx;
  private final ReceiverConfig config;
  private final Ingest ingest;
  private final ClientJsonDecoder decoder;

  ClientJsonRoutes(Vertx vertx, ReceiverConfig config, Ingest ingest) {
    this.vertx = vertx;
    this.config = config;
    this.ingest = ingest;
    this.decoder = new ClientJsonDecoder(config);
  }

  /** Refuses any body that is not declared JSON (415), before it is read. */
  static void requireJson(RoutingContext ctx, OtlpEncoding encoding) {
    if (encoding != OtlpEncoding.JSON) {
      throw new OtlpException(415, "unsupported Content-Type '" + ctx.request().getHeader(HttpHeaders.CONTENT_TYPE)
          + "'; use application/json");
    }
  }

  void deliver(RoutingContext ctx, ClientChannel channel, Buffer body) {
    RecordBatch batch = decoder.decode(channel, body, Instant.now());
    ingest.store(batch)
        .compose(stored -> stored.rejected() > 0
            ? Future.failedFuture(new OtlpException(400, "not stored: " + stored.rejectionMessage()))
            : answer(channel, batch.events().get(0)))
        .onSuccess(answer -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, OtlpEncoding.JSON.mediaType)
            .end(answer.output().encode()))
        .onFailure(ctx::fail);
  }

  /** The stored delivery's answer; {@code {}} when there is none to ask for, or none in time. */
  private Future<HookAnswer> answer(ClientChannel channel, EventRecord event) {
    if (channel != ClientChannel.HOOKS || !config.contextReloading()) {
      return Future.succeededFuture(HookAnswer.NONE);
    }
    HookDelivery delivery = new HookDelivery(event.sessionId(), event.eventName(), event.attributes());
    return vertx.eventBus().<HookAnswer>request(Addresses.HOOK_ANSWER, delivery, new DeliveryOptions().setSendTimeout(ANSWER_TIMEOUT_MS))
        .map(reply -> reply.body() == null ? HookAnswer.NONE : reply.body())
        .otherwise(HookAnswer.NONE);
  }
}
