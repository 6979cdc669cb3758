package dev.contextwatch.app;

import dev.contextwatch.core.config.DatabaseConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL server the pipeline writes to: the configured external one, or the
 * {@link EmbeddedDatabase} whose data directory survives restarts.
 */
final class Database implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Database.class);

  private final EmbeddedDatabase embedded;
  private final String url;

  private Database(EmbeddedDatabase embedded, String url) {
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
    EmbeddedDatabase embedded = EmbeddedDatabase.start(Path.of(config.dataDir()), config.embeddedPort());
    LOG.info("event=database_selected mode=embedded data_dir={} port={} existing_data={} password_file={}",
        embedded.dataDir(), embedded.port(), embedded.existingData(), embedded.passwordFile());
    return new Database(embedded, embedded.url());
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
