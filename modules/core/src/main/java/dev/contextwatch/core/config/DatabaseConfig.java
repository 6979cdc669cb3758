package dev.contextwatch.core.config;

/**
 * Where the data goes: an external server when {@code url} is set
 * ({@code postgresql://user:password@host:port/db}), otherwise an embedded PostgreSQL in {@code dataDir}.
 */
public record DatabaseConfig(String url, String dataDir, int embeddedPort, int poolSize, int connectTimeoutMs) {

  public boolean embedded() {
    return url.isEmpty();
  }

  public DatabaseConfig withUrl(String newUrl) {
    return new DatabaseConfig(newUrl, dataDir, embeddedPort, poolSize, connectTimeoutMs);
  }

  @Override
  public String toString() {
    return "DatabaseConfig[url=%s, dataDir=%s, embeddedPort=%d, poolSize=%d, connectTimeoutMs=%d]"
        .formatted(url.replaceAll("//([^:@/]*):[^@/]*@", "//$1:***@"), dataDir, embeddedPort, poolSize, connectTimeoutMs);
  }
}
