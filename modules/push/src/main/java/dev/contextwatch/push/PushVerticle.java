package dev.contextwatch.push;

import dev.contextwatch.core.bus.Addresses;
import dev.contextwatch.core.bus.FeedClose;
import dev.contextwatch.core.bus.LocalCodec;
import dev.contextwatch.core.cluster.FeedFrameWire;
import dev.contextwatch.core.cluster.Ownership;
import dev.contextwatch.core.config.DatabaseConfig;
import dev.contextwatch.core.config.SessionConfig;
import dev.contextwatch.core.config.StreamConfig;
import dev.contextwatch.core.db.DatabasePool;
import dev.contextwatch.core.db.Databases;
import dev.contextwatch.core.metrics.Meters;
import dev.contextwatch.core.model.EventRecord;
import dev.contextwatch.core.model.RecordBatch;
import dev.contextwatch.core.model.Synthetic;
import dev.contextwatch.core.summary.BudgetCrossed;
import dev.contextwatch.core.summary.ContextLevelChanged;
import dev.contextwatch.core.summary.SessionStatusChanged;
import dev.contextwatch.core.summary.SessionSummary;
import dev.contextwatch.core.summary.SessionsUpdated;
import dev.contextwatch.core.summary.SummaryCodec;
import io.micrometer.core.instrument.Gauge;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live feed behind {@code /v1/stream}: owns every WebSocket the API accepted, turns what the
 * pipeline publishes into frames, and sends each client the frames its filter matches, after a
 * snapshot or the frames it missed. Socket callbacks arrive on the API's event loop and are moved
 * onto this verticle's context, so its state is only ever touched from one thread. Nothing here
 * blocks or waits on a client: a client that falls behind is closed (docs/websocket.md). Every
 * buffer is bounded in bytes as well as in frames: the ring, each connection's queue, and each
 * snapshot. Connections are indexed by their filters ({@link Subscriptions}), so a frame visits only
 * those it can match, and an event frame is made only when some client's filter matches it. In a
 * cluster every frame made here is also published to the other nodes ({@link Addresses#FEED_FRAMES}),
 * and theirs are sent to the connections here like this node's own, at this node's positions; event
 * frames are made for the other nodes only while one of them says its connections want some
 * ({@link Addresses#FEED_EVENTS_WANTED}).
 */
public final class PushVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(PushVerticle.class);
  /** Malformed frames in a row after which a client is closed. */
  static final int MAX_MALFORMED_IN_A_ROW = 5;
  /** Sessions whose project, run and synthetic mark are remembered to route event frames (records carry only the session id). */
  private static final int IDENTITIES = 100_000;
  /** Ping periods without a word from a node after which its connections are taken to want no more event frames. */
  private static final int EVENTS_WANTED_PERIODS = 3;

  private final StreamConfig stream;
  private final SessionConfig sessions;
  private final DatabaseConfig database;
  private final Set<Connection> connections = new LinkedHashSet<>();
  private final Subscriptions subscriptions = new Subscriptions();
  private final Map<String, Identity> identities = new LinkedHashMap<>(1024, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Identity> eldest) {
      return size() > IDENTITIES;
    }
  };
  private Ring ring;
  private long position;
  /**
   * The position at which events were last committed while no client asked for event frames, so
   * none were made: a resume that wants events from before it would miss them. -1: never.
   */
  private long eventsSkippedAt = -1;
  /** This node's id in a cluster, which its positions name; null on a single node. */
  private String node;
  /**
   * In a cluster, the position since which the other nodes were told without a break that
   * connections here want event frames (before it they may have left some unmade): Long.MAX_VALUE
   * while none here wants them; -1 on a single node, which has no other nodes.
   */
  private long eventsWantedSince = -1;
  /** The other nodes whose connections want event frames, with when each last said so (System.nanoTime). */
  private final Map<String, Long> eventsWantedBy = new HashMap<>();
  private Pool pool;
  private Snapshots snapshots;
  private long pingTimer;

  private record Identity(String project, String runId, boolean synthetic) {
    static final Identity UNKNOWN = new Identity(null, null, false);

    static Identity of(JsonObject json) {
      return new Identity(json.getString("project"), json.getString("runId"), Boolean.TRUE.equals(json.getValue("synthetic")));
    }
  }

  public PushVerticle(StreamConfig stream, SessionConfig sessions, DatabaseConfig database) {
    this.stream = stream;
    this.sessions = sessions;
    this.database = database;
  }

  @Override
  public Future<?> start() {
    LocalCodec.registerAll(vertx);
    Ownership ownership = Ownership.of(vertx);
    node = ownership.clustered() ? ownership.localNode() : null;
    // positions start at the clock in microseconds: a position from an earlier run is never one of this run's
    position = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
    ring = new Ring(stream.ringFrames(), stream.ringBytes());
    pool = Databases.pool(vertx, database, DatabasePool.PUSH);
    snapshots = new Snapshots(pool, sessions, stream.snapshotBytes());
    pingTimer = vertx.setPeriodic(TimeUnit.SECONDS.toMillis(stream.pingSeconds()), id -> everyPingPeriod());
    Gauge.builder("contextwatch_stream_connections", connections, Set::size).register(Meters.registry());
    List<Future<Void>> listening = new ArrayList<>(List.of(
            this.<ServerWebSocket>listen(Addresses.PUSH_CONNECT, this::connect),
            this.<Synthetic>listen(Addresses.PUSH_TILES, this::tiles),
            this.<SessionsUpdated>listen(Addresses.SESSION_UPDATED, this::sessionsUpdated),
            this.<SessionStatusChanged>listen(Addresses.SESSION_STATUS, m -> statusChanged(m.body())),
            this.<ContextLevelChanged>listen(Addresses.CONTEXT_LEVEL, m -> levelChanged(m.body())),
            this.<BudgetCrossed>listen(Addresses.BUDGET_CROSSED, m -> budgetCrossed(m.body())),
            this.<JsonObject>listen(Addresses.CHECKPOINT_CREATED, m -> sessionChange(Frame.CHECKPOINT_CREATED, m.body())),
            this.<RecordBatch>listen(Addresses.RECORDS_COMMITTED, this::recordsCommitted)));
    if (node != null) {
      listening.addAll(listenToCluster());
    }
    return Future.all(listening)
        .onSuccess(v -> LOG.info("event=push_started {}", stream))
        .onFailure(e -> pool.close());
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(pingTimer);
    List.copyOf(connections).forEach(c -> c.close(FeedClose.GOING_AWAY, "server stopping"));
    return pool.close().onComplete(v -> LOG.info("event=push_stopped"));
  }

  private <T> Future<Void> listen(String address, Handler<Message<T>> handler) {
    return vertx.eventBus().<T>localConsumer(address, handler).completion();
  }

  /** The other nodes' frames and wishes (clustered consumers), and membership changes, after which a new node learns the wishes here. */
  private List<Future<Void>> listenToCluster() {
    FeedFrameWire.register(vertx);
    eventsWantedSince = Long.MAX_VALUE;
    LOG.info("event=push_clustered node={}", node);
    return List.of(
        vertx.eventBus().<FeedFrameWire>consumer(Addresses.FEED_FRAMES, m -> fromAnotherNode(m.body())).completion(),
        vertx.eventBus().<String>consumer(Addresses.FEED_EVENTS_WANTED, m -> eventsWantedBy(m.body())).completion(),
        listen(Addresses.OWNERSHIP_CHANGED, m -> sayEventsWanted()));
  }

  /** Socket callbacks fire on the API's event loop: hand each to this verticle's context. */
  private <T> Handler<T> here(Handler<T> handler) {
    return value -> context.runOnContext(v -> handler.handle(value));
  }

  // ---- connections ----

  private void connect(Message<ServerWebSocket> message) {
    ServerWebSocket socket = message.body();
    message.reply(null);
    if (connections.size() >= stream.maxConnections()) {
      dropped("over_capacity");
      socket.close(FeedClose.TRY_AGAIN_LATER, "at most " + stream.maxConnections() + " connections; retry later");
      return;
    }
    Connection c = new Connection(socket, stream.queueFrames(), stream.queueBytes());
    connections.add(c);
    socket.textMessageHandler(here(text -> received(c, text)));
    socket.binaryMessageHandler(here(bytes -> malformed(c, "binary frames are not part of the protocol; send JSON text")));
    socket.exceptionHandler(error -> tooLarge(socket));
    socket.drainHandler(here(v -> c.pump()));
    socket.shutdownHandler(here(v -> c.close(FeedClose.GOING_AWAY, "server stopping")));
    socket.closeHandler(here(v -> closed(c)));
    socket.resume();
    if (socket.isClosed()) {
      // gone before the close handler was set: it will never fire
      connections.remove(c);
    }
  }

  private void closed(Connection c) {
    connections.remove(c);
    subscriptions.remove(c);
    eventsWantedHereMayHaveChanged();
  }

  /**
   * The one failure a socket reports while open: a message over {@code streamMaxFrameBytes}, which
   * Vert.x stopped reading. Closed at once, on the socket's own thread, so that no later part of
   * that message is taken for one of its own; a failure of a closed socket is the close handler's.
   */
  private void tooLarge(ServerWebSocket socket) {
    if (FeedClose.tooLarge(socket, stream.maxFrameBytes())) {
      dropped("too_large");
    }
  }

  private void received(Connection c, String text) {
    ClientMessage message;
    try {
      message = ClientMessage.parse(text);
    } catch (ProtocolException e) {
      malformed(c, e.getMessage());
      return;
    }
    c.malformedInARow = 0;
    switch (message.op()) {
      case SUBSCRIBE -> subscribe(c, message.filter(), message.resumeFrom(), message.resumeNode(), message.shape());
      case UNSUBSCRIBE -> unsubscribe(c);
      case PING -> reply(c, Frame.PONG, new JsonObject());
      case PONG -> { } // the answer to an idle ping: nothing to do
    }
  }

  private void malformed(Connection c, String problem) {
    c.malformedInARow++;
    reply(c, Frame.ERROR, new JsonObject().put("message", problem));
    if (c.malformedInARow >= MAX_MALFORMED_IN_A_ROW) {
      dropped("malformed");
      c.close(FeedClose.POLICY_VIOLATION, MAX_MALFORMED_IN_A_ROW + " malformed frames in a row");
    }
  }

  /**
   * A new subscribe replaces the subscription (what the earlier one still had waiting is dropped):
   * the frames missed since {@code resumeFrom} when they are all still held, else a snapshot. A
   * position of another node (its {@code resumeNode}) means nothing here: a snapshot says so.
   */
  private void subscribe(Connection c, Filter filter, Long resumeFrom, String resumeNode, SummaryShape shape) {
    replaceSubscription(c, filter, shape);
    if (resumeFrom == null) {
      snapshot(c, "subscribe");
    } else if (!Objects.equals(resumeNode, node)) {
      snapshot(c, "resume_other_node");
    } else if (canResume(filter, resumeFrom)) {
      send(c, Frame.control(Frame.RESUMED, resumeFrom, node,
          new JsonObject().put("filter", filter.toJson()).put("summary", shape.label())));
      replay(c, resumeFrom);
    } else {
      snapshot(c, "resume_gap");
    }
  }

  /** The ring holds every frame since then, and none the filter asks for was left unmade since then. */
  private boolean canResume(Filter filter, long resumeFrom) {
    return ring.covers(resumeFrom, position)
        && (!filter.namesEvents() || eventsSkippedAt < resumeFrom && eventsWantedSince < resumeFrom);
  }

  private void unsubscribe(Connection c) {
    replaceSubscription(c, null, SummaryShape.FULL);
    reply(c, Frame.UNSUBSCRIBED, new JsonObject());
  }

  /** The connection's filter and the index of filters change together; a null filter is none. */
  private void replaceSubscription(Connection c, Filter filter, SummaryShape shape) {
    c.replaceSubscription(filter, shape);
    subscriptions.put(c, filter);
    eventsWantedHereMayHaveChanged();
  }

  /**
   * The whole fleet's tile summaries for {@code GET /api/v1/fleet}, with the position they start
   * from: a client that subscribes with {@code resume_from} that position misses nothing between
   * the two (or gets a snapshot when the frames since then are no longer held). Synthetic sessions
   * are among them as the request's {@link Synthetic} says (none: left out).
   */
  private void tiles(Message<Synthetic> message) {
    long from = position;
    snapshots.read(Filter.fleet(message.body() == null ? Synthetic.EXCLUDE : message.body()), SummaryShape.TILE)
        .onSuccess(snapshot -> message.reply(snapshot.put("position", Frame.positionLabel(from, node)).toBuffer()))
        .onFailure(error -> {
          LOG.warn("event=push_snapshot_failed reason=\"{}\"", error.getMessage());
          message.fail(503, "the sessions could not be read; retry later");
        });
  }

  /** Wants a snapshot; live frames published meanwhile wait in the ring and follow it. */
  private void snapshot(Connection c, String reason) {
    c.loading = true;
    c.loadingFrom = position;
    c.loadingReason = reason;
    if (!c.reading) {
      readSnapshot(c);
    }
  }

  /** One read per connection at a time: a subscribe during a read is answered by the read that follows it. */
  private void readSnapshot(Connection c) {
    int generation = c.generation;
    long from = c.loadingFrom;
    String reason = c.loadingReason;
    c.reading = true;
    snapshots.read(c.filter, c.shape).onComplete(read -> {
      c.reading = false;
      if (c.closed()) {
        return;
      }
      if (c.generation != generation) {
        if (c.loading) {
          readSnapshot(c);
        }
      } else if (read.succeeded()) {
        snapshotRead(c, from, reason, read.result());
      } else {
        snapshotFailed(c, read.cause());
      }
    });
  }

  private void snapshotRead(Connection c, long from, String reason, JsonObject snapshot) {
    if (!ring.covers(from, position)) {
      // more frames were published during the read than the ring holds: read again
      snapshot(c, reason);
      return;
    }
    c.loading = false;
    send(c, Frame.control(Frame.SNAPSHOT, from, node, snapshot.put("reason", reason).put("filter", c.filter.toJson())));
    replay(c, from);
  }

  private void snapshotFailed(Connection c, Throwable error) {
    LOG.warn("event=push_snapshot_failed reason=\"{}\"", error.getMessage());
    reply(c, Frame.ERROR, new JsonObject().put("message", "the snapshot could not be read; reconnect later"));
    c.close(FeedClose.INTERNAL_ERROR, "snapshot unavailable");
  }

  private void replay(Connection c, long after) {
    ring.forEachAfter(after, frame -> {
      if (c.wants(frame)) {
        send(c, frame);
      }
    });
  }

  /** A frame for this client alone, at the position its stream has reached. */
  private void reply(Connection c, String type, JsonObject fields) {
    send(c, Frame.control(type, c.loading ? c.loadingFrom : position, node, fields));
  }

  private void send(Connection c, Frame frame) {
    if (!c.send(frame)) {
      LOG.info("event=push_client_too_slow remote={} waiting={} waiting_bytes={}", c.socket.remoteAddress(), c.waiting(),
          c.waitingBytes());
      dropped("too_slow");
      c.close(FeedClose.TOO_SLOW, "too slow: more than " + stream.queueFrames() + " frames or " + stream.queueBytes()
          + " bytes waiting");
    }
  }

  /** Clients the server closed on them, by reason (too_slow, too_large, malformed, over_capacity). */
  private static void dropped(String reason) {
    Meters.registry().counter("contextwatch_stream_clients_dropped_total", "reason", reason).increment();
  }

  private void everyPingPeriod() {
    pingIdle();
    if (node != null) {
      sayEventsWanted();
      forgetSilentNodes();
    }
  }

  private void pingIdle() {
    long idleSince = System.nanoTime() - TimeUnit.SECONDS.toNanos(stream.pingSeconds());
    for (Connection c : connections) {
      if (c.lastWriteNanos - idleSince <= 0) {
        reply(c, Frame.PING, new JsonObject());
      }
    }
  }

  // ---- what the pipeline publishes ----

  private void sessionsUpdated(Message<SessionsUpdated> message) {
    for (SessionSummary summary : message.body().sessions()) {
      Identity identity = new Identity(summary.project(), summary.runId(), summary.synthetic());
      identities.put(summary.sessionId(), identity);
      publish(Frame.SESSION_UPDATED, summary.sessionId(), identity, SummaryCodec.toJson(summary));
    }
  }

  private void statusChanged(SessionStatusChanged change) {
    publish(Frame.SESSION_STATUS, change.sessionId(), new Identity(change.project(), change.runId(), change.synthetic()),
        change.toJson());
  }

  private void levelChanged(ContextLevelChanged change) {
    publish(Frame.CONTEXT_LEVEL, change.sessionId(), new Identity(change.project(), change.runId(), change.synthetic()),
        change.toJson());
  }

  /**
   * A budget crossing names its session only for a session budget and its project only for a
   * project budget: a fleet budget's frame reaches the clients that filter on neither.
   */
  private void budgetCrossed(BudgetCrossed crossing) {
    publish(crossing.event(), crossing.sessionId(), new Identity(crossing.project(), null, false), crossing.toJson());
  }

  /** A checkpoint names its session, project and run, and says whether it is synthetic. */
  private void sessionChange(String type, JsonObject body) {
    publish(type, body.getString("sessionId"), Identity.of(body), body);
  }

  /** Event frames, one per record, are made only for a record some client's filter matches; else its skipping is noted. */
  private void recordsCommitted(Message<RecordBatch> message) {
    for (EventRecord event : message.body().events()) {
      Identity identity = identities.getOrDefault(event.sessionId(), Identity.UNKNOWN);
      if (subscriptions.wantEvent(event.sessionId(), identity.project(), identity.runId(), identity.synthetic())
          || !eventsWantedBy.isEmpty()) {
        publish(Frame.EVENT, event.sessionId(), identity, eventJson(event));
      } else {
        eventsSkippedAt = position;
      }
    }
  }

  /** A frame made here: sent to the connections here and, in a cluster, to the other nodes. */
  private void publish(String type, String sessionId, Identity identity, JsonObject data) {
    if (node == null) {
      fanOut(Frame.live(type, ++position, sessionId, identity.project(), identity.runId(), identity.synthetic(), data));
      return;
    }
    FeedFrameWire made = Frame.wire(node, type, sessionId, identity.project(), identity.runId(), identity.synthetic(), data);
    fanOut(Frame.live(made, ++position, node));
    vertx.eventBus().publish(Addresses.FEED_FRAMES, made, FeedFrameWire.DELIVERY);
  }

  /** A frame another node made, taken like one made here; this node's own come back too and are left out. */
  private void fromAnotherNode(FeedFrameWire made) {
    if (!node.equals(made.node())) {
      fanOut(Frame.live(made, ++position, node));
    }
  }

  private void fanOut(Frame frame) {
    ring.add(frame);
    subscriptions.forEachCandidate(frame, c -> {
      if (c.wants(frame)) {
        send(c, frame);
      }
    });
  }

  // ---- event frames across a cluster ----

  /**
   * Tells the other nodes when the first connection here starts wanting event frames; when the
   * last one stops, they forget it after {@link #EVENTS_WANTED_PERIODS} ping periods without a word.
   */
  private void eventsWantedHereMayHaveChanged() {
    if (node == null) {
      return;
    }
    if (!subscriptions.anyNamesEvents()) {
      eventsWantedSince = Long.MAX_VALUE;
    } else if (eventsWantedSince == Long.MAX_VALUE) {
      eventsWantedSince = position;
      sayEventsWanted();
    }
  }

  private void sayEventsWanted() {
    if (eventsWantedSince != Long.MAX_VALUE) {
      vertx.eventBus().publish(Addresses.FEED_EVENTS_WANTED, node);
    }
  }

  private void eventsWantedBy(String other) {
    if (!node.equals(other)) {
      eventsWantedBy.put(other, System.nanoTime());
    }
  }

  private void forgetSilentNodes() {
    long silentSince = System.nanoTime() - TimeUnit.SECONDS.toNanos((long) EVENTS_WANTED_PERIODS * stream.pingSeconds());
    eventsWantedBy.values().removeIf(said -> said - silentSince < 0);
  }

  /** An event frame's data: the stored record as a client reads it. */
  static JsonObject eventJson(EventRecord e) {
    return new JsonObject()
        .put("sessionId", e.sessionId())
        .put("name", e.eventName())
        .put("time", e.time() == null ? null : e.time().toString())
        .put("sequence", e.eventSequence())
        .put("promptId", e.promptId())
        .put("model", e.model())
        .put("inputTokens", e.inputTokens())
        .put("outputTokens", e.outputTokens())
        .put("cacheReadTokens", e.cacheReadTokens())
        .put("cacheCreationTokens", e.cacheCreationTokens())
        .put("costUsd", e.costUsd())
        .put("costMicros", e.costMicros())
        .put("durationMs", e.durationMs())
        .put("attributes", e.attributes());
  }
}
