package dev.contextwatch.receiver;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.shareddata.Shareable;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * OTLP requests being handled, overall (one count per Vert.x instance, shared by every receiver
 * instance and both protocols) and per connection (HTTP/2 and gRPC multiplex many requests on
 * one). A request beyond either limit is refused with 429 before its body costs anything.
 */
final class InFlight implements Shareable {
  private final AtomicInteger overall = new AtomicInteger();
  private final Map<HttpConnection, AtomicInteger> perConnection = new ConcurrentHashMap<>();

  static InFlight of(Vertx vertx) {
    return (InFlight) vertx.sharedData().getLocalMap("contextwatch.receivers").computeIfAbsent("inFlight", k -> new InFlight());
  }

  /** Admits a request, or throws the 429 that refuses it; an admitted request must be {@link #leave}-d. */
  void enter(HttpConnection connection, int maxOverall, int maxPerConnection) {
    if (overall.incrementAndGet() > maxOverall) {
      overall.decrementAndGet();
      throw new OtlpException(429, "too many requests in flight: at most " + maxOverall + "; retry later");
    }
    AtomicInteger onConnection = perConnection.computeIfAbsent(connection, c -> new AtomicInteger());
    if (onConnection.incrementAndGet() > maxPerConnection) {
      leave(connection);
      throw new OtlpException(429, "too many requests in flight on this connection: at most " + maxPerConnection + "; retry later");
    }
  }

  void leave(HttpConnection connection) {
    overall.decrementAndGet();
    perConnection.computeIfPresent(connection, (c, count) -> count.decrementAndGet() <= 0 ? null : count);
  }
}
