package dev.contextwatch.loadtest;

import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeoutException;

/**
 * Sends requests as the OTel HTTP exporter does: chunked bodies, at most {@code --in-flight} at
 * once (the rest wait their turn), each retried on 429, 502, 503, 504, a timeout or a connection
 * error, after the Retry-After the server asked for or else an exponential backoff (1 s, x1.5, at
 * most 5 s, 20 % jitter), with the identical bytes. Unlike the exporter it does not give up after
 * six attempts unless told to ({@code --max-attempts}): a request that is never acknowledged would
 * leave its records in doubt.
 *
 * <p>With several nodes ({@code --otlp} URLs), session i sends to node i modulo their number. A
 * node that stops answering (connection refused or reset, a time-out, 502, 503, 504) is passed
 * over for a second, and the request goes at once, the same bytes, to the next node that is not;
 * the backoff applies once every node failed it in a row. Runs on the driver's context.
 */
final class Sender {
  /** How a request ended. */
  enum Outcome { ACKNOWLEDGED, ABANDONED, REFUSED }

  private record Answer(int status, String retryAfter, Buffer body) {}

  /** A node's share, as the report shows it: requests acknowledged by it, and attempts it failed that went on to another node. */
  record NodeLoad(URI otlp, long acknowledged, long failovers) {}

  /** A node's OTLP endpoint, when it is passed over until, and what it did. */
  private static final class Endpoint {
    final URI uri;
    long downUntilNanos;
    long acknowledged;
    long failovers;

    Endpoint(URI uri) {
      this.uri = uri;
    }
  }

  private final class Pending {
    final Request request;
    final Runnable firstAttempt;
    final Promise<Outcome> outcome = Promise.promise();
    int attempts;
    /** The node of the current attempt; -1 before the first. */
    int endpoint = -1;
    /** Nodes that failed it one after the other: once all did, it backs off. */
    int failedInRow;

    Pending(Request request, Runnable firstAttempt) {
      this.request = request;
      this.firstAttempt = firstAttempt;
    }
  }

  private final Vertx vertx;
  private final Options options;
  private final OtlpEncoder encoder;
  private final Stats stats;
  private final HttpClient client;
  /** How long a node that failed an attempt is passed over. */
  private static final long DOWN_NANOS = 1_000_000_000L;

  private final List<Endpoint> endpoints = new ArrayList<>();
  private final Random jitter;
  private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
  private int inFlight;
  private long settled;
  private boolean retrying = true;

