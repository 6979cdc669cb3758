package dev.contextwatch.core.config;

/** The OTLP receivers: HTTP on {@code port}, gRPC on {@code grpcPort}. An empty ingest token switches authentication off. */
public record ReceiverConfig(
    String host,
    int port,
    int grpcPort,
    int instances,
    int maxBodyBytes,
    String ingestToken,
    int storeTimeoutMs,
    int retryAfterSeconds) {

  public boolean authRequired() {
    return !ingestToken.isEmpty();
  }

  /** Ports 0 pick free ones; the receivers then run one instance each. */
  public ReceiverConfig withPorts(String newHost, int newPort, int newGrpcPort) {
    return new ReceiverConfig(newHost, newPort, newGrpcPort, instances, maxBodyBytes, ingestToken, storeTimeoutMs, retryAfterSeconds);
  }

  public ReceiverConfig withLimits(int newMaxBodyBytes, String newIngestToken) {
    return new ReceiverConfig(host, port, grpcPort, instances, newMaxBodyBytes, newIngestToken, storeTimeoutMs, retryAfterSeconds);
  }

  @Override
  public String toString() {
    return "ReceiverConfig[host=%s, port=%d, grpcPort=%d, instances=%d, maxBodyBytes=%d, ingestToken=%s, storeTimeoutMs=%d, retryAfterSeconds=%d]"
        .formatted(host, port, grpcPort, instances, maxBodyBytes, authRequired() ? "***" : "", storeTimeoutMs, retryAfterSeconds);
  }
}
