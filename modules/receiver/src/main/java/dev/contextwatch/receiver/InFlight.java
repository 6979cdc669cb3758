package dev.contextwatch.receiver;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.shareddata.Shareable;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the OTLP requests being handled hold, shared by every receiver instance and both protocols
 * (one per Vert.x instance): places among the requests in flight, overall and per connection
 * (HTTP/2 and gRPC multiplex many requests on one), and the bytes of their bodies in memory.
 *
 * <p>A request takes its place only once its body is complete: a client that sends headers and
 * then nothing holds no place, so it cannot lock well-behaved exporters out. Bodies being read are
 * bounded by the byte budget instead, and by the body time-out.
 */
final class InFlight implements Shareable {
  private final AtomicInteger overall = new AtomicInteger();
  private final Map<HttpConnection, AtomicInteger> perConnection = new ConcurrentHashMap<>();
  private final AtomicLong bodyBytes = new AtomicLong();

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

  /** Takes {@code bytes} of body into memory, or throws the 429 that refuses them; taken bytes must be {@link #release}-d. */
  void reserve(long bytes, long maxBytes) {
    if (bodyBytes.addAndGet(bytes) > maxBytes) {
      bodyBytes.addAndGet(-bytes);
      throw new OtlpException(429, "too many request bodies in memory: at most " + maxBytes + " bytes; retry later");
    }
  }

  void release(long bytes) {
    bodyBytes.addAndGet(-bytes);
  }
}
