package dev.contextwatch.loadtest;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** JDBC connections from the pipeline's {@code postgresql://user:password@host:port/db} URLs. */
final class Jdbc {
  private Jdbc() {}

  static Connection connect(String url) throws SQLException {
    URI uri = URI.create(url);
    return connect(uri, uri.getPath().replaceFirst("^/", ""));
  }

  /** The server's fsync, synchronous_commit and full_page_writes, e.g. "fsync=on synchronous_commit=on full_page_writes=on". */
  static String durability(String url) throws SQLException {
    StringBuilder settings = new StringBuilder();
    try (Connection c = connect(url); Statement s = c.createStatement()) {
      for (String setting : new String[] {"fsync", "synchronous_commit", "full_page_writes"}) {
        try (ResultSet rs = s.executeQuery("SHOW " + setting)) {
          rs.next();
          settings.append(settings.length() == 0 ? "" : " ").append(setting).append('=').append(rs.getString(1));
        }
      }
    }
    return settings.toString();
  }

  /** A connection to another database of the same server. */
  static Connection connect(URI server, String database) throws SQLException {
    String[] credentials = server.getUserInfo() == null ? new String[] {"postgres"} : server.getUserInfo().split(":", 2);
    String jdbc = "jdbc:postgresql://" + server.getHost() + ":" + (server.getPort() < 0 ? 5432 : server.getPort()) + "/" + database;
    return DriverManager.getConnection(jdbc, credentials[0], credentials.length > 1 ? credentials[1] : null);
  }
}
