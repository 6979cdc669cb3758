package dev.contextwatch.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded PostgreSQL as contextwatch runs it: durable, password-protected, and restartable after a crash. */
class EmbeddedDatabaseTest {
  @TempDir
  Path dir;

  @Test
  @DisplayName("the embedded server runs with fsync, synchronous_commit and full_page_writes on, so a 200 survives a crash")
  void durable() throws Exception {
    try (EmbeddedDatabase database = EmbeddedDatabase.start(dir.resolve("pg"), 0)) {
      for (String setting : List.of("fsync", "synchronous_commit", "full_page_writes")) {
        assertThat(query(database, "SHOW " + setting)).as(setting).isEqualTo("on");
      }
    }
  }

  @Test
  @DisplayName("the embedded server asks every connection for a generated password kept with mode 0600 in the data directory, the same after a restart")
  void password() throws Exception {
    Path data = dir.resolve("pg");
    String first;
    try (EmbeddedDatabase database = EmbeddedDatabase.start(data, 0)) {
      assertRefusedWithoutPassword(database.port());
      first = storedPassword(data);
      assertThat(database.url()).contains(":" + first + "@");
      assertThat(Files.getPosixFilePermissions(database.passwordFile())).isEqualTo(PosixFilePermissions.fromString("rw-------"));
      assertThat(connect(database.port(), first).isValid(5)).isTrue();
      execute(database.port(), first, "CREATE TABLE kept (n int); INSERT INTO kept VALUES (7)");
    }
    try (EmbeddedDatabase database = EmbeddedDatabase.start(data, 0)) {
      assertThat(database.existingData()).isTrue();
      assertThat(storedPassword(data)).isEqualTo(first);
      assertRefusedWithoutPassword(database.port());
      assertThat(query(database, "SELECT n FROM kept")).isEqualTo("7");
    }
  }

  @Test
  @DisplayName("a data directory made by an older version, which trusted every local user, gets a password at its next start and keeps its data")
  void trustMigrated() throws Exception {
    Path data = dir.resolve("pg");
    try (EmbeddedPostgres old = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false).start()) {
      execute(old.getPort(), null, "CREATE TABLE kept (n int); INSERT INTO kept VALUES (7)");
    }
    try (EmbeddedDatabase database = EmbeddedDatabase.start(data, 0)) {
      assertThat(Files.getPosixFilePermissions(database.passwordFile())).isEqualTo(PosixFilePermissions.fromString("rw-------"));
      assertRefusedWithoutPassword(database.port());
      assertThat(query(database, "SELECT n FROM kept")).isEqualTo("7");
      assertThat(Files.readString(data.resolve("pg_hba.conf"))).doesNotContainPattern("(?m)^[^#\\n]*\\btrust\\b");
    }
    try (EmbeddedDatabase database = EmbeddedDatabase.start(data, 0)) {
      assertRefusedWithoutPassword(database.port());
      assertThat(query(database, "SELECT n FROM kept")).isEqualTo("7");
    }
  }

  @Test
  @DisplayName("after the JVM is killed its embedded server keeps running; the next start stops that orphan and starts with the data")
  void orphanStopped() throws Exception {
    Path data = dir.resolve("pg");
    ChildPipeline child = ChildPipeline.start(dir, Map.of(
        "CONTEXTWATCH_PG_DATA_DIR", data.toString(),
        "CONTEXTWATCH_OTLP_HTTP_PORT", "0",
        "CONTEXTWATCH_OTLP_GRPC_PORT", "0",
        "CONTEXTWATCH_API_PORT", "0"));
    child.awaitLog("event=contextwatch_ready", 1);
    child.kill();
    ProcessHandle orphan = ProcessHandle.of(Postmaster.pid(data).orElseThrow()).orElseThrow();
    assertThat(orphan.isAlive()).as("the killed JVM's server still runs").isTrue();
    try {
      try (EmbeddedDatabase database = EmbeddedDatabase.start(data, 0)) {
        assertThat(orphan.isAlive()).isFalse();
        assertThat(query(database, "SELECT count(*) FROM flyway_schema_history")).isNotEqualTo("0");
      }
    } finally {
      orphan.destroyForcibly();
    }
  }

  @Test
  @DisplayName("a postmaster.pid naming a live process of another program (a reused pid) is removed, and that process is left alone")
  void pidReused() throws Exception {
    Path data = dir.resolve("pg");
    EmbeddedDatabase.start(data, 0).close();
    Process unrelated = new ProcessBuilder("sleep", "600").start();
    try {
      writePidFile(data, unrelated.pid());
      try (EmbeddedDatabase database = EmbeddedDatabase.start(data, 0)) {
        assertThat(query(database, "SELECT 1")).isEqualTo("1");
      }
      assertThat(unrelated.isAlive()).isTrue();
    } finally {
      unrelated.destroyForcibly();
    }
  }

  @Test
  @DisplayName("a postmaster.pid naming a process that is gone does not block the start")
  void pidGone() throws Exception {
    Path data = dir.resolve("pg");
    EmbeddedDatabase.start(data, 0).close();
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    writePidFile(data, gone.pid());
    try (EmbeddedDatabase database = EmbeddedDatabase.start(data, 0)) {
      assertThat(query(database, "SELECT 1")).isEqualTo("1");
    }
  }

  @Test
  @DisplayName("a data directory whose server a running contextwatch owns is refused with a clear message, and that server keeps running")
  void inUse() throws Exception {
    Path data = dir.resolve("pg");
    try (EmbeddedDatabase running = EmbeddedDatabase.start(data, 0)) {
      assertThatThrownBy(() -> EmbeddedDatabase.start(data, 0))
          .isInstanceOf(IOException.class).hasMessageContaining("in use by another running contextwatch");
      assertThat(query(running, "SELECT 1")).isEqualTo("1");
    }
  }

  /** A pid file as PostgreSQL writes it, for a server that is not running. */
  private static void writePidFile(Path data, long pid) throws IOException {
    Files.writeString(data.resolve(Postmaster.PID_FILE), pid + "\n" + data + "\n" + (System.currentTimeMillis() / 1000)
        + "\n5432\n/tmp\nlocalhost\n  5432001    32768\nready   \n", StandardCharsets.UTF_8);
  }

  private static void assertRefusedWithoutPassword(int port) {
    assertThatThrownBy(() -> connect(port, null).close()).isInstanceOf(SQLException.class)
        .hasMessageContaining("password");
  }

  private static String storedPassword(Path data) throws IOException {
    return Files.readString(data.resolve(SuperuserPassword.FILE)).trim();
  }

  private static String query(EmbeddedDatabase database, String sql) throws SQLException {
    try (Connection c = connect(database.port(), database.url().replaceAll(".*//[^:]+:([^@]+)@.*", "$1"));
        Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static void execute(int port, String password, String sql) throws SQLException {
    try (Connection c = connect(port, password); Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static Connection connect(int port, String password) throws SQLException {
    DriverManager.setLoginTimeout((int) Duration.ofSeconds(10).toSeconds());
    return DriverManager.getConnection("jdbc:postgresql://localhost:" + port + "/postgres", "postgres", password);
  }
}
