package dev.contextwatch.checkpoint;

import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.RequestOptions;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/**
 * One POST to a webhook endpoint, over within a total deadline: connecting, sending, and reading
 * the answer. Only the status counts; at most {@link #MAX_ANSWER_BYTES} of the answer's body are
 * read (and dropped), after which, or at the deadline, the connection is closed rather than read
 * on. Succeeds with the status once it is known; fails with a sentence that names no part of the
 * endpoint's URL (it may carry a secret), for the deliveries API to show.
 */
final class WebhookAttempt {
  /** Enough for any acknowledgement; an answer longer than this is not read to its end. */
  static final int MAX_ANSWER_BYTES = 8 * 1024;
  private static final String REFUSED = "the connection was refused";
  private static final String UNRESOLVED = "the endpoint's host name did not resolve";
  private static final String TLS = "the TLS handshake with the endpoint failed";
  private static final String CLOSED = "the connection failed or was closed before an answer";
  /** Every reason an attempt records: the fixed ones, and a PostgreSQL pattern for those with a number. */
  static final List<String> FIXED_REASONS = List.of(REFUSED, UNRESOLVED, TLS, CLOSED);
  static final String NUMBERED_REASONS = "^(HTTP [0-9]+|no answer within [0-9]+ ms)$";

  /** What an endpoint's non-2xx answer records. */
  static String answered(int status) {
    return "HTTP " + status;
  }

  /** A failed attempt; its message is safe to store and show. */
  static final class Failure extends RuntimeException {
    Failure(String message) {
      super(message, null, false, false);
    }
  }

  private final Promise<Integer> outcome = Promise.promise();
  private final long deadlineMs;
  private HttpClientRequest request;
  private Integer status;
  private long answerBytes;

  private final long startedNanos = System.nanoTime();

  private WebhookAttempt(long deadlineMs) {
    this.deadlineMs = deadlineMs;
  }

  /** Sends {@code body}; call on the context the client belongs to. */
  static Future<Integer> send(Vertx vertx, HttpClient client, RequestOptions options, Buffer body, long deadlineMs) {
    WebhookAttempt attempt = new WebhookAttempt(deadlineMs);
    long timer = vertx.setTimer(deadlineMs, id -> attempt.finish());
    client.request(options)
        .compose(request -> attempt.started(request, body))
        .onSuccess(attempt::answered)
        .onFailure(attempt::failed);
    return attempt.outcome.future().onComplete(done -> vertx.cancelTimer(timer));
  }

  private Future<HttpClientResponse> started(HttpClientRequest started, Buffer body) {
    request = started;
    if (outcome.future().isComplete() || System.nanoTime() - startedNanos >= TimeUnit.MILLISECONDS.toNanos(deadlineMs)) {
      // the deadline passed while a connection was being made (its timer may not have run yet on a busy loop)
      started.reset();
      return Future.failedFuture(new Failure(noAnswer()));
    }
    return started.send(body);
  }

  private void answered(HttpClientResponse response) {
    status = response.statusCode();
    response.handler(chunk -> {
      answerBytes += chunk.length();
      if (answerBytes > MAX_ANSWER_BYTES) {
        finish();
      }
    });
    response.endHandler(end -> outcome.tryComplete(status));
    response.exceptionHandler(error -> finish());
  }

  /** The deadline passed or enough was read: the status if it came, and the connection is closed. */
  private void finish() {
    if (outcome.future().isComplete()) {
      return;
    }
    if (status != null) {
      outcome.complete(status);
    } else {
      outcome.fail(new Failure(noAnswer()));
    }
    if (request != null) {
      request.reset();
    }
  }

  private void failed(Throwable error) {
    if (status != null) {
      outcome.tryComplete(status);
    } else {
      outcome.tryFail(error instanceof Failure ? error : new Failure(describe(error)));
    }
  }

  private String noAnswer() {
    return "no answer within " + deadlineMs + " ms";
  }

  /** What went wrong, in the terms of someone running the endpoint; never the exception's text, which names the URL. */
  private String describe(Throwable error) {
    if (error instanceof ConnectTimeoutException || error instanceof TimeoutException) {
      return noAnswer();
    }
    if (error instanceof ConnectException) {
      return REFUSED;
    }
    if (error instanceof UnknownHostException) {
      return UNRESOLVED;
    }
    if (error instanceof SSLException) {
      return TLS;
    }
    return CLOSED;
  }
}
