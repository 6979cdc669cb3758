package dev.contextwatch.push;

import dev.contextwatch.core.cluster.FeedFrameWire;
import dev.contextwatch.core.summary.SummaryTiles;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Set;

/**
 * One server frame. Its JSON is encoded to UTF-8 once, when it is made, however many connections
 * it goes to, and only those bytes are kept. A connection is sent the frame as one text message in
 * fragments: its own {@code seq} (and {@code coalesced} count) in a small first fragment, then the
 * shared bytes, never copied per connection. {@link #bytes} is the JSON's size in UTF-8, what the
 * queues count. A {@code session.updated} frame is also encoded with the tile summary of its
 * session, for the clients that subscribed to tiles ({@link SummaryShape}); the ring counts both.
 * In a cluster a frame also carries the {@code node} that made it, and its position names the node
 * that serves it; a frame from another node is put together from the data bytes it came with.
 */
final class Frame {
  static final String SESSION_UPDATED = "session.updated";
  static final String SESSION_STATUS = "session.status";
  static final String CONTEXT_LEVEL = "context.level";
  static final String CHECKPOINT_CREATED = "checkpoint.created";
  static final String EVENT = "event";
  static final String BUDGET_WARNING = "budget.warning";
  static final String BUDGET_EXCEEDED = "budget.exceeded";

  /** The live frame types a filter can name; {@link #EVENT} comes only to clients that name it. */
  static final Set<String> LIVE_TYPES = Set.of(SESSION_UPDATED, SESSION_STATUS, CONTEXT_LEVEL, CHECKPOINT_CREATED, EVENT,
      BUDGET_WARNING, BUDGET_EXCEEDED);

  static final String SNAPSHOT = "snapshot";
  static final String RESUMED = "resumed";
  static final String UNSUBSCRIBED = "unsubscribed";
  static final String PONG = "pong";
  static final String PING = "ping";
  static final String ERROR = "error";

  /**
   * The largest continuation fragment written: Vert.x's default maximum frame size, so that a
   * client with default settings takes every fragment (its message limit is what bounds the whole).
   */
  static final int FRAGMENT_BYTES = 65_536;

  private static final Buffer DATA_KEY = Buffer.buffer(",\"data\":");

  final String type;
  final long position;
  final String sessionId;
  final String project;
  final String runId;
  /** Its session was simulated by a load test: shown only to filters that ask for synthetic sessions. */
  final boolean synthetic;
  /** A live frame, with a position of its own, as opposed to one for a single connection. */
  final boolean live;
  /** Its JSON's size in bytes (UTF-8). */
  final int bytes;
  /** The JSON's UTF-8 bytes after its opening brace, what follows a connection's own fields. */
  private final Buffer body;
  /** The same with the tile summary in {@code data}, for a {@code session.updated} frame; else null. */
  private final Buffer tileBody;

  private Frame(String type, long position, String sessionId, String project, String runId, boolean synthetic, boolean live,
      Buffer body, Buffer tileBody) {
    this.type = type;
    this.live = live;
    this.position = position;
    this.sessionId = sessionId;
    this.project = project;
    this.runId = runId;
    this.synthetic = synthetic;
    this.body = body;
    this.bytes = body.length() + 1;
    this.tileBody = tileBody;
  }

  private static Buffer afterBrace(JsonObject json) {
    Buffer encoded = json.toBuffer();
    return encoded.slice(1, encoded.length());
  }

  /** The envelope's JSON after its opening brace with {@code "data"} last: its encoded bytes put in as they are. */
  private static Buffer afterBrace(JsonObject envelope, Buffer data) {
    Buffer head = envelope.toBuffer();
    return Buffer.buffer(head.length() + data.length() + DATA_KEY.length())
        .appendBuffer(head, 1, head.length() - 2).appendBuffer(DATA_KEY).appendBuffer(data).appendByte((byte) '}');
  }

  /** A frame about one session, kept in the resume ring: routing fields at the top, the payload in {@code data}. */
  static Frame live(String type, long position, String sessionId, String project, String runId, boolean synthetic,
      JsonObject data) {
    JsonObject json = routed(envelope(type, position, null), sessionId, project, runId);
    JsonObject tileJson = SESSION_UPDATED.equals(type) ? json.copy().put("data", SummaryTiles.of(data)) : null;
    return new Frame(type, position, sessionId, project, runId, synthetic, true, afterBrace(json.put("data", data)),
        tileJson == null ? null : afterBrace(tileJson));
  }

