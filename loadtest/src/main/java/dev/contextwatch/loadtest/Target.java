package dev.contextwatch.loadtest;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/** The pipeline under test (one node or several): where to send, where to read, and (when known) its database. */
interface Target extends AutoCloseable {
  /** The OTLP/HTTP endpoint of each node the run starts with. */
  List<URI> otlp();

  /** The API and feed of each node the run starts with, in the same order. */
  List<URI> api();

  /** The API the final checks and the cleanup ask: a node that is up. */
  default URI queryApi() {
    return api().get(0);
  }

  /** The nodes this target started and can kill, restart and add during the run; empty for a single pipeline. */
  default Optional<SpawnedNodes> nodes() {
    return Optional.empty();
  }

  /** URLs as the report names them: separated by commas, as --otlp and --api take them. */
  static String urls(List<URI> urls) {
    return urls.stream().map(URI::toString).collect(Collectors.joining(","));
  }

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
   * The load generator's process, the pipeline's JVMs now (the generator's own with --embedded; one
   * per node that is up with --nodes; none for a pipeline somebody else runs) and the data directory
   * of its PostgreSQL (empty when unknown).
   */
  record Processes(long generator, List<Long> pipelines, Optional<Path> postgresDataDir) {}

  /** Stops what this target started (an embedded pipeline and database); nothing for a running one. */
  @Override
  void close() throws Exception;

  /** A pipeline somebody else runs. */
  record Running(List<URI> otlp, List<URI> api, String databaseUrl) implements Target {
    @Override
    public String describe() {
      return "running pipeline at " + Target.urls(otlp) + " (API " + Target.urls(api) + ")";
    }

    @Override
    public String ceilingServer() {
      return databaseUrl;
    }

    @Override
    public Processes processes() {
      return new Processes(ProcessHandle.current().pid(), List.of(), Optional.empty());
    }

    @Override
    public void close() {}
  }
}
