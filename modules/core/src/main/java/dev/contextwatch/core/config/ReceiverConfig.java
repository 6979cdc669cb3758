package dev.contextwatch.core.config;

/**
 * The OTLP receivers: HTTP on {@code port}, gRPC on {@code grpcPort}. An empty ingest token
 * switches authentication off. Content (prompts, responses, tool parameters) is stored only with
 * {@code storeContent}; attributes beyond the per-record limits are truncated with a marker.
 */
public record ReceiverConfig(
    String host,
    int port,
    int grpcPort,
    int instances,
    int maxBodyBytes,
    int maxInFlightRequests,
    int maxInFlightPerConnection,
    String ingestToken,
    int storeTimeoutMs,
    int retryAfterSeconds,
    boolean storeContent,
    int maxAttributesPerRecord,
    int maxAttributeValueChars,
    TlsFiles tls) {

  public boolean authRequired() {
    return !ingestToken.isEmpty();
  }

  /** Ports 0 pick free ones; the receivers then run one instance each. */
  public ReceiverConfig withPorts(String newHost, int newPort, int newGrpcPort) {
    return new ReceiverConfig(newHost, newPort, newGrpcPort, instances, maxBodyBytes, maxInFlightRequests, maxInFlightPerConnection,
        ingestToken, storeTimeoutMs, retryAfterSeconds,
        storeContent, maxAttributesPerRecord, maxAttributeValueChars, tls);
  }

  public ReceiverConfig withLimits(int newMaxBodyBytes, String newIngestToken) {
    return new ReceiverConfig(host, port, grpcPort, instances, newMaxBodyBytes, maxInFlightRequests, maxInFlightPerConnection,
        newIngestToken, storeTimeoutMs, retryAfterSeconds,
        storeContent, maxAttributesPerRecord, maxAttributeValueChars, tls);
  }

  public ReceiverConfig withRetryAfterSeconds(int seconds) {
    return new ReceiverConfig(host, port, grpcPort, instances, maxBodyBytes, maxInFlightRequests, maxInFlightPerConnection,
        ingestToken, storeTimeoutMs, seconds,
        storeContent, maxAttributesPerRecord, maxAttributeValueChars, tls);
  }

  public ReceiverConfig withInFlightLimits(int overall, int perConnection) {
    return new ReceiverConfig(host, port, grpcPort, instances, maxBodyBytes, overall, perConnection, ingestToken, storeTimeoutMs,
        retryAfterSeconds, storeContent, maxAttributesPerRecord, maxAttributeValueChars, tls);
  }

  public ReceiverConfig withTls(TlsFiles newTls) {
    return new ReceiverConfig(host, port, grpcPort, instances, maxBodyBytes, maxInFlightRequests, maxInFlightPerConnection,
        ingestToken, storeTimeoutMs, retryAfterSeconds,
        storeContent, maxAttributesPerRecord, maxAttributeValueChars, newTls);
  }

  @Override
  public String toString() {
    return ("ReceiverConfig[host=%s, port=%d, grpcPort=%d, instances=%d, maxBodyBytes=%d, ingestToken=%s, storeTimeoutMs=%d,"
        + " retryAfterSeconds=%d, storeContent=%s, maxAttributesPerRecord=%d, maxAttributeValueChars=%d]")
        .formatted(host, port, grpcPort, instances, maxBodyBytes, authRequired() ? "***" : "", storeTimeoutMs, retryAfterSeconds,
            storeContent, maxAttributesPerRecord, maxAttributeValueChars, tls);
  }
}
