package dev.contextwatch.loadtest;

import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;

/** The pipeline under test: where to send, where to read, and (when known) its database. */
interface Target extends AutoCloseable {
  URI otlp();

  URI api();

  /** The pipeline's database as a postgresql:// URL, or null when only the API is reachable. */
  String databaseUrl();

  /** One line for the report. */
  String describe();

  /**
   * After the pipeline phase: the postgresql:// URL of the server the pipeline wrote to, for the
   * ceiling to write to a new database there; stops a pipeline this target started first, so
   * that the ceiling has the machine to itself. Null when the server is not known.
   */
  String ceilingServer() throws Exception;

  /** The processes whose CPU the report shows. */
  Processes processes();

  /**
   * The load generator's process, the pipeline's (the generator's own with --embedded; empty for
   * a pipeline somebody else runs) and the data directory of its PostgreSQL (empty when unknown).
   */
  record Processes(long generator, OptionalLong pipeline, Optional<Path> postgresDataDir) {}

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
    public String ceilingServer() {
      return databaseUrl;
    }

    @Override
    public Processes processes() {
      return new Processes(ProcessHandle.current().pid(), OptionalLong.empty(), Optional.empty());
    }

    @Override
    public void close() {}
  }
}
