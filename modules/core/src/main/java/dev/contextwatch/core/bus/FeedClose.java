package dev.contextwatch.core.bus;

import io.vertx.core.http.ServerWebSocket;

/**
 * The WebSocket close codes of the live feed (docs/websocket.md lists them for clients): the API,
 * which accepts a feed's socket, and the push verticle, which owns it after, close with them.
 */
public final class FeedClose {
  /** The server is stopping; reconnect with resume. */
  public static final short GOING_AWAY = 1001;
  /** Too many malformed frames in a row. */
  public static final short POLICY_VIOLATION = 1008;
  /** The client sent a message larger than {@code streamMaxFrameBytes}. */
  public static final short MESSAGE_TOO_BIG = 1009;
  /** The snapshot could not be read (database unavailable); reconnect later. */
  public static final short INTERNAL_ERROR = 1011;
  /** {@code streamMaxConnections} are open already; reconnect later. */
  public static final short TRY_AGAIN_LATER = 1013;
  /** The client read too slowly: more than {@code streamQueueFrames} frames or {@code streamQueueBytes} waited even after coalescing. */
  public static final short TOO_SLOW = 4008;

  private FeedClose() {}

  /**
   * Closes {@code socket} with {@link #MESSAGE_TOO_BIG} for a message over {@code maxFrameBytes},
   * which Vert.x stopped reading, unless it is closed already; true when this closed it.
   */
  public static boolean tooLarge(ServerWebSocket socket, int maxFrameBytes) {
    if (socket.isClosed()) {
      return false;
    }
    socket.close(MESSAGE_TOO_BIG, "message larger than streamMaxFrameBytes (" + maxFrameBytes + " bytes)");
    return true;
  }
}
