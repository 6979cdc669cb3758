package dev.contextwatch.app;

import dev.contextwatch.core.config.TlsFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** The test kit's self-signed localhost certificate and key, copied out of its jar to files a server can read. */
final class TestCertificate {
  private TestCertificate() {}

  static TlsFiles copyTo(Path dir) throws IOException {
    return new TlsFiles(copy(dir, "tls/localhost-cert.pem"), copy(dir, "tls/localhost-key.pem"));
  }

  private static String copy(Path dir, String name) throws IOException {
    Path file = dir.resolve(Path.of(name).getFileName());
    try (InputStream in = TestCertificate.class.getClassLoader().getResourceAsStream(name)) {
      Files.copy(in, file);
    }
    return file.toString();
  }
}
