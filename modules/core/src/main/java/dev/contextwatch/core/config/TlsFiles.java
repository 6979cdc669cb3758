package dev.contextwatch.core.config;

import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;

/** A listener's PEM certificate and private key; {@link #NONE} keeps it plain text. */
public record TlsFiles(String certFile, String keyFile) {
  public static final TlsFiles NONE = new TlsFiles("", "");

  public boolean enabled() {
    return !certFile.isEmpty();
  }

  /** Turns TLS on for a server when configured (with ALPN, so gRPC and HTTP/2 negotiate over it). */
  public HttpServerOptions applyTo(HttpServerOptions options) {
    return enabled()
        ? options.setSsl(true).setUseAlpn(true).setKeyCertOptions(new PemKeyCertOptions().setCertPath(certFile).setKeyPath(keyFile))
        : options;
  }
}
