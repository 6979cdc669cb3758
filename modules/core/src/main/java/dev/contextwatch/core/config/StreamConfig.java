package dev.contextwatch.core.config;

/**
 * The WebSocket feed: an optional token, the connection cap, the largest client frame, the
 * per-connection queue (a client further behind is closed), the resume ring, and the idle ping.
 */
public record StreamConfig(String token, int maxConnections, int maxFrameBytes, int queueFrames, int ringFrames,
    int pingSeconds) {

  public boolean authRequired() {
    return !token.isEmpty();
  }

  @Override
  public String toString() {
    return "StreamConfig[token=%s, maxConnections=%d, maxFrameBytes=%d, queueFrames=%d, ringFrames=%d, pingSeconds=%d]"
        .formatted(authRequired() ? "***" : "", maxConnections, maxFrameBytes, queueFrames, ringFrames, pingSeconds);
  }
}
