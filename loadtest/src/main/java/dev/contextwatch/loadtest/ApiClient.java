package dev.contextwatch.loadtest;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** The pipeline's query API, as the verifier and the cleanup read and act on it, with a bearer token when there is one. */
final class ApiClient {
  /** A project of many sessions takes a while to delete: as long as the API gives its owners. */
  private static final Duration DELETE_TIMEOUT = Duration.ofMinutes(3);

  private final URI api;
  private final String token;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** {@code token} may be null: that door of the API port is open. */
  ApiClient(URI api, String token) {
    this.api = api;
    this.token = token;
  }

  /** The JSON object at {@code path}, or null for a 404; anything but 200 or 404 fails, naming the answer. */
  CompletableFuture<JsonObject> get(String path) {
    return send(request(path, Duration.ofSeconds(30)).GET().build(), "GET " + path);
  }

  /** DELETE {@code path}: its JSON answer, or null for a 404. */
  JsonObject delete(String path) {
    return send(request(path, DELETE_TIMEOUT).DELETE().build(), "DELETE " + path).join();
  }

  private HttpRequest.Builder request(String path, Duration timeout) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(api.resolve(path)).timeout(timeout);
    if (token != null) {
      builder.header("Authorization", "Bearer " + token);
    }
    return builder;
  }

  private CompletableFuture<JsonObject> send(HttpRequest request, String what) {
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(response -> {
      if (response.statusCode() == 404) {
        return null;
      }
      if (response.statusCode() != 200) {
        throw new IllegalStateException(what + " answered " + response.statusCode() + ": " + response.body());
      }
      return new JsonObject(response.body());
    });
  }
}
