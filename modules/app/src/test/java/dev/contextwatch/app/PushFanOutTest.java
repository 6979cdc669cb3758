package dev.contextwatch.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.core.config.ContextwatchConfig;
import dev.contextwatch.core.metrics.Meters;
import dev.contextwatch.testkit.TestDatabase;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * 200 live-feed clients on one pipeline, one of which stops reading. Every other client must get
 * every update its filter names, in order (an update may only be folded into a newer one of the
 * same session, and then says so); the stuck one must be closed with 4008; ingestion throughput
 * with and without it, and the delay from a request's 200 to its frame, are printed.
 */
@ExtendWith(VertxExtension.class)
class PushFanOutTest {
  private static final int CLIENTS = 200;
  private static final int SESSIONS = 10;
  private static final int PROJECTS = 5;
  private static final int TURNS_PER_REQUEST = 10;
  private static final int REQUESTS_PER_SESSION = 40;
  private static final int WARM_UP_REQUESTS = 5;
  /** Small enough that the stuck client is closed soon; reading clients never have this many waiting. */
  private static final int QUEUE_FRAMES = 100;
  private static final long WAIT_SECONDS = 40;

  /** A generated session's update as one client received it. */
  private record Update(String sessionId, long apiRequests, int coalesced, long nanos) {}

  /** One reading client: its filter as a predicate over session indexes, and what it received. */
  private static final class Reader {
    final Predicate<Integer> wants;
    final JsonObject filter;
    final Promise<Void> snapshot = Promise.promise();
    final List<Update> updates = new ArrayList<>();
    final List<String> problems = new ArrayList<>();
    ClientWebSocket socket;
    CountDownLatch finals;
    long finalApiRequests;
    long lastSeq;
    long lastPosition;

    Reader(JsonObject filter, Predicate<Integer> wants) {
      this.filter = filter;
      this.wants = wants;
    }

    synchronized void received(String text, long nanos) {
      JsonObject frame = new JsonObject(text);
      long seq = frame.getLong("seq");
      long position = frame.getLong("position");
      if (seq != lastSeq + 1 || position < lastPosition) {
        problems.add("seq " + seq + " after " + lastSeq + ", position " + position + " after " + lastPosition);
      }
      lastSeq = seq;
      lastPosition = position;
      switch (frame.getString("type")) {
        case "snapshot" -> snapshot.tryComplete();
        case "session.updated" -> {
          long apiRequests = frame.getJsonObject("data").getJsonObject("totals").getLong("apiRequests");
          updates.add(new Update(frame.getString("sessionId"), apiRequests, frame.getInteger("coalesced", 0), nanos));
          if (apiRequests == finalApiRequests) {
            finals.countDown();
          }
        }
        default -> { }
      }
    }

    synchronized List<Update> updates(String sessionId) {
      return updates.stream().filter(u -> u.sessionId().equals(sessionId)).toList();
    }
  }

  private static double droppedTooSlow() {
    Counter dropped = Meters.registry().find("contextwatch_stream_clients_dropped_total").tag("reason", "too_slow").counter();
    return dropped == null ? 0 : dropped.count();
  }

  /** When each request's 200 arrived, by session and the apiRequests its update carries. */
  private final Map<String, Long> answered = new ConcurrentHashMap<>();

  @Test
  @DisplayName("200 clients, one stuck: every reading client gets every update of its filter in order, the stuck one is closed with 4008")
  void fanOut(Vertx vertx) throws Exception {
    UnaryOperator<ContextwatchConfig> smallQueue = config -> config.withStream(config.stream().withQueueFrames(QUEUE_FRAMES));
    PipelineHarness pipeline = PipelineHarness.start(vertx, TestDatabase.newDatabase(), smallQueue);
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions(PushClient.OPTIONS).setMaxConnections(CLIENTS));
    List<Reader> readers = readers();
    for (Reader reader : readers) {
      connect(pipeline, client, reader);
    }
    PipelineHarness.await(Future.all(readers.stream().map(r -> r.snapshot.future()).toList()));

    phase(pipeline, readers, "warm", WARM_UP_REQUESTS);
    Phase without = phase(pipeline, readers, "free", REQUESTS_PER_SESSION);

