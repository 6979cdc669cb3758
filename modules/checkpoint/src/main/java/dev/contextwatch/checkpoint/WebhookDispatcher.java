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
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers one endpoint's outbox: at most {@code maxInFlight} POSTs at once over the endpoint's own
 * client, so a slow or dead endpoint holds only its own slots and never delays the others or
 * ingestion. A 2xx delivers; anything else (redirects are not followed) is retried with
 * exponential backoff and jitter until {@code maxAttempts}, then the delivery is dead. Every
 * attempt carries the same delivery id and ends within {@code timeoutMs} ({@link WebhookAttempt}).
 *
 * <p>Every node's dispatchers share one outbox: a delivery is claimed with a lease before it is
 * sent and only the claimant records its result ({@link #leaseMs}), so two live nodes never send
 * one delivery at once and a dead node's claims are taken over once their lease lapses.
 */
final class WebhookDispatcher {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookDispatcher.class);
  /** What a lease leaves beyond two time-outs: the round trips of claiming and recording on a busy database. */
  static final long LEASE_MARGIN_MS = 1_000;

  private final WebhookEndpoint endpoint;
  private final CheckpointConfig config;
  private final CheckpointStore store;
  /** Who claims: the node and this verticle instance, so no other dispatcher, on any node, records for it. */
  private final String claimant;
  private final Vertx vertx;
  private final HttpClient client;
  private final Set<UUID> inFlight = new HashSet<>();
  private boolean polling;
  private boolean pollAgain;
  /** Set by {@link #close}: nothing new is started, and this completes once the last attempt is recorded. */
  private Promise<Void> closed;

  WebhookDispatcher(Vertx vertx, WebhookEndpoint endpoint, CheckpointConfig config, CheckpointStore store, String claimant) {
    this.endpoint = endpoint;
    this.config = config;
    this.store = store;
    this.claimant = claimant;
    this.vertx = vertx;
    this.client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(config.timeoutMs()),
        new PoolOptions().setHttp1MaxSize(config.maxInFlight()));
  }

  /**
   * How long a claim holds: an attempt ends within the time-out after it starts, and starts as soon
   * as the claim returns; the second time-out and the margin leave room for recording the result on
   * a slow database. A holder therefore finishes before its lease lapses and never renews it.
   */
  static long leaseMs(CheckpointConfig config) {
    return leaseMs(config.timeoutMs());
  }

  private static long leaseMs(int timeoutMs) {
    return 2L * timeoutMs + LEASE_MARGIN_MS;
  }

  /** Claims due deliveries and starts as many as there are free slots. */
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
    long claimedNanos = System.nanoTime();
    store.claim(endpoint.name(), claimant, free, leaseMs(config)).onComplete(due -> {
      polling = false;
      if (closed != null && due.succeeded()) {
        release(due.result());
      } else if (closed != null) {
        closedIfIdle();
      } else if (due.succeeded() && leaseLeftForAnAttempt(claimedNanos)) {
        due.result().forEach(this::attempt);
      } else if (due.succeeded()) {
        LOG.warn("event=webhook_claim_late endpoint={} deliveries={} reason=\"the claim came back too late to finish an attempt"
            + " within its lease: handed back unsent\"", endpoint.name(), due.result().size());
        handBack(due.result());
      } else {
        LOG.warn("event=webhook_poll_failed endpoint={} reason=\"{}\"", endpoint.name(), due.cause().getMessage());
      }
      if (pollAgain) {
        pollAgain = false;
        poll();
      }
    });
  }

  /**
   * Whether a claim sent at {@code claimedNanos} still holds long enough for a whole attempt. The
   * lease runs from the database's clock when it ran the claim, after this moment: measured from
   * here, what is left is never overestimated, so a node stalled (GC, a starved machine) between
   * claiming and sending never sends once another may have claimed the delivery.
   */
  private boolean leaseLeftForAnAttempt(long claimedNanos) {
    return leaseLeftForAnAttempt(config.timeoutMs(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - claimedNanos));
  }

  /** Whether an attempt of at most {@code timeoutMs}, started {@code elapsedMs} after claiming, ends within the lease. */
  static boolean leaseLeftForAnAttempt(int timeoutMs, long elapsedMs) {
    return elapsedMs + timeoutMs + LEASE_MARGIN_MS <= leaseMs(timeoutMs);
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
    Future<Boolean> recorded = delivered ? store.delivered(delivery.id(), claimant, status)
        : store.failed(delivery.id(), claimant, status == 0 ? null : status,
            result.succeeded() ? WebhookAttempt.answered(status) : result.cause().getMessage(), next);
    if (!delivered) {
      LOG.info("event=webhook_attempt_failed endpoint={} delivery={} attempt={} status={} reason=\"{}\"", endpoint.name(),
          delivery.id(), delivery.attempts() + 1, status == 0 ? "none" : status, result.succeeded() ? "" : result.cause().getMessage());
    }
    recorded.onComplete(held -> {
      if (held.succeeded() && !held.result()) {
        LOG.warn("event=webhook_lease_lost endpoint={} delivery={} reason=\"not recorded: the lease lapsed and another node"
            + " claimed the delivery, or it was deleted\"", endpoint.name(), delivery.id());
      }
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

  /** Claimed as the dispatcher was closing: handed back unsent, so another node need not wait for the leases. */
  private void release(List<CheckpointStore.Delivery> claimed) {
    if (claimed.isEmpty()) {
      closedIfIdle();
      return;
    }
    polling = true;
    handBack(claimed)
        .onComplete(v -> {
          polling = false;
          closedIfIdle();
        });
  }

  /** Ends this dispatcher's leases on deliveries it will not attempt: claimable again at once (else when they lapse). */
  private Future<Void> handBack(List<CheckpointStore.Delivery> claimed) {
    return store.release(claimed.stream().map(CheckpointStore.Delivery::id).toList(), claimant);
  }

  private void closedIfIdle() {
    if (inFlight.isEmpty() && !polling) {
      closed.tryComplete();
    }
  }
}
