package dev.contextwatch.testkit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An embedded PostgreSQL that a test may stop and start again on the same port with the same
 * data, to play a database outage. Not shared: tests that stop their server must own it.
 */
public final class RestartablePostgres implements AutoCloseable {
  private final Path dataDir;
  private final int port;
  private EmbeddedPostgres server;

  public RestartablePostgres() throws IOException {
    this.dataDir = Files.createTempDirectory("cw-restartable-pg");
    try (ServerSocket socket = new ServerSocket(0)) {
      this.port = socket.getLocalPort();
    }
    start();
  }

  public String url() {
    return "postgresql://postgres@localhost:" + port + "/postgres";
  }

  public void start() throws IOException {
    server = EmbeddedPostgres.builder().setDataDirectory(dataDir).setCleanDataDirectory(false).setPort(port).start();
  }

  public void stop() throws IOException {
    server.close();
    server = null;
  }

  @Override
  public void close() throws IOException {
    if (server != null) {
      stop();
    }
  }
}
