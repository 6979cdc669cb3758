package dev.contextwatch.app;

import dev.contextwatch.core.config.DatabaseConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL server the pipeline writes to: the configured external one, or an embedded
 * PostgreSQL 17 whose data directory survives restarts.
 */
final class Database implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Database.class);

  private final EmbeddedPostgres embedded;
  private final String url;

  private Database(EmbeddedPostgres embedded, String url) {
    this.embedded = embedded;
    this.url = url;
  }

  static Database open(DatabaseConfig config) throws IOException {
    if (!config.embedded()) {
      URI uri = URI.create(config.url());
      LOG.info("event=database_selected mode=external host={} port={} database={}",
          uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(), uri.getPath().replaceFirst("^/", ""));
      return new Database(null, config.url());
    }
    Path dataDir = Path.of(config.dataDir()).toAbsolutePath();
    Files.createDirectories(dataDir.getParent());
    boolean existing = Files.exists(dataDir.resolve("PG_VERSION"));
    EmbeddedPostgres embedded = EmbeddedPostgres.builder()
        .setDataDirectory(dataDir)
        .setCleanDataDirectory(false)
        .setRegisterShutdownHook(false)
        .setPort(config.embeddedPort())
        .start();
    LOG.info("event=database_selected mode=embedded data_dir={} port={} existing_data={}",
        dataDir, embedded.getPort(), existing);
    return new Database(embedded, "postgresql://postgres@localhost:" + embedded.getPort() + "/postgres");
  }

  /** The URL the persistence verticle connects to. */
  String url() {
    return url;
  }

  @Override
  public void close() throws IOException {
    if (embedded != null) {
      embedded.close();
      LOG.info("event=database_stopped mode=embedded");
    }
  }
}
