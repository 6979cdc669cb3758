package dev.contextwatch.push;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Set;

/**
 * One server frame. Its JSON is encoded once, however many connections it goes to: the
 * per-connection {@code seq} (and {@code coalesced} count) is put in front of it as it is written.
 */
final class Frame {
  static final String SESSION_UPDATED = "session.updated";
  static final String SESSION_STATUS = "session.status";
  static final String CONTEXT_LEVEL = "context.level";
  static final String CHECKPOINT_CREATED = "checkpoint.created";
  static final String EVENT = "event";

  /** The live frame types a filter can name; {@link #EVENT} comes only to clients that name it. */
  static final Set<String> LIVE_TYPES = Set.of(SESSION_UPDATED, SESSION_STATUS, CONTEXT_LEVEL, CHECKPOINT_CREATED, EVENT);

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
  private final JsonObject json;
  private String encoded;

  private Frame(String type, long position, String sessionId, String project, String runId, JsonObject json) {
    this.type = type;
    this.position = position;
    this.sessionId = sessionId;
    this.project = project;
    this.runId = runId;
    this.json = json;
  }

  /** A frame about one session, kept in the resume ring: routing fields at the top, the payload in {@code data}. */
  static Frame live(String type, long position, String sessionId, String project, String runId, JsonObject data) {
    JsonObject json = envelope(type, position)
        .put("sessionId", sessionId)
        .put("project", project)
        .put("runId", runId)
        .put("data", data);
    return new Frame(type, position, sessionId, project, runId, json);
  }

  /** A frame for one connection (snapshot, resumed, pong, ping, error...); no filter applies to it. */
  static Frame control(String type, long position, JsonObject fields) {
    return new Frame(type, position, null, null, null, envelope(type, position).mergeIn(fields));
  }

  private static JsonObject envelope(String type, long position) {
    return new JsonObject().put("type", type).put("time", Instant.now().toString()).put("position", position);
  }

  /** The frame's text as the {@code seq}-th frame of a stream, {@code coalesced} older updates folded into it. */
  String text(long seq, int coalesced) {
    if (encoded == null) {
      encoded = json.encode();
    }
    StringBuilder text = new StringBuilder(encoded.length() + 32).append("{\"seq\":").append(seq);
    if (coalesced > 0) {
      text.append(",\"coalesced\":").append(coalesced);
    }
    return text.append(',').append(encoded, 1, encoded.length()).toString();
  }
}
