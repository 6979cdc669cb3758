package dev.contextwatch.app;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.awaitility.Awaitility;

/** A real HTTP endpoint for webhook tests: records every attempt and answers as the test tells it. */
final class WebhookReceiver {
  /** One POST as received. */
  record Attempt(String event, String deliveryId, String timestamp, String signature, String body, Instant receivedAt, int answered) {
    JsonObject payload() {
      return new JsonObject(body);
    }

    /** The signature docs/webhooks.md tells a receiver to check: sha256= and the hex HMAC-SHA256 of timestamp, a dot and the body. */
    String expectedSignature(String secret) throws GeneralSecurityException {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return "sha256=" + HexFormat.of().formatHex(mac.doFinal((timestamp + "." + body).getBytes(StandardCharsets.UTF_8)));
    }
  }

  /** How the endpoint answers: 200 (at once, or after {@link #SLOW_MS}), a status, or nothing at all. */
  enum Mode { OK, SLOW_OK, FAIL_FIRST_THREE, ALWAYS_503, NEVER_ANSWER }

  static final long SLOW_MS = 1_500;

  private final List<Attempt> attempts = new CopyOnWriteArrayList<>();
  private final Map<String, AtomicInteger> attemptsByDelivery = new ConcurrentHashMap<>();
  private volatile Mode mode;
  private HttpServer server;

  private WebhookReceiver(Mode mode) {
    this.mode = mode;
  }

  static WebhookReceiver start(Vertx vertx, Mode mode) throws Exception {
    WebhookReceiver receiver = new WebhookReceiver(mode);
    receiver.server = PipelineHarness.await(vertx.createHttpServer()
        .requestHandler(request -> request.body().onSuccess(body -> {
          String delivery = request.getHeader("X-Contextwatch-Delivery");
          int attempt = receiver.attemptsByDelivery.computeIfAbsent(delivery, d -> new AtomicInteger()).incrementAndGet();
          int status = switch (receiver.mode) {
            case OK, SLOW_OK -> 200;
            case FAIL_FIRST_THREE -> attempt <= 3 ? 500 : 204;
            case ALWAYS_503 -> 503;
            case NEVER_ANSWER -> -1;
          };
          receiver.attempts.add(new Attempt(request.getHeader("X-Contextwatch-Event"), delivery,
              request.getHeader("X-Contextwatch-Timestamp"), request.getHeader("X-Contextwatch-Signature"),
              body.toString(), Instant.now(), status));
          if (status > 0 && receiver.mode == Mode.SLOW_OK) {
            vertx.setTimer(SLOW_MS, t -> request.response().setStatusCode(status).end());
          } else if (status > 0) {
            request.response().setStatusCode(status).end();
          }
        }))
        .listen(0, "127.0.0.1"));
    return receiver;
  }

  String url() {
    return "http://127.0.0.1:" + server.actualPort() + "/hook";
  }

  void answer(Mode newMode) {
    mode = newMode;
  }

  /** Attempts answered 2xx, one per delivery. */
  List<Attempt> delivered(Predicate<Attempt> which) {
    return attempts.stream().filter(a -> a.answered() >= 200 && a.answered() < 300).filter(which).toList();
  }

  List<Attempt> attempts(Predicate<Attempt> which) {
    return attempts.stream().filter(which).toList();
  }

  /** Waits until {@code count} matching deliveries arrived; fails after {@code timeoutMs}. */
  List<Attempt> awaitDelivered(Predicate<Attempt> which, int count, long timeoutMs) {
    return Awaitility.await(count + " deliveries").atMost(Duration.ofMillis(timeoutMs)).pollInterval(Duration.ofMillis(20))
        .until(() -> delivered(which), delivered -> delivered.size() >= count);
  }

  Future<Void> close() {
    return server.close();
  }
}
