package dev.contextwatch.loadtest;

import dev.contextwatch.app.EmbeddedDatabase;
import dev.contextwatch.core.config.ConfigLoader;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The packaged pipeline ({@code --pipeline-jar}) in a JVM of its own, started as users start it:
 * {@code java [--pipeline-jvm-opts] -jar contextwatch.jar --config FILE}, on its own embedded
 * PostgreSQL (durable, with a password) in a fresh temporary data directory, on free loopback
 * ports. So the generator's CPU and heap are not the pipeline's. The child is stopped (SIGTERM,
 * SIGKILL after a minute) with the server it leaves behind, on {@link #close} and, for
 * Ctrl-C or any other exit of this JVM, from a shutdown hook. Its output goes to
 * {@code pipeline.log} in {@code --out}.
 */
final class SpawnedTarget implements Target {
  /** The embedded server's superuser password, which the pipeline keeps in its data directory (mode 0600). */
  private static final String PASSWORD_FILE = "contextwatch.password";

  private final Path dir;
  private final Path pgDir;
  private final int pgPort;
  private final PipelineProcess child;
  private final URI otlp;
  private final URI api;
  private final String jvmOpts;
  private final ExitHook stopOnExit = new ExitHook("loadtest-stop-pipeline", this::stopQuietly);
  private String databaseUrl;
  private EmbeddedDatabase ceilingDatabase;

  private SpawnedTarget(Path dir, int pgPort, PipelineProcess child, URI otlp, URI api, String jvmOpts) {
    this.dir = dir;
    this.pgDir = dir.resolve("pg");
    this.pgPort = pgPort;
    this.child = child;
    this.otlp = otlp;
    this.api = api;
    this.jvmOpts = jvmOpts;
  }

  static SpawnedTarget start(Options options) throws Exception {
    List<String> command = PipelineProcess.command(options);
    Path dir = Files.createTempDirectory("contextwatch-loadtest-pipeline");
    int pgPort = EmbeddedTarget.freePort();
    int otlpPort = EmbeddedTarget.freePort();
    int apiPort = EmbeddedTarget.freePort();
    Map<String, String> env = EmbeddedTarget.pipelineEnvironment(options, otlpPort, apiPort);
    env.remove(ConfigLoader.envName("pgUrl"));
    env.put(ConfigLoader.envName("pgDataDir"), dir.resolve("pg").toString());
    env.put(ConfigLoader.envName("pgEmbeddedPort"), Integer.toString(pgPort));
    URI api = URI.create("http://127.0.0.1:" + apiPort);
    Path log = options.out.resolve("pipeline.log");
    Files.deleteIfExists(log);
    PipelineProcess child = new PipelineProcess(command, env, dir, log, api);
    SpawnedTarget target = new SpawnedTarget(dir, pgPort, child, URI.create("http://127.0.0.1:" + otlpPort), api,
        options.pipelineJvmOpts.trim());
    target.stopOnExit.arm();
    try {
      child.start();
      child.awaitReady();
      target.databaseUrl = "postgresql://postgres:" + Files.readString(target.pgDir.resolve(PASSWORD_FILE)).trim()
          + "@localhost:" + pgPort + "/postgres";
      return target;
    } catch (Exception e) {
      target.close();
      throw e;
    }
  }

  @Override
  public List<URI> otlp() {
    return List.of(otlp);
  }

  @Override
  public List<URI> api() {
    return List.of(api);
  }

  @Override
  public String databaseUrl() {
    return databaseUrl;
  }

  @Override
  public String describe() {
    return "pipeline in its own JVM (pid " + child.pid() + (jvmOpts.isEmpty() ? "" : ", " + jvmOpts) + ") on its embedded PostgreSQL"
        + " (port " + pgPort + ", data directory " + pgDir + ")";
  }

  /**
   * Stops the pipeline, which stops its PostgreSQL, and starts the same server again (same data
   * directory, settings and port) in this JVM, without the pipeline.
   */
  @Override
  public String ceilingServer() throws Exception {
    stopChild();
    ceilingDatabase = EmbeddedDatabase.start(pgDir, pgPort);
    return ceilingDatabase.url();
  }

  @Override
  public Processes processes() {
    return new Processes(ProcessHandle.current().pid(), List.of(child.pid()), Optional.of(pgDir));
  }

  @Override
  public synchronized void close() throws Exception {
    if (!stopOnExit.standDown()) {
      return;
    }
    try {
      if (ceilingDatabase != null) {
        ceilingDatabase.close();
      }
      stopChild();
    } finally {
      EmbeddedTarget.deleteTree(dir);
    }
  }

  private void stopQuietly() {
    try {
      close();
    } catch (Exception e) {
      System.err.println("contextwatch-loadtest: stopping the pipeline: " + e);
    }
  }

  /** SIGTERM, SIGKILL after a minute; then the PostgreSQL server it may have left running. */
  private void stopChild() throws Exception {
    child.stop();
    Optional<ProcessHandle> postmaster = postmaster(pgDir);
    if (postmaster.isPresent()) {
      PipelineProcess.stop(postmaster.get());
    }
  }

  /** The server running on {@code pgDir}, from its {@code postmaster.pid}, if one is alive and serves that directory. */
  static Optional<ProcessHandle> postmaster(Path pgDir) throws IOException {
    Path pidFile = pgDir.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return Optional.empty();
    }
    List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
    if (lines.isEmpty()) {
      return Optional.empty();
    }
    long pid;
    try {
      pid = Math.abs(Long.parseLong(lines.get(0).trim()));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
        .filter(p -> p.info().commandLine().map(c -> c.contains(pgDir.getParent().getFileName().toString())).orElse(true));
  }
}
