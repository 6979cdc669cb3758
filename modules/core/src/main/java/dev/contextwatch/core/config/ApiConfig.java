package dev.contextwatch.core.config;

/** The query API (and, later, the live feed and dashboard) listener. */
public record ApiConfig(String host, int port, TlsFiles tls) {
  public ApiConfig withPort(int newPort) {
    return new ApiConfig(host, newPort, tls);
  }

  public ApiConfig withTls(TlsFiles newTls) {
    return new ApiConfig(host, port, newTls);
  }
}
