package dev.contextwatch.push;

import dev.contextwatch.core.summary.SummaryTiles;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Set;

/**
 * One server frame. Its JSON is encoded once, when it is made, however many connections it goes
 * to, and only the text is kept: the per-connection {@code seq} (and {@code coalesced} count) is
 * put in front of it as it is written. {@link #bytes} is the text's size in UTF-8, what the queues
 * count. A {@code session.updated} frame is also encoded with the tile summary of its session, for
 * the clients that subscribed to tiles ({@link SummaryShape}); the ring counts both texts.
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
  private final String encoded;
  /** The JSON with the tile summary in {@code data}, for a {@code session.updated} frame; else null. */
  private final String tileEncoded;
  private final int tileBytes;

  private Frame(String type, long position, String sessionId, String project, String runId, boolean synthetic, boolean live,
      JsonObject json, JsonObject tileJson) {
    this.type = type;
    this.live = live;
    this.position = position;
    this.sessionId = sessionId;
    this.project = project;
    this.runId = runId;
    this.synthetic = synthetic;
    this.encoded = json.encode();
    this.bytes = utf8Length(encoded);
    this.tileEncoded = tileJson == null ? null : tileJson.encode();
    this.tileBytes = tileEncoded == null ? 0 : utf8Length(tileEncoded);
  }

  /** A frame about one session, kept in the resume ring: routing fields at the top, the payload in {@code data}. */
  static Frame live(String type, long position, String sessionId, String project, String runId, boolean synthetic,
      JsonObject data) {
    JsonObject json = envelope(type, position)
        .put("sessionId", sessionId)
        .put("project", project)
        .put("runId", runId);
    JsonObject tileJson = SESSION_UPDATED.equals(type) ? json.copy().put("data", SummaryTiles.of(data)) : null;
    return new Frame(type, position, sessionId, project, runId, synthetic, true, json.put("data", data), tileJson);
  }

  /** A frame for one connection (snapshot, resumed, pong, ping, error...); no filter applies to it. */
  static Frame control(String type, long position, JsonObject fields) {
    return new Frame(type, position, null, null, null, false, false, envelope(type, position).mergeIn(fields), null);
  }

  /** The size of the text a client of that shape is sent. */
  int bytes(SummaryShape shape) {
    return shape == SummaryShape.TILE && tileEncoded != null ? tileBytes : bytes;
  }

  /** The size of every text the frame holds, what the resume ring counts. */
  int heldBytes() {
    return bytes + tileBytes;
  }

  /**
   * Whether the frame belongs to what a subscription streams (its snapshot or resume answer, and
   * live frames) rather than answering one client frame (pong, error, unsubscribed, ping).
   */
  boolean partOfSubscription() {
    return live || SNAPSHOT.equals(type) || RESUMED.equals(type);
  }

  /** The UTF-8 size of the text without encoding it: a surrogate pair is 4 bytes, 2 per char. */
  static int utf8Length(String text) {
    int bytes = text.length();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c >= 0x80) {
        bytes += c < 0x800 || Character.isSurrogate(c) ? 1 : 2;
      }
    }
    return bytes;
  }

  private static JsonObject envelope(String type, long position) {
    return new JsonObject().put("type", type).put("time", Instant.now().toString()).put("position", position);
  }

  /** The frame's text as the {@code seq}-th frame of a stream, {@code coalesced} older updates folded into it. */
  String text(long seq, int coalesced) {
    return text(seq, coalesced, SummaryShape.FULL);
  }

  /** The frame's text for a client of that shape. */
  String text(long seq, int coalesced, SummaryShape shape) {
    String encoded = shape == SummaryShape.TILE && tileEncoded != null ? tileEncoded : this.encoded;
    StringBuilder text = new StringBuilder(encoded.length() + 32).append("{\"seq\":").append(seq);
    if (coalesced > 0) {
      text.append(",\"coalesced\":").append(coalesced);
    }
    return text.append(',').append(encoded, 1, encoded.length()).toString();
  }
}
