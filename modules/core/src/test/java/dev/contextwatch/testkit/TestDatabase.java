package dev.contextwatch.testkit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.PostgreSQLContainer;

/**
 * The one place that decides which real PostgreSQL the tests use: the server named by
 * {@code CONTEXTWATCH_TEST_PG_URL} when set, else a Testcontainers PostgreSQL 17 where a Docker
 * engine runs, else an embedded PostgreSQL 17. One server per test JVM; each caller gets a fresh
 * database on it, so tests never see each other's rows.
 */
public final class TestDatabase {
  public static final String URL_VARIABLE = "CONTEXTWATCH_TEST_PG_URL";
  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static URI server;

  private TestDatabase() {}

  /** A new, empty database; returns its {@code postgresql://} URL. */
  public static synchronized String newDatabase() {
    URI admin = server();
    String name = "cw_test_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
    try (Connection c = DriverManager.getConnection(jdbc(admin), user(admin), password(admin));
        Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + name);
      s.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create test database on " + admin.getHost() + ":" + admin.getPort(), e);
    }
    return admin.getScheme() + "://" + admin.getRawUserInfo() + "@" + admin.getHost() + ":" + admin.getPort() + "/" + name;
  }

  /** A JDBC connection to a database created by {@link #newDatabase()}, for assertions. */
  public static Connection connect(String url) throws SQLException {
    URI uri = URI.create(url);
    return DriverManager.getConnection(jdbc(uri), user(uri), password(uri));
  }

  private static URI server() {
    if (server == null) {
      server = startServer();
    }
    return server;
  }

  private static URI startServer() {
    String url = System.getenv(URL_VARIABLE);
    if (url != null && !url.isBlank()) {
      return URI.create(url);
    }
    if (dockerAvailable()) {
      PostgreSQLContainer<?> container = new PostgreSQLContainer<>("postgres:17-alpine");
      container.start();
      return URI.create("postgresql://" + container.getUsername() + ":" + container.getPassword() + "@"
          + container.getHost() + ":" + container.getFirstMappedPort() + "/" + container.getDatabaseName());
    }
    try {
      EmbeddedPostgres embedded = EmbeddedPostgres.builder().start();
      return URI.create("postgresql://postgres:postgres@localhost:" + embedded.getPort() + "/postgres");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
    }
  }

  private static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static String jdbc(URI uri) {
    return "jdbc:postgresql://" + uri.getHost() + ":" + (uri.getPort() < 0 ? 5432 : uri.getPort()) + uri.getPath();
  }

  private static String user(URI uri) {
    String info = uri.getUserInfo();
    return info == null ? "postgres" : info.split(":", 2)[0];
  }

  private static String password(URI uri) {
    String info = uri.getUserInfo();
    return info == null || !info.contains(":") ? "" : info.split(":", 2)[1];
  }
}
