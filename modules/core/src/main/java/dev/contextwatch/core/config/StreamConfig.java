package dev.contextwatch.core.config;

/**
 * The WebSocket feed: the connection cap, the largest client message, each connection's queue of
 * frames its socket has not taken (in frames and in bytes: a client further behind is closed), the
 * resume ring (in frames and in bytes), the largest snapshot, and the idle ping. Byte sizes are
 * those of the frames' JSON text as sent. Who may connect is the API's token ({@link ApiConfig}).
 */
public record StreamConfig(
    int maxConnections,
    int maxFrameBytes,
    int queueFrames,
    int queueBytes,
    int ringFrames,
    int ringBytes,
    int snapshotBytes,
    int pingSeconds) {

  public StreamConfig withMaxConnections(int newMaxConnections) {
    return new StreamConfig(newMaxConnections, maxFrameBytes, queueFrames, queueBytes, ringFrames, ringBytes, snapshotBytes,
        pingSeconds);
  }

  public StreamConfig withMaxFrameBytes(int newMaxFrameBytes) {
    return new StreamConfig(maxConnections, newMaxFrameBytes, queueFrames, queueBytes, ringFrames, ringBytes, snapshotBytes,
        pingSeconds);
  }

  public StreamConfig withQueueFrames(int newQueueFrames) {
    return new StreamConfig(maxConnections, maxFrameBytes, newQueueFrames, queueBytes, ringFrames, ringBytes, snapshotBytes,
        pingSeconds);
  }

  /** The byte bounds of the queues, the ring and the snapshot. */
  public StreamConfig withBytes(int newQueueBytes, int newRingBytes, int newSnapshotBytes) {
    return new StreamConfig(maxConnections, maxFrameBytes, queueFrames, newQueueBytes, ringFrames, newRingBytes, newSnapshotBytes,
        pingSeconds);
  }

  public StreamConfig withPingSeconds(int newPingSeconds) {
    return new StreamConfig(maxConnections, maxFrameBytes, queueFrames, queueBytes, ringFrames, ringBytes, snapshotBytes,
        newPingSeconds);
  }
}