    // the stuck client subscribes to everything, events included, then stops reading
    AtomicLong stuckFrames = new AtomicLong();
    WebSocketClient stuckClient = vertx.createWebSocketClient(new WebSocketClientOptions().setReceiveBufferSize(4096));
    ClientWebSocket stuck = stuckClient.webSocket();
    Promise<Short> stuckClosed = Promise.promise();
    stuck.textMessageHandler(text -> stuckFrames.incrementAndGet());
    stuck.closeHandler(v -> stuckClosed.complete(stuck.closeStatusCode()));
    PipelineHarness.await(stuck.connect(options(pipeline)));
    PipelineHarness.await(stuck.writeTextMessage(new JsonObject().put("op", "subscribe").put("filter", new JsonObject()
        .put("types", new JsonArray(List.of("session.updated", "session.status", "context.level", "checkpoint.created",
            "event")))).encode()));
    double droppedBefore = droppedTooSlow();
    stuck.pause();
    // reads again once the server gave up on it: a close frame left waiting behind a full socket past
    // the server's closing time-out (a busy machine's long phase) would be cut off, a 1006
    long resumer = vertx.setPeriodic(20, id -> {
      if (droppedTooSlow() > droppedBefore) {
        vertx.cancelTimer(id);
        stuck.resume();
      }
    });
    Phase with = phase(pipeline, readers, "stuck", REQUESTS_PER_SESSION);

    // what the server queued before it gave up, then its close frame, reach the client once it reads again
    vertx.cancelTimer(resumer);
    stuck.resume();
    assertThat(PipelineHarness.await(stuckClosed.future())).isEqualTo((short) 4008);
    assertThat(stuckFrames.get()).isPositive();

