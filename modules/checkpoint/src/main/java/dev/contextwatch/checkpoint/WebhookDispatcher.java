package dev.contextwatch.checkpoint;

import dev.contextwatch.core.config.CheckpointConfig;
import dev.contextwatch.core.config.WebhookEndpoint;
import dev.contextwatch.core.metrics.Meters;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers one endpoint's outbox: at most {@code maxInFlight} POSTs at once over the endpoint's own
 * client, so a slow or dead endpoint holds only its own slots and never delays the others or
 * ingestion. A 2xx delivers; anything else (redirects are not followed) is retried with
 * exponential backoff and jitter until {@code maxAttempts}, then the delivery is dead. Every
 * attempt carries the same delivery id and ends within {@code timeoutMs} ({@link WebhookAttempt}).
 */
final class WebhookDispatcher {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookDispatcher.class);

  private final WebhookEndpoint endpoint;
  private final CheckpointConfig config;
  private final CheckpointStore store;
  private final Vertx vertx;
  private final HttpClient client;
  private final Set<UUID> inFlight = new HashSet<>();
  private boolean polling;
  private boolean pollAgain;
  /** Set by {@link #close}: nothing new is started, and this completes once the last attempt is recorded. */
  private Promise<Void> closed;

  WebhookDispatcher(Vertx vertx, WebhookEndpoint endpoint, CheckpointConfig config, CheckpointStore store) {
    this.endpoint = endpoint;
    this.config = config;
    this.store = store;
    this.vertx = vertx;
    this.client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(config.timeoutMs()),
        new PoolOptions().setHttp1MaxSize(config.maxInFlight()));
  }

  /** Looks for due deliveries and starts as many as there are free slots. */
  void poll() {
    if (closed != null) {
      return;
    }
    int free = config.maxInFlight() - inFlight.size();
    if (free <= 0) {
      return;
    }
    if (polling) {
      pollAgain = true;
      return;
    }
    polling = true;
    store.due(endpoint.name(), Set.copyOf(inFlight), free).onComplete(due -> {
      polling = false;
      if (closed != null) {
        closedIfIdle();
      } else if (due.succeeded()) {
        due.result().forEach(this::attempt);
      } else {
        LOG.warn("event=webhook_poll_failed endpoint={} reason=\"{}\"", endpoint.name(), due.cause().getMessage());
      }
      if (pollAgain) {
        pollAgain = false;
        poll();
      }
    });
  }

  private void attempt(CheckpointStore.Delivery delivery) {
    inFlight.add(delivery.id());
    String body = delivery.payload().encode();
    String timestamp = Long.toString(Instant.now().getEpochSecond());
    RequestOptions request = new RequestOptions()
        .setMethod(HttpMethod.POST)
        .setAbsoluteURI(endpoint.url())
        .setFollowRedirects(false)
        .putHeader("User-Agent", "contextwatch-webhooks")
        .putHeader("Content-Type", "application/json")
        .putHeader("X-Contextwatch-Event", delivery.eventType())
        .putHeader("X-Contextwatch-Delivery", delivery.id().toString())
        .putHeader("X-Contextwatch-Timestamp", timestamp)
        .putHeader("X-Contextwatch-Signature", Signatures.sign(endpoint.secret(), timestamp, body));
    WebhookAttempt.send(vertx, client, request, Buffer.buffer(body), config.timeoutMs())
        .onComplete(result -> record(delivery, result));
  }

  private void record(CheckpointStore.Delivery delivery, AsyncResult<Integer> result) {
    int status = result.succeeded() ? result.result() : 0;
    boolean delivered = status >= 200 && status < 300;
    Instant next = delivered ? null : nextAttempt(delivery.attempts() + 1);
    Meters.registry().counter("contextwatch_webhook_deliveries_total", "endpoint", endpoint.name(),
        "outcome", delivered ? "delivered" : next == null ? "dead" : "retry").increment();
    var recorded = delivered ? store.delivered(delivery.id(), status) : store.failed(delivery.id(), status == 0 ? null : status,
        result.succeeded() ? WebhookAttempt.answered(status) : result.cause().getMessage(), next);
    if (!delivered) {
      LOG.info("event=webhook_attempt_failed endpoint={} delivery={} attempt={} status={} reason=\"{}\"", endpoint.name(),
          delivery.id(), delivery.attempts() + 1, status == 0 ? "none" : status, result.succeeded() ? "" : result.cause().getMessage());
    }
    recorded.onComplete(v -> {
      inFlight.remove(delivery.id());
      if (closed != null) {
        closedIfIdle();
      } else {
        poll();
      }
    });
  }

  /** When to try again after {@code attempts} failures: base * 2^(attempts-1), +-25% jitter; null when out of attempts. */
  private Instant nextAttempt(int attempts) {
    if (attempts >= config.maxAttempts()) {
      return null;
    }
    double delay = config.backoffBaseMs() * Math.pow(2, attempts - 1) * ThreadLocalRandom.current().nextDouble(0.75, 1.25);
    return Instant.now().plusMillis((long) delay);
  }

  /**
   * Starts nothing more and lets the attempts in flight finish and be recorded (each ends within the
   * endpoint's time-out) before the client closes: an attempt cut off, or answered but not recorded,
   * would be sent again after a restart.
   */
  Future<Void> close() {
    closed = Promise.promise();
    closedIfIdle();
    return closed.future().eventually(client::close);
  }

  private void closedIfIdle() {
    if (inFlight.isEmpty() && !polling) {
      closed.tryComplete();
    }
  }
}
