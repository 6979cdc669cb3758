package dev.contextwatch.core.config;

/**
 * The WebSocket feed: the connection cap, the largest client frame, the per-connection queue (a
 * client further behind is closed), the resume ring, and the idle ping. Who may connect is the
 * API's token ({@link ApiConfig}).
 */
public record StreamConfig(int maxConnections, int maxFrameBytes, int queueFrames, int ringFrames, int pingSeconds) {}
