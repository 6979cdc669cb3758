package dev.contextwatch.loadtest;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The webhook receiver of the nodes a run starts ({@code --webhook-sink}): an HTTP server in the
 * generator's JVM, configured as the nodes' one endpoint, opted in to synthetic sessions. It
 * answers every POST with 204 at once and counts each {@code X-Contextwatch-Delivery} id. At the
 * end, once the outbox has drained, every delivery the outbox marks delivered must have arrived
 * exactly once: none twice (two nodes, or a node and its successor, sent it), none missing, none
 * that the outbox does not hold as delivered.
 */
final class WebhookSink implements AutoCloseable {
  /** The endpoint's name in the nodes' configuration and in webhook_deliveries_view. */
  static final String ENDPOINT = "loadtest-sink";
  private static final String PATH = "/hook";
  private static final String DELIVERY_HEADER = "X-Contextwatch-Delivery";
  private static final long POLL_MILLIS = 200;

  /**
   * The outcome: deliveries in the outbox by status, ids received (distinct), ids received more
   * than once, delivered ones never received, received ones the outbox does not hold as delivered.
   */
  record Check(long delivered, long pending, long dead, long received, long receivedTwice, long missing, long unexpected,
      List<String> examples) {

    boolean passed() {
      return pending == 0 && dead == 0 && receivedTwice == 0 && missing == 0 && unexpected == 0;
    }
  }

  private final HttpServer server;
  private final ExecutorService threads;
  private final String secret = UUID.randomUUID().toString();
  private final Map<String, AtomicInteger> received = new ConcurrentHashMap<>();

  private WebhookSink(HttpServer server, ExecutorService threads) {
    this.server = server;
    this.threads = threads;
  }

  static WebhookSink start() throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    ExecutorService threads = Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "loadtest-webhook-sink");
      t.setDaemon(true);
      return t;
    });
    WebhookSink sink = new WebhookSink(server, threads);
    server.createContext(PATH, sink::handle);
    server.setExecutor(threads);
    server.start();
    return sink;
  }

  /** The nodes' {@code webhooks} setting (CONTEXTWATCH_WEBHOOKS): this sink, for every default event, synthetic sessions included. */
  String endpoints() {
    return new JsonArray().add(new JsonObject()
        .put("name", ENDPOINT)
        .put("url", "http://127.0.0.1:" + server.getAddress().getPort() + PATH)
        .put("secret", secret)
        .put("synthetic", true)).encode();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange; InputStream body = exchange.getRequestBody()) {
      body.readAllBytes();
      String id = exchange.getRequestHeaders().getFirst(DELIVERY_HEADER);
      if (id != null) {
        received.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
      }
      exchange.sendResponseHeaders(id == null ? 400 : 204, -1);
    }
  }

  /** Waits (to {@code patience}) for the outbox to have no pending delivery of the sink, then compares it with what arrived. */
  Check check(String databaseUrl, Duration patience) throws Exception {
    long deadline = System.nanoTime() + patience.toNanos();
    try (Connection c = Jdbc.connect(databaseUrl)) {
      while (pending(c) > 0 && System.nanoTime() < deadline) {
        Thread.sleep(POLL_MILLIS);
      }
      return compare(outbox(c));
    }
  }

  private static long pending(Connection c) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT count(*) FROM webhook_deliveries_view WHERE endpoint = ? AND status = 'pending'")) {
      s.setString(1, ENDPOINT);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** Delivery id to status, for the sink's endpoint. */
  private static Map<String, String> outbox(Connection c) throws SQLException {
    Map<String, String> statuses = new HashMap<>();
    try (PreparedStatement s = c.prepareStatement("SELECT id::text, status FROM webhook_deliveries_view WHERE endpoint = ?")) {
      s.setString(1, ENDPOINT);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          statuses.put(rs.getString(1), rs.getString(2));
        }
      }
    }
    return statuses;
  }

  /** What arrived against the outbox (delivery id to status). */
  Check compare(Map<String, String> outbox) {
    List<String> examples = new ArrayList<>();
    long delivered = outbox.values().stream().filter("delivered"::equals).count();
    long pending = outbox.values().stream().filter("pending"::equals).count();
    long dead = outbox.values().stream().filter("dead"::equals).count();
    long twice = 0;
    long unexpected = 0;
    for (Map.Entry<String, AtomicInteger> e : received.entrySet()) {
      if (e.getValue().get() > 1) {
        twice++;
        example(examples, "delivery " + e.getKey() + " arrived " + e.getValue().get() + " times");
      }
      if (!"delivered".equals(outbox.get(e.getKey()))) {
        unexpected++;
        example(examples, "delivery " + e.getKey() + " arrived but the outbox holds it as " + outbox.getOrDefault(e.getKey(), "nothing"));
      }
    }
    long missing = 0;
    for (Map.Entry<String, String> e : outbox.entrySet()) {
      if (e.getValue().equals("delivered") && !received.containsKey(e.getKey())) {
        missing++;
        example(examples, "delivery " + e.getKey() + " is marked delivered but never arrived");
      }
    }
    return new Check(delivered, pending, dead, received.size(), twice, missing, unexpected, List.copyOf(examples));
  }

  private static void example(List<String> examples, String text) {
    if (examples.size() < 20) {
      examples.add(text);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
