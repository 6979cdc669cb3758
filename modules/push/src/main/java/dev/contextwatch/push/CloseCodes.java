package dev.contextwatch.push;

/** The WebSocket close codes the live feed uses (docs/websocket.md lists them for clients). */
final class CloseCodes {
  /** The server is stopping; reconnect with resume. */
  static final short GOING_AWAY = 1001;
  /** Too many malformed frames in a row. */
  static final short POLICY_VIOLATION = 1008;
  /** The client sent a message larger than {@code streamMaxFrameBytes}. */
  static final short MESSAGE_TOO_BIG = 1009;
  /** The snapshot could not be read (database unavailable); reconnect later. */
  static final short INTERNAL_ERROR = 1011;
  /** {@code streamMaxConnections} are open already; reconnect later. */
  static final short TRY_AGAIN_LATER = 1013;
  /** The client read too slowly: more than {@code streamQueueFrames} frames or {@code streamQueueBytes} waited even after coalescing. */
  static final short TOO_SLOW = 4008;

  private CloseCodes() {}
}
