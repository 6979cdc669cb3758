package dev.contextwatch.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class WebhookSinkTest {
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  @DisplayName("the sink counts each delivery id: one arrived twice, one delivered never arrived, one arrived while the outbox "
      + "holds it pending, and the pending and dead ones, are each named; a POST without a delivery id is refused")
  void comparesWhatArrivedWithTheOutbox() throws Exception {
    try (WebhookSink sink = WebhookSink.start()) {
      URI url = URI.create(new JsonObject(sink.endpoints().replaceAll("^\\[|]$", "")).getString("url"));
      assertThat(post(url, "once")).isEqualTo(204);
      assertThat(post(url, "twice")).isEqualTo(204);
      assertThat(post(url, "twice")).isEqualTo(204);
      assertThat(post(url, "early")).isEqualTo(204);
      assertThat(post(url, null)).isEqualTo(400);

      WebhookSink.Check check = sink.compare(Map.of("once", "delivered", "twice", "delivered", "never", "delivered",
          "early", "pending", "given-up", "dead"));

      assertThat(check.delivered()).isEqualTo(3);
      assertThat(check.pending()).isEqualTo(1);
      assertThat(check.dead()).isEqualTo(1);
      assertThat(check.received()).isEqualTo(3);
      assertThat(check.receivedTwice()).isEqualTo(1);
      assertThat(check.missing()).isEqualTo(1);
      assertThat(check.unexpected()).isEqualTo(1);
      assertThat(check.examples()).contains("delivery twice arrived 2 times", "delivery never is marked delivered but never arrived",
          "delivery early arrived but the outbox holds it as pending");
      assertThat(check.passed()).isFalse();
      assertThat(sink.compare(Map.of("once", "delivered", "twice", "delivered", "early", "delivered")).passed())
          .as("only the id received twice").isFalse();
    }
  }

  @Test
  @DisplayName("every delivery marked delivered arrived exactly once: the check passes")
  void passesWhenEachArrivedOnce() throws Exception {
    try (WebhookSink sink = WebhookSink.start()) {
      URI url = URI.create(new JsonObject(sink.endpoints().replaceAll("^\\[|]$", "")).getString("url"));
      post(url, "a");
      post(url, "b");
      WebhookSink.Check check = sink.compare(Map.of("a", "delivered", "b", "delivered"));
      assertThat(check.passed()).isTrue();
      assertThat(check.received()).isEqualTo(2);
    }
  }

  private int post(URI url, String delivery) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(url).POST(HttpRequest.BodyPublishers.ofString("{}"));
    if (delivery != null) {
      request.header("X-Contextwatch-Delivery", delivery);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }
}
