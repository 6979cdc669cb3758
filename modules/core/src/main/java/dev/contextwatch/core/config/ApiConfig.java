package dev.contextwatch.core.config;

/**
 * The API listener (query API, {@code /metrics}, dashboard, live feed). An empty {@code token}
 * leaves reads open; an empty {@code adminToken} lets the API token through to admin actions too.
 */
public record ApiConfig(String host, int port, TlsFiles tls, String token, String adminToken) {
  public ApiConfig withPort(int newPort) {
    return new ApiConfig(host, newPort, tls, token, adminToken);
  }

  public ApiConfig withTls(TlsFiles newTls) {
    return new ApiConfig(host, port, newTls, token, adminToken);
  }

  public ApiConfig withTokens(String newToken, String newAdminToken) {
    return new ApiConfig(host, port, tls, newToken, newAdminToken);
  }

  @Override
  public String toString() {
    return "ApiConfig[host=%s, port=%d, tls=%s, token=%s, adminToken=%s]"
        .formatted(host, port, tls.enabled(), token.isEmpty() ? "" : "***", adminToken.isEmpty() ? "" : "***");
  }
}
