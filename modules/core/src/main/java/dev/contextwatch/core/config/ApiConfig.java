package dev.contextwatch.core.config;

import java.util.List;

/**
 * The API listener (query API, {@code /metrics}, dashboard, live feed). An empty {@code token}
 * leaves reads open; an empty {@code adminToken} lets the API token through to admin actions too.
 * {@code allowedOrigins} are the origins (besides the server's own) whose pages may open the live
 * feed when tokens are on.
 */
public record ApiConfig(String host, int port, TlsFiles tls, String token, String adminToken, List<String> allowedOrigins) {
  public ApiConfig withPort(int newPort) {
    return new ApiConfig(host, newPort, tls, token, adminToken, allowedOrigins);
  }

  public ApiConfig withTls(TlsFiles newTls) {
    return new ApiConfig(host, port, newTls, token, adminToken, allowedOrigins);
  }

  public ApiConfig withTokens(String newToken, String newAdminToken) {
    return new ApiConfig(host, port, tls, newToken, newAdminToken, allowedOrigins);
  }

  public ApiConfig withAllowedOrigins(List<String> newAllowedOrigins) {
    return new ApiConfig(host, port, tls, token, adminToken, List.copyOf(newAllowedOrigins));
  }

  /**
   * Where a browser on this machine opens the dashboard: https when the API has TLS, the bound
   * port, localhost for a wildcard host, and a placeholder for the token when reads need one
   * (the token itself never goes into a log line).
   */
  public String dashboardUrl(int boundPort) {
    String where = host.isEmpty() || host.equals("0.0.0.0") || host.equals("::") ? "localhost"
        : host.contains(":") ? "[" + host + "]" : host;
    return (tls.enabled() ? "https" : "http") + "://" + where + ":" + boundPort + "/" + (token.isEmpty() ? "" : "?token=<apiToken>");
  }

  @Override
  public String toString() {
    return "ApiConfig[host=%s, port=%d, tls=%s, token=%s, adminToken=%s, allowedOrigins=%s]"
        .formatted(host, port, tls.enabled(), token.isEmpty() ? "" : "***", adminToken.isEmpty() ? "" : "***", allowedOrigins);
  }
}
