package dev.contextwatch.core.config;

/** The OTLP/HTTP receiver. An empty ingest token switches authentication off. */
public record ReceiverConfig(
    String host,
    int port,
    int instances,
    int maxBodyBytes,
    String ingestToken,
    int storeTimeoutMs,
    int retryAfterSeconds) {

  public boolean authRequired() {
    return !ingestToken.isEmpty();
  }

  public ReceiverConfig withPort(int newPort) {
    return new ReceiverConfig(host, newPort, instances, maxBodyBytes, ingestToken, storeTimeoutMs, retryAfterSeconds);
  }

  public ReceiverConfig withIngestToken(String token) {
    return new ReceiverConfig(host, port, instances, maxBodyBytes, token, storeTimeoutMs, retryAfterSeconds);
  }

  @Override
  public String toString() {
    return "ReceiverConfig[host=%s, port=%d, instances=%d, maxBodyBytes=%d, ingestToken=%s, storeTimeoutMs=%d, retryAfterSeconds=%d]"
        .formatted(host, port, instances, maxBodyBytes, authRequired() ? "***" : "", storeTimeoutMs, retryAfterSeconds);
  }
}
