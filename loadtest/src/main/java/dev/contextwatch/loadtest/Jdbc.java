package dev.contextwatch.loadtest;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/** JDBC connections from the pipeline's {@code postgresql://user:password@host:port/db} URLs. */
final class Jdbc {
  private Jdbc() {}

  static Connection connect(String url) throws SQLException {
    URI uri = URI.create(url);
    return connect(uri, uri.getPath().replaceFirst("^/", ""));
  }

  /** A connection to another database of the same server. */
  static Connection connect(URI server, String database) throws SQLException {
    String[] credentials = server.getUserInfo() == null ? new String[] {"postgres"} : server.getUserInfo().split(":", 2);
    String jdbc = "jdbc:postgresql://" + server.getHost() + ":" + (server.getPort() < 0 ? 5432 : server.getPort()) + "/" + database;
    return DriverManager.getConnection(jdbc, credentials[0], credentials.length > 1 ? credentials[1] : null);
  }
}
