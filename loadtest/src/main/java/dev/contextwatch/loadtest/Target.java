package dev.contextwatch.loadtest;

import java.net.URI;

/** The pipeline under test: where to send, where to read, and (when known) its database. */
interface Target extends AutoCloseable {
  URI otlp();

  URI api();

  /** The pipeline's database as a postgresql:// URL, or null when only the API is reachable. */
  String databaseUrl();

  /** One line for the report. */
  String describe();

  /** Stops what this target started (an embedded pipeline and database); nothing for a running one. */
  @Override
  void close() throws Exception;

  /** A pipeline somebody else runs. */
  record Running(URI otlp, URI api, String databaseUrl) implements Target {
    @Override
    public String describe() {
      return "running pipeline at " + otlp + " (API " + api + ")";
    }

    @Override
    public void close() {}
  }
}