  /**
   * A frame of a cluster's feed for the other nodes: its data (and tile summary, for a {@code
   * session.updated} frame) encoded once, here, the node that made it.
   */
  static FeedFrameWire wire(String node, String type, String sessionId, String project, String runId, boolean synthetic,
      JsonObject data) {
    Buffer tileData = SESSION_UPDATED.equals(type) ? SummaryTiles.of(data).toBuffer() : null;
    return new FeedFrameWire(node, type, sessionId, project, runId, synthetic, data.toBuffer(), tileData);
  }

  /**
   * A live frame in a cluster, made here or on another node ({@code made.node()}, the envelope's
   * {@code node}), at this node's position {@code node:position}; its data bytes go in as they came.
   */
  static Frame live(FeedFrameWire made, long position, String node) {
    JsonObject envelope = routed(envelope(made.type(), node + ":" + position, made.node()), made.sessionId(), made.project(),
        made.runId());
    return new Frame(made.type(), position, made.sessionId(), made.project(), made.runId(), made.synthetic(), true,
        afterBrace(envelope, made.data()), made.tileData() == null ? null : afterBrace(envelope, made.tileData()));
  }

  /** A frame for one connection (snapshot, resumed, pong, ping, error...); no filter applies to it. */
  static Frame control(String type, long position, JsonObject fields) {
    return control(type, position, null, fields);
  }

  /** The same on node {@code node} of a cluster (null: a single node), whose positions name it. */
  static Frame control(String type, long position, String node, JsonObject fields) {
    return new Frame(type, position, null, null, null, false, false,
        afterBrace(envelope(type, positionLabel(position, node), node).mergeIn(fields)), null);
  }

  /** A position as clients see it: the number on a single node, {@code "node:number"} on a node of a cluster. */
  static Object positionLabel(long position, String node) {
    return node == null ? (Object) position : node + ":" + position;
  }

  /** The size of the text a client of that shape is sent. */
  int bytes(SummaryShape shape) {
    return body(shape).length() + 1;
  }

  /** The size of every text the frame holds, what the resume ring counts. */
  int heldBytes() {
    return bytes + (tileBody == null ? 0 : tileBody.length() + 1);
  }

  /**
   * Whether the frame belongs to what a subscription streams (its snapshot or resume answer, and
   * live frames) rather than answering one client frame (pong, error, unsubscribed, ping).
   */
  boolean partOfSubscription() {
    return live || SNAPSHOT.equals(type) || RESUMED.equals(type);
  }

  /** The fields every frame starts with; {@code node}, the node that made it, only in a cluster. */
  private static JsonObject envelope(String type, Object position, String node) {
    JsonObject envelope = new JsonObject().put("type", type).put("time", Instant.now().toString()).put("position", position);
    return node == null ? envelope : envelope.put("node", node);
  }

  private static JsonObject routed(JsonObject envelope, String sessionId, String project, String runId) {
    return envelope.put("sessionId", sessionId).put("project", project).put("runId", runId);
  }

  /**
   * Writes the frame to the socket as the {@code seq}-th message of its stream, {@code coalesced}
   * older updates folded into it: the connection's own fields in a first text fragment, then the
   * shared bytes in continuation fragments of at most {@link #FRAGMENT_BYTES}.
   */
  void writeTo(ServerWebSocket socket, long seq, int coalesced, SummaryShape shape) {
    socket.writeFrame(WebSocketFrame.textFrame(head(seq, coalesced), false));
    Buffer shared = body(shape);
    for (int start = 0; start < shared.length(); start += FRAGMENT_BYTES) {
      int end = Math.min(start + FRAGMENT_BYTES, shared.length());
      socket.writeFrame(WebSocketFrame.continuationFrame(shared.slice(start, end), end == shared.length()));
    }
  }

  /** The text a client receives from {@link #writeTo}, whole. */
  String text(long seq, int coalesced, SummaryShape shape) {
    return head(seq, coalesced) + body(shape).toString(StandardCharsets.UTF_8);
  }

  /** The text a client of full summaries receives. */
  String text(long seq, int coalesced) {
    return text(seq, coalesced, SummaryShape.FULL);
  }

  private Buffer body(SummaryShape shape) {
    return shape == SummaryShape.TILE && tileBody != null ? tileBody : body;
  }

  private static String head(long seq, int coalesced) {
    return coalesced > 0 ? "{\"seq\":" + seq + ",\"coalesced\":" + coalesced + "," : "{\"seq\":" + seq + ",";
  }
}
