package dev.contextwatch.core.config;

import java.util.List;

/**
 * The OTLP receivers: HTTP on {@code port}, gRPC on {@code grpcPort}. An empty ingest token
 * switches authentication off. Content (prompts, responses, tool parameters) is stored only with
 * {@code storeContent}; attributes beyond the per-record limits are truncated with a marker.
 *
 * <p>Connections: one that neither reads nor writes for {@code idleTimeoutSeconds} is closed; a
 * request whose body is not complete {@code bodyTimeoutMs} after its headers is answered 408
 * (gRPC: DEADLINE_EXCEEDED) and its connection closed (HTTP/2: its stream reset). The bodies held
 * in memory, being read or waiting for their commit, add up to at most {@code maxBufferedBodyBytes}.
 * {@code runAttributes} are the session attributes that name its run and its parent (the
 * sessions' {@code runIdAttribute} and {@code parentSessionAttribute}): identifiers the receiver
 * holds to the same length as every other.
 *
 * <p>{@code contextReloading}: a hook delivery is answered with what the checkpoint module hands
 * back for it (for Claude Code, a {@code SessionStart} after a compaction or resume gets the last
 * checkpoint as {@code additionalContext}); off, every hook delivery is answered {@code {}}.
 */
public record ReceiverConfig(
    String host,
    int port,
    int grpcPort,
    int instances,
    int maxBodyBytes,
    int maxInFlightRequests,
    int maxInFlightPerConnection,
    int maxBufferedBodyBytes,
    int idleTimeoutSeconds,
    int bodyTimeoutMs,
    String ingestToken,
    int storeTimeoutMs,
    int retryAfterSeconds,
    boolean storeContent,
    int maxAttributesPerRecord,
    int maxAttributeValueChars,
    List<String> runAttributes,
    TlsFiles tls,
    boolean contextReloading) {

  public boolean authRequired() {
    return !ingestToken.isEmpty();
  }

  /** Ports 0 pick free ones; the receivers then run one instance each. */
  public ReceiverConfig withPorts(String newHost, int newPort, int newGrpcPort) {
    return new ReceiverConfig(newHost, newPort, newGrpcPort, instances, maxBodyBytes, maxInFlightRequests, maxInFlightPerConnection,
        maxBufferedBodyBytes, idleTimeoutSeconds, bodyTimeoutMs, ingestToken, storeTimeoutMs, retryAfterSeconds,
        storeContent, maxAttributesPerRecord, maxAttributeValueChars, runAttributes, tls, contextReloading);
  }

  public ReceiverConfig withLimits(int newMaxBodyBytes, String newIngestToken) {
    return new ReceiverConfig(host, port, grpcPort, instances, newMaxBodyBytes, maxInFlightRequests, maxInFlightPerConnection,
        Math.max(maxBufferedBodyBytes, newMaxBodyBytes), idleTimeoutSeconds, bodyTimeoutMs, newIngestToken, storeTimeoutMs,
        retryAfterSeconds, storeContent, maxAttributesPerRecord, maxAttributeValueChars, runAttributes, tls, contextReloading);
  }

  public ReceiverConfig withRetryAfterSeconds(int seconds) {
    return new ReceiverConfig(host, port, grpcPort, instances, maxBodyBytes, maxInFlightRequests, maxInFlightPerConnection,
        maxBufferedBodyBytes, idleTimeoutSeconds, bodyTimeoutMs, ingestToken, storeTimeoutMs, seconds,
        storeContent, maxAttributesPerRecord, maxAttributeValueChars, runAttributes, tls, contextReloading);
  }

  public ReceiverConfig withInFlightLimits(int overall, int perConnection) {
    return new ReceiverConfig(host, port, grpcPort, instances, maxBodyBytes, overall, perConnection,
        maxBufferedBodyBytes, idleTimeoutSeconds, bodyTimeoutMs, ingestToken, storeTimeoutMs, retryAfterSeconds,
        storeContent, maxAttributesPerRecord, maxAttributeValueChars, runAttributes, tls, contextReloading);
  }

  /** The connection bounds: idle time-out, body time-out and the bytes of bodies held at once. */
  public ReceiverConfig withConnectionLimits(int newIdleTimeoutSeconds, int newBodyTimeoutMs, int newMaxBufferedBodyBytes) {
    return new ReceiverConfig(host, port, grpcPort, instances, maxBodyBytes, maxInFlightRequests, maxInFlightPerConnection,
        newMaxBufferedBodyBytes, newIdleTimeoutSeconds, newBodyTimeoutMs, ingestToken, storeTimeoutMs, retryAfterSeconds,
        storeContent, maxAttributesPerRecord, maxAttributeValueChars, runAttributes, tls, contextReloading);
  }

  public ReceiverConfig withStoreContent(boolean newStoreContent) {
    return new ReceiverConfig(host, port, grpcPort, instances, maxBodyBytes, maxInFlightRequests, maxInFlightPerConnection,
        maxBufferedBodyBytes, idleTimeoutSeconds, bodyTimeoutMs, ingestToken, storeTimeoutMs, retryAfterSeconds,
        newStoreContent, maxAttributesPerRecord, maxAttributeValueChars, runAttributes, tls, contextReloading);
  }

  public ReceiverConfig withContextReloading(boolean newContextReloading) {
    return new ReceiverConfig(host, port, grpcPort, instances, maxBodyBytes, maxInFlightRequests, maxInFlightPerConnection,
        maxBufferedBodyBytes, idleTimeoutSeconds, bodyTimeoutMs, ingestToken, storeTimeoutMs, retryAfterSeconds,
        storeContent, maxAttributesPerRecord, maxAttributeValueChars, runAttributes, tls, newContextReloading);
  }

  public ReceiverConfig withTls(TlsFiles newTls) {
    return new ReceiverConfig(host, port, grpcPort, instances, maxBodyBytes, maxInFlightRequests, maxInFlightPerConnection,
        maxBufferedBodyBytes, idleTimeoutSeconds, bodyTimeoutMs, ingestToken, storeTimeoutMs, retryAfterSeconds,
        storeContent, maxAttributesPerRecord, maxAttributeValueChars, runAttributes, newTls, contextReloading);
  }

  @Override
  public String toString() {
    return ("ReceiverConfig[host=%s, port=%d, grpcPort=%d, instances=%d, maxBodyBytes=%d, maxBufferedBodyBytes=%d,"
        + " idleTimeoutSeconds=%d, bodyTimeoutMs=%d, ingestToken=%s, storeTimeoutMs=%d,"
        + " retryAfterSeconds=%d, storeContent=%s, maxAttributesPerRecord=%d, maxAttributeValueChars=%d, runAttributes=%s,"
        + " contextReloading=%s]")
        .formatted(host, port, grpcPort, instances, maxBodyBytes, maxBufferedBodyBytes, idleTimeoutSeconds, bodyTimeoutMs,
            authRequired() ? "***" : "", storeTimeoutMs, retryAfterSeconds, storeContent, maxAttributesPerRecord,
            maxAttributeValueChars, runAttributes, contextReloading);
  }
}
