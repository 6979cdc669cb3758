package dev.contextwatch.app;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends OTLP requests the way the OpenTelemetry exporter does: the identical bytes again after a
 * connection error, a 429 or a 503, honouring Retry-After. Unlike the exporter it keeps trying
 * until its deadline, so a test can tell "not acknowledged" from "lost".
 */
final class RetryingExporter {
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();
  private final String base;
  final AtomicInteger refusals = new AtomicInteger();
  final AtomicInteger connectionErrors = new AtomicInteger();

  RetryingExporter(int port) {
    this.base = "http://127.0.0.1:" + port;
  }

  /** Returns once the request is acknowledged (200); fails when {@code timeout} passes first. */
  void send(String path, byte[] body, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long waitMs = 200;
      try {
        HttpResponse<Void> response = client.send(HttpRequest.newBuilder(URI.create(base + path))
            .header("Content-Type", OtlpRequests.PROTOBUF).timeout(Duration.ofSeconds(10))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() == 200) {
          return;
        }
        if (response.statusCode() != 429 && response.statusCode() != 503) {
          throw new AssertionError(path + " answered " + response.statusCode());
        }
        refusals.incrementAndGet();
        waitMs = response.headers().firstValue("Retry-After").map(s -> Long.parseLong(s) * 1000).orElse(waitMs);
      } catch (java.io.IOException e) {
        connectionErrors.incrementAndGet();
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(path + " not acknowledged within " + timeout);
      }
      Thread.sleep(waitMs);
    }
  }
}
