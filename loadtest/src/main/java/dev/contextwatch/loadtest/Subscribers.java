package dev.contextwatch.loadtest;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * The live-feed clients: {@code --subscribers} WebSockets on {@code /v1/stream}, subscribed to
 * {@code session.updated} frames. By session (the default), subscriber i watches the sessions whose
 * index is i modulo the count (every session when that list would not fit in one client frame); by
 * project, the first {@code --unfiltered-subscribers} watch every session and each one after them
 * one project, i modulo the projects (the feed's many-viewers case: a frame reaches a few). Each hands its
 * {@code session.updated} frames to the {@link Correlator}. A client closed by the server
 * reconnects and resumes from the last position it saw. They run on their own event loop, apart
 * from the sender.
 *
 * <p>With several nodes ({@code --api} URLs), subscriber i connects to node i modulo their number,
 * and to the next node when its node closes the connection or refuses it. Frames are counted by
 * the node that made them (the envelope's {@code node}; {@value #NO_NODE} when a frame names none,
 * as on a single node) for each node the subscribers were connected to.
 */
final class Subscribers {
  /** The server's default limit on a client frame; a longer session list subscribes to everything instead. */
  private static final int MAX_SUBSCRIBE_BYTES = 60_000;
  /** How a frame without a {@code node} field is counted. */
  static final String NO_NODE = "(none)";

  private final Vertx vertx;
  private final Options options;
  private final List<URI> apis;
  private final Correlator correlator;
  private final Context context;
  private final WebSocketClient client;
  private final List<Subscriber> subscribers = new ArrayList<>();
  private final AtomicLong reconnects = new AtomicLong();
  private final AtomicLong frames = new AtomicLong();
  /** API URL connected to, then the frame's node, to the frames counted. */
  private final Map<URI, Map<String, AtomicLong>> framesByNode = new ConcurrentHashMap<>();
  private volatile boolean closing;

  Subscribers(Vertx vertx, Context context, Options options, List<URI> apis, List<SimSession> fleet, Correlator correlator) {
    this.vertx = vertx;
    this.options = options;
    this.apis = List.copyOf(apis);
    this.correlator = correlator;
    this.context = context;
    // the client's default allows 50 WebSockets per server; more would wait for a free one forever
    this.client = vertx.createWebSocketClient(new WebSocketClientOptions()
        .setMaxMessageSize(256 * 1024 * 1024)
        .setMaxConnections(Math.max(1, options.subscribers)));
    List<String> projects = options.projectNames();
    for (int i = 0; i < options.subscribers; i++) {
      int index = i;
      if (options.subscribeBy == Options.SubscribeBy.SESSION) {
        subscribers.add(new Subscriber(i, "sessions", fleet.stream().filter(s -> s.subscriber == index).map(s -> s.id).toList()));
      } else if (i < options.unfilteredSubscribers) {
        subscribers.add(new Subscriber(i, "sessions", List.of()));
      } else {
        subscribers.add(new Subscriber(i, "projects", List.of(projects.get(i % projects.size()))));
      }
    }
  }

  /** Connects every subscriber; completes once each has its snapshot, so no update is missed. */
  Future<Void> connect() {
    Promise<Void> all = Promise.promise();
    context.runOnContext(v -> Future.all(subscribers.stream().map(s -> s.connect(null)).toList())
        .<Void>mapEmpty().onComplete(all));
    return all.future();
  }

  Future<Void> close() {
    closing = true;
    Promise<Void> closed = Promise.promise();
    context.runOnContext(v -> Future.join(subscribers.stream().map(Subscriber::close).toList())
        .compose(x -> client.close()).<Void>mapEmpty().onComplete(r -> closed.complete()));
    return closed.future();
  }

  long reconnects() {
    return reconnects.get();
  }

  long frames() {
    return frames.get();
  }

  /** For each API URL the subscribers were connected to: the session.updated frames seen there, by the node that made them. */
  Map<URI, Map<String, Long>> framesByNode() {
    Map<URI, Map<String, Long>> copy = new TreeMap<>();
    framesByNode.forEach((api, byNode) -> {
      Map<String, Long> counts = new TreeMap<>();
      byNode.forEach((node, count) -> counts.put(node, count.get()));
      copy.put(api, counts);
    });
    return copy;
  }

  private final class Subscriber {
    /** The filter field it names ({@code sessions} or {@code projects}) and its values; none: every session. */
    private final String field;
    private final List<String> values;
    /** The index of the API URL it is connected to (or connecting to). */
    private int node;
    /** Whether the current connection was opened: a refused one is not closed later, so it is retried at once. */
    private boolean opened;
    private ClientWebSocket socket;
    private Long position;
    private Promise<Void> snapshot;

    Subscriber(int index, String field, List<String> values) {
      this.node = index % apis.size();
      this.field = field;
      this.values = values;
    }

    Future<Void> connect(Long resumeFrom) {
      snapshot = Promise.promise();
      socket = client.webSocket();
      socket.textMessageHandler(this::received);
      socket.closeHandler(v -> closed());
      URI api = apis.get(node);
      WebSocketConnectOptions connect = new WebSocketConnectOptions()
          .setHost(api.getHost()).setPort(api.getPort()).setURI("/v1/stream");
      if (options.apiToken != null) {
        connect.addHeader("Authorization", "Bearer " + options.apiToken);
      }
      opened = false;
      return socket.connect(connect)
          .compose(ws -> {
            opened = true;
            return ws.writeTextMessage(subscribe(resumeFrom));
          })
          .compose(v -> snapshot.future());
    }

    private String subscribe(Long resumeFrom) {
      JsonObject filter = new JsonObject().put("types", new JsonArray().add("session.updated")).put("synthetic", "only");
      String ids = values.stream().map(id -> "\"" + id + "\"").collect(Collectors.joining(","));
      if (!values.isEmpty() && ids.length() < MAX_SUBSCRIBE_BYTES) {
        filter.put(field, new JsonArray(new ArrayList<>(values)));
      }
      JsonObject frame = new JsonObject().put("op", "subscribe").put("filter", filter);
      if (resumeFrom != null) {
        frame.put("resume_from", resumeFrom);
      }
      return frame.encode();
    }

    private void received(String text) {
      long now = System.nanoTime();
      JsonObject frame = new JsonObject(text);
      String type = frame.getString("type", "");
      if (frame.getValue("position") instanceof Number n) {
        position = n.longValue();
      }
      switch (type) {
        case "snapshot", "resumed" -> snapshot.tryComplete();
        case "session.updated" -> {
          frames.incrementAndGet();
          framesByNode.computeIfAbsent(apis.get(node), k -> new ConcurrentHashMap<>())
              .computeIfAbsent(frame.getString("node", NO_NODE), k -> new AtomicLong()).incrementAndGet();
          JsonObject data = frame.getJsonObject("data", new JsonObject());
          correlator.frame(frame.getString("sessionId"), instant(data.getString("lastReceivedAt")), now);
        }
        case "error" -> snapshot.tryFail("the feed refused the subscription: " + frame.getString("message"));
        case "ping" -> socket.writeTextMessage("{\"op\":\"pong\"}");
        default -> { }
      }
    }

    private void closed() {
      snapshot.tryFail("the feed closed the connection (" + socket.closeStatusCode() + " " + socket.closeReason() + ")");
      if (!closing) {
        reconnects.incrementAndGet();
        reconnect();
      }
    }

    /** After 200 ms, to the next node when there are several; again while a connection is refused. */
    private void reconnect() {
      node = (node + 1) % apis.size();
      vertx.setTimer(200, id -> {
        if (!closing) {
          connect(position).onFailure(e -> {
            if (!opened) {
              reconnect();
            }
          });
        }
      });
    }

    Future<Void> close() {
      return socket == null ? Future.succeededFuture() : socket.close();
    }
  }

  private static Instant instant(String text) {
    try {
      return text == null ? null : Instant.parse(text);
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
