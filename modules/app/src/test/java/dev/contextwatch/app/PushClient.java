package dev.contextwatch.app;

import io.vertx.core.Future;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A live-feed client for tests: keeps every frame it receives, in order, and lets the test wait
 * for the next frame that matches (the frames before it are skipped, but stay in {@link #frames}).
 */
final class PushClient {
  static final long WAIT_MS = 15_000;
  /** Snapshots of a whole fleet are larger than the client's default message limit. */
  static final WebSocketClientOptions OPTIONS = new WebSocketClientOptions().setMaxMessageSize(64 * 1024 * 1024);

  /** Held for as long as the socket: an unreachable client is closed by a cleaner, with its connections. */
  private final WebSocketClient client;
  final ClientWebSocket socket;
  private final List<JsonObject> frames = new ArrayList<>();
  private int cursor;
  private Short closeStatus;
  private boolean closed;

  private PushClient(WebSocketClient client) {
    this.client = client;
    this.socket = client.webSocket();
    // handlers are set before connecting, so not even a frame sent right after the handshake is missed
    socket.textMessageHandler(text -> received(new JsonObject(text)));
    socket.closeHandler(v -> closed(socket.closeStatusCode()));
  }

  /** Connects to {@code /v1/stream} (with {@code query}, e.g. {@code ?token=...}) on the pipeline's API port. */
  static PushClient connect(PipelineHarness pipeline, String query, Map<String, String> headers) throws Exception {
    return connect(pipeline, OPTIONS, query, headers);
  }

  /** As {@link #connect(PipelineHarness, String, Map)}, with the client's own options (its frame size, its buffers). */
  static PushClient connect(PipelineHarness pipeline, WebSocketClientOptions clientOptions, String query, Map<String, String> headers)
      throws Exception {
    PushClient client = new PushClient(pipeline.vertx.createWebSocketClient(clientOptions));
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(pipeline.apiPort())
        .setURI("/v1/stream" + query);
    headers.forEach(options::addHeader);
    PipelineHarness.await(client.socket.connect(options));
    return client;
  }

  static PushClient connect(PipelineHarness pipeline) throws Exception {
    return connect(pipeline, "", Map.of());
  }

  /** The handshake alone, for tests that expect it to be refused. */
  static Future<?> handshake(PipelineHarness pipeline, WebSocketClient client, String query, Map<String, String> headers) {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(pipeline.apiPort())
        .setURI("/v1/stream" + query);
    headers.forEach(options::addHeader);
    return client.connect(options);
  }

  static JsonObject filter(String field, String... values) {
    return new JsonObject().put(field, new JsonArray(List.of((Object[]) values)));
  }

  void send(String text) throws Exception {
    PipelineHarness.await(socket.writeTextMessage(text));
  }

  void subscribe(JsonObject filter) throws Exception {
    send(new JsonObject().put("op", "subscribe").put("filter", filter).encode());
  }

  /** Subscribes from a position a frame carried: a number, or {@code "node:number"} on a node of a cluster. */
  void resume(JsonObject filter, Object position) throws Exception {
    send(new JsonObject().put("op", "subscribe").put("filter", filter).put("resume_from", position).encode());
  }

  /** The next frame of that type after the last one waited for. */
  JsonObject next(String type) throws InterruptedException {
    return next(frame -> type.equals(frame.getString("type")), "a '" + type + "' frame");
  }

  synchronized JsonObject next(Predicate<JsonObject> match, String what) throws InterruptedException {
    long deadline = System.currentTimeMillis() + WAIT_MS;
    while (true) {
      while (cursor < frames.size()) {
        JsonObject frame = frames.get(cursor++);
        if (match.test(frame)) {
          return frame;
        }
      }
      long left = deadline - System.currentTimeMillis();
      if (left <= 0 || closed) {
        throw new AssertionError("no " + what + " within " + WAIT_MS + " ms (closed: " + closed + " " + closeStatus
            + "); received types " + frames.stream().map(f -> f.getString("type")).toList());
      }
      wait(left);
    }
  }

  /** Every frame received so far. */
  synchronized List<JsonObject> frames() {
    return List.copyOf(frames);
  }

  /** The close code the server sent, waiting for it. */
  synchronized Short closeStatus() throws InterruptedException {
    long deadline = System.currentTimeMillis() + WAIT_MS;
    while (!closed && System.currentTimeMillis() < deadline) {
      wait(Math.max(1, deadline - System.currentTimeMillis()));
    }
    if (!closed) {
      throw new AssertionError("the server did not close the connection within " + WAIT_MS + " ms");
    }
    return closeStatus;
  }

  private synchronized void received(JsonObject frame) {
    frames.add(frame);
    notifyAll();
  }

  private synchronized void closed(Short status) {
    closed = true;
    closeStatus = status;
    notifyAll();
  }
}