  Sender(Vertx vertx, Options options, List<URI> endpoints, OtlpEncoder encoder, Stats stats) {
    this.vertx = vertx;
    this.options = options;
    endpoints.forEach(this::addEndpoint);
    this.encoder = encoder;
    this.stats = stats;
    this.jitter = new Random(options.seed ^ 0x5e17e5L);
    this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true),
        new PoolOptions().setHttp1MaxSize(options.inFlight + 8));
  }

  /** A node that joined: the sessions are spread over it too from now on. */
  void addEndpoint(URI uri) {
    endpoints.add(new Endpoint(uri));
  }

  List<NodeLoad> nodeLoads() {
    return endpoints.stream().map(e -> new NodeLoad(e.uri, e.acknowledged, e.failovers)).toList();
  }

  /** Sends the request (now, or once a slot frees up); completes when it is acknowledged, refused or abandoned. */
  Future<Outcome> submit(Request request) {
    return submit(request, () -> { });
  }

  /** The same; {@code firstAttempt} runs as the first attempt starts. */
  Future<Outcome> submit(Request request, Runnable firstAttempt) {
    Pending pending = new Pending(request, firstAttempt);
    if (inFlight < options.inFlight) {
      start(pending);
    } else {
      waiting.add(pending);
      stats.backlog(waiting.size());
    }
    return pending.outcome.future();
  }

  /** Whether another request would be sent at once. */
  boolean hasRoom() {
    return inFlight < options.inFlight && waiting.isEmpty();
  }

  boolean idle() {
    return inFlight == 0 && waiting.isEmpty();
  }

  /**
   * Gives up: requests not sent yet are abandoned now, and from now on a failed attempt is not
   * retried. Either way their records are in doubt.
   */
  void giveUp() {
    retrying = false;
    Pending pending;
    while ((pending = waiting.poll()) != null) {
      stats.abandonedBeforeAttempt();
      pending.outcome.complete(Outcome.ABANDONED);
    }
  }

  /** Requests settled so far: progress, as the drain sees it. */
  long settled() {
    return settled;
  }

  Future<Void> close() {
    return client.close();
  }

  private void start(Pending pending) {
    inFlight++;
    attempt(pending);
  }

  private void finish(Pending pending, Outcome outcome) {
    inFlight--;
    settled++;
    pending.outcome.complete(outcome);
    Pending next = waiting.poll();
    if (next != null) {
      start(next);
    }
  }

  private void attempt(Pending pending) {
    if (pending.attempts++ == 0) {
      pending.firstAttempt.run();
    }
    Request request = pending.request;
    if (pending.endpoint < 0) {
      pending.endpoint = up(request.session.index % endpoints.size());
    }
    URI endpoint = endpoints.get(pending.endpoint).uri;
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.POST)
        .setHost(endpoint.getHost())
        .setPort(endpoint.getPort())
        .setURI(endpoint.getRawPath().replaceAll("/$", "") + request.path)
        .setTimeout(this.options.requestTimeout.toMillis())
        .putHeader(HttpHeaders.CONTENT_TYPE, encoder.contentType());
    if (encoder.contentEncoding() != null) {
      options.putHeader(HttpHeaders.CONTENT_ENCODING, encoder.contentEncoding());
    }
    if (this.options.token != null) {
      options.putHeader(HttpHeaders.AUTHORIZATION, "Bearer " + this.options.token);
    }
    long started = System.nanoTime();
    Future.<HttpClientRequest>future(p -> client.request(options).onComplete(p))
        .compose(r -> r.setChunked(true).send(request.body))
        .compose(r -> r.body().map(body -> new Answer(r.statusCode(), r.getHeader(HttpHeaders.RETRY_AFTER), body)))
        .onComplete(result -> {
          long micros = (System.nanoTime() - started) / 1000;
          if (result.succeeded()) {
            answered(pending, result.result(), micros);
          } else {
            stats.attempt(isTimeout(result.cause()) ? "timeout" : "connection-error", micros);
            failedOver(pending);
          }
        });
  }

  private static boolean isTimeout(Throwable error) {
    return error instanceof TimeoutException || String.valueOf(error.getMessage()).contains("timeout");
  }

  private void answered(Pending pending, Answer answer, long micros) {
    stats.attempt(Integer.toString(answer.status()), micros);
    if (answer.status() == 200) {
      stats.rejectedRecords(rejected(pending.request, answer.body()));
      endpoints.get(pending.endpoint).acknowledged++;
      finish(pending, Outcome.ACKNOWLEDGED);
    } else if (answer.status() == 502 || answer.status() == 503 || answer.status() == 504) {
      failedOver(pending);
    } else if (answer.status() == 429) {
      retry(pending, answer.retryAfter());
    } else {
      finish(pending, Outcome.REFUSED);
    }
  }

  /**
   * The node did not answer or said it cannot now: with several nodes it is passed over for a
   * while and the request goes to the next one at once, until every node failed it in a row.
   */
  private void failedOver(Pending pending) {
    if (endpoints.size() == 1) {
      retry(pending, null);
      return;
    }
    Endpoint failed = endpoints.get(pending.endpoint);
    failed.downUntilNanos = System.nanoTime() + DOWN_NANOS;
    failed.failovers++;
    pending.endpoint = up((pending.endpoint + 1) % endpoints.size());
    if (++pending.failedInRow < endpoints.size()) {
      retryAfterMillis(pending, 0);
    } else {
      pending.failedInRow = 0;
      retry(pending, null);
    }
  }

  /** The first node from {@code first} on that is not passed over; {@code first} when all are. */
  private int up(int first) {
    long now = System.nanoTime();
    for (int i = 0; i < endpoints.size(); i++) {
      int candidate = (first + i) % endpoints.size();
      if (endpoints.get(candidate).downUntilNanos - now <= 0) {
        return candidate;
      }
    }
    return first;
  }

  private void retry(Pending pending, String retryAfter) {
    retryAfterMillis(pending, delayMillis(pending.attempts, retryAfter));
  }

  private void retryAfterMillis(Pending pending, long delayMillis) {
    if (!retrying || (options.maxAttempts > 0 && pending.attempts >= options.maxAttempts)) {
      finish(pending, Outcome.ABANDONED);
      return;
    }
    stats.retry();
    if (delayMillis <= 0) {
      vertx.runOnContext(v -> attempt(pending));
    } else {
      vertx.setTimer(delayMillis, id -> attempt(pending));
    }
  }

  private long delayMillis(int attempts, String retryAfter) {
    if (retryAfter != null) {
      try {
        return Math.max(1, Long.parseLong(retryAfter.trim()) * 1000);
      } catch (NumberFormatException notSeconds) {
        // an HTTP date: fall back to the backoff
      }
    }
    double backoff = Math.min(5000, 1000 * Math.pow(1.5, attempts - 1));
    return Math.round(backoff * (0.8 + 0.4 * jitter.nextDouble()));
  }

  /** Records the server refused in {@code partial_success}: not stored, so the verifier will miss them. */
  private long rejected(Request request, Buffer body) {
    if (body.length() == 0) {
      return 0;
    }
    boolean logs = request.path.endsWith("logs");
    try {
      if (encoder.contentType().equals(OtlpEncoder.JSON)) {
        JsonObject partial = new JsonObject(body).getJsonObject("partialSuccess", new JsonObject());
        return Long.parseLong(String.valueOf(partial.getValue(logs ? "rejectedLogRecords" : "rejectedDataPoints", "0")));
      }
      return logs ? ExportLogsServiceResponse.parseFrom(body.getBytes()).getPartialSuccess().getRejectedLogRecords()
          : ExportMetricsServiceResponse.parseFrom(body.getBytes()).getPartialSuccess().getRejectedDataPoints();
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      return 0;
    }
  }
}