    System.out.printf("fan-out: %d clients (%d reading), %d sessions x %d requests x %d turns per phase%n",
        CLIENTS, readers.size(), SESSIONS, REQUESTS_PER_SESSION, TURNS_PER_REQUEST);
    System.out.printf("ingestion without the stuck client: %d records in %d ms = %.0f records/s%n",
        without.records, without.millis, without.recordsPerSecond());
    System.out.printf("ingestion with the stuck client:    %d records in %d ms = %.0f records/s%n",
        with.records, with.millis, with.recordsPerSecond());
    System.out.printf("the stuck client read %d frames before its close (4008)%n", stuckFrames.get());
    System.out.printf("updates folded into newer ones for slow readers: %d without, %d with the stuck client%n",
        without.folded, with.folded);
    printLatency("without the stuck client", without.latencies);
    printLatency("with the stuck client", with.latencies);
    pipeline.stop();
    // the clients are closed only now: a client no longer referenced is closed by a cleaner, with its connections
    PipelineHarness.await(Future.all(client.close(), stuckClient.close()));
  }

  /** 49 clients see every session, 100 one session each (of every phase), 50 one project each. */
  private static List<Reader> readers() {
    List<Reader> readers = new ArrayList<>();
    for (int i = 0; i < 49; i++) {
      readers.add(new Reader(new JsonObject(), s -> true));
    }
    for (int i = 0; i < 100; i++) {
      int session = i % SESSIONS;
      JsonArray ids = new JsonArray(List.of(sessionId("warm", session), sessionId("free", session), sessionId("stuck", session)));
      readers.add(new Reader(new JsonObject().put("sessions", ids), s -> s == session));
    }
    for (int i = 0; i < 50; i++) {
      int project = i % PROJECTS;
      readers.add(new Reader(PushClient.filter("projects", "proj-" + project), s -> s % PROJECTS == project));
    }
    return readers;
  }

  private static void connect(PipelineHarness pipeline, WebSocketClient client, Reader reader) throws Exception {
    reader.socket = client.webSocket();
    reader.socket.textMessageHandler(text -> reader.received(text, System.nanoTime()));
    PipelineHarness.await(reader.socket.connect(options(pipeline)));
    PipelineHarness.await(reader.socket.writeTextMessage(new JsonObject().put("op", "subscribe").put("filter", reader.filter).encode()));
  }

  private static WebSocketConnectOptions options(PipelineHarness pipeline) {
    return new WebSocketConnectOptions().setHost("127.0.0.1").setPort(pipeline.apiPort()).setURI("/v1/stream");
  }

  private static String sessionId(String phase, int session) {
    return phase + "-s" + session;
  }

  /** What one phase measured. */
  private record Phase(long records, long millis, long[] latencies, long folded) {
    double recordsPerSecond() {
      return records * 1000.0 / millis;
    }
  }

  /**
   * Posts {@code requests} requests for each session (sessions in parallel, each session's in
   * order), waits until every reading client has its sessions' last update, and checks them.
   */
  private Phase phase(PipelineHarness pipeline, List<Reader> readers, String phase, int requests) throws Exception {
    long finalApiRequests = (long) requests * TURNS_PER_REQUEST;
    CountDownLatch finals = new CountDownLatch(readers.stream()
        .mapToInt(r -> (int) IntStream.range(0, SESSIONS).filter(r.wants::test).count()).sum());
    for (Reader reader : readers) {
      synchronized (reader) {
        reader.finals = finals;
        reader.finalApiRequests = finalApiRequests;
      }
    }
    Instant start = Instant.now().minusSeconds(3600);
    long began = System.nanoTime();
    List<Future<Void>> posters = new ArrayList<>();
    for (int s = 0; s < SESSIONS; s++) {
      PushLoad.Session session = new PushLoad.Session(sessionId(phase, s), "proj-" + s % PROJECTS, "term-" + s,
          "claude-sonnet-4-5", 20_000, 300, start);
      posters.add(post(pipeline, session, 0, requests));
    }
    PipelineHarness.await(Future.all(posters));
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
    assertThat(finals.await(WAIT_SECONDS, TimeUnit.SECONDS))
        .as("every reading client got the last update of its sessions (%d missing)", finals.getCount()).isTrue();
    List<Long> latencies = new ArrayList<>();
    long folded = 0;
    for (Reader reader : readers) {
      folded += check(reader, phase, requests, latencies);
    }
    long records = (long) SESSIONS * PushLoad.events(0, requests * TURNS_PER_REQUEST);
    return new Phase(records, millis, latencies.stream().mapToLong(Long::longValue).sorted().toArray(), folded);
  }

  /** One session's requests one after the other, noting when each was answered. */
  private Future<Void> post(PipelineHarness pipeline, PushLoad.Session session, int request, int requests) {
    if (request == requests) {
      return Future.succeededFuture();
    }
    return pipeline.post("/v1/logs", PushLoad.PROTOBUF, PushLoad.turns(session, request * TURNS_PER_REQUEST, TURNS_PER_REQUEST), Map.of())
        .compose(response -> {
          if (response.status() != 200) {
            return Future.failedFuture(session.id() + " request " + request + ": " + response.status() + " " + response.body());
          }
          answered.put(session.id() + "/" + (request + 1L) * TURNS_PER_REQUEST, System.nanoTime());
          return post(pipeline, session, request + 1, requests);
        });
  }

  /**
   * Every update of each session in the reader's filter, in order: apiRequests only grows and ends
   * at the last request's, and the updates received plus those folded into them are all the requests.
   * Returns how many were folded.
   */
  private long check(Reader reader, String phase, int requests, List<Long> latencies) {
    synchronized (reader) {
      assertThat(reader.problems).isEmpty();
    }
    long folded = 0;
    Map<String, Integer> expected = new HashMap<>();
    for (int s = 0; s < SESSIONS; s++) {
      if (reader.wants.test(s)) {
        expected.put(sessionId(phase, s), requests);
      }
    }
    for (Map.Entry<String, Integer> session : expected.entrySet()) {
      List<Update> updates = reader.updates(session.getKey());
      long[] apiRequests = updates.stream().mapToLong(Update::apiRequests).toArray();
      long[] increasing = Arrays.stream(apiRequests).sorted().distinct().toArray();
      assertThat(apiRequests).as("%s for %s", session.getKey(), reader.filter).isEqualTo(increasing);
      assertThat(apiRequests[apiRequests.length - 1]).isEqualTo((long) requests * TURNS_PER_REQUEST);
      int coalesced = updates.stream().mapToInt(Update::coalesced).sum();
      assertThat(updates.size() + coalesced).isEqualTo(session.getValue());
      folded += coalesced;
      for (Update update : updates) {
        latencies.add(update.nanos() - answered.get(update.sessionId() + "/" + update.apiRequests()));
      }
    }
    assertThat(reader.updates.stream().map(Update::sessionId).filter(id -> id.startsWith(phase + "-")).distinct())
        .containsExactlyInAnyOrderElementsOf(expected.keySet());
    return folded;
  }

  private static void printLatency(String label, long[] sorted) {
    System.out.printf("200 -> frame %s: %d frames, p50 %.2f ms, p99 %.2f ms, max %.2f ms (negative: the frame came before the 200)%n",
        label, sorted.length, percentile(sorted, 50), percentile(sorted, 99), sorted[sorted.length - 1] / 1e6);
  }

  private static double percentile(long[] sorted, double percent) {
    int index = (int) Math.ceil(percent / 100 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
  }
}
