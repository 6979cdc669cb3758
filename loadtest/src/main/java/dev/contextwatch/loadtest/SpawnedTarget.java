package dev.contextwatch.loadtest;

import dev.contextwatch.app.EmbeddedDatabase;
import dev.contextwatch.core.config.ConfigLoader;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The packaged pipeline ({@code --pipeline-jar}) in a JVM of its own, started as users start it:
 * {@code java [--pipeline-jvm-opts] -jar contextwatch.jar --config FILE}, on its own embedded
 * PostgreSQL (durable, with a password) in a fresh temporary data directory, on free loopback
 * ports. So the generator's CPU and heap are not the pipeline's. The child is stopped (SIGTERM,
 * SIGKILL after {@link #PATIENCE}) with the server it leaves behind, on {@link #close} and, for
 * Ctrl-C or any other exit of this JVM, from a shutdown hook. Its output goes to
 * {@code pipeline.log} in {@code --out}.
 */
final class SpawnedTarget implements Target {
  private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
  private static final String JAR_IN_CHECKOUT = "modules/app/target/contextwatch.jar";
  /** The embedded server's superuser password, which the pipeline keeps in its data directory (mode 0600). */
  private static final String PASSWORD_FILE = "contextwatch.password";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(180);
  private static final Duration PATIENCE = Duration.ofSeconds(60);

  private final Path dir;
  private final Path pgDir;
  private final int pgPort;
  private final Process child;
  private final URI otlp;
  private final URI api;
  private final String jvmOpts;
  private final Thread stopOnExit = new Thread(this::stopQuietly, "loadtest-stop-pipeline");
  private String databaseUrl;
  private EmbeddedDatabase ceilingDatabase;
  private boolean stopped;

  private SpawnedTarget(Path dir, int pgPort, Process child, int otlpPort, int apiPort, String jvmOpts) {
    this.dir = dir;
    this.pgDir = dir.resolve("pg");
    this.pgPort = pgPort;
    this.child = child;
    this.otlp = URI.create("http://127.0.0.1:" + otlpPort);
    this.api = URI.create("http://127.0.0.1:" + apiPort);
    this.jvmOpts = jvmOpts;
  }

  static SpawnedTarget start(Options options) throws Exception {
    Path jar = pipelineJar(options);
    Path dir = Files.createTempDirectory("contextwatch-loadtest-pipeline");
    int pgPort = EmbeddedTarget.freePort();
    int otlpPort = EmbeddedTarget.freePort();
    int apiPort = EmbeddedTarget.freePort();
    Map<String, String> env = EmbeddedTarget.pipelineEnvironment(options, otlpPort, apiPort);
    env.remove(ConfigLoader.envName("pgUrl"));
    env.put(ConfigLoader.envName("pgDataDir"), dir.resolve("pg").toString());
    env.put(ConfigLoader.envName("pgEmbeddedPort"), Integer.toString(pgPort));
    List<String> command = new ArrayList<>(List.of(JAVA));
    command.addAll(jvmOptions(options.pipelineJvmOpts));
    command.addAll(List.of("-jar", jar.toString(), "--config", EmbeddedTarget.configFile(options).toString()));
    Files.createDirectories(options.out);
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(options.out.resolve("pipeline.log").toFile());
    builder.environment().clear();
    builder.environment().putAll(env);
    SpawnedTarget target = new SpawnedTarget(dir, pgPort, builder.start(), otlpPort, apiPort, options.pipelineJvmOpts.trim());
    Runtime.getRuntime().addShutdownHook(target.stopOnExit);
    try {
      target.awaitReady(options.out.resolve("pipeline.log"));
      target.databaseUrl = "postgresql://postgres:" + Files.readString(target.pgDir.resolve(PASSWORD_FILE)).trim()
          + "@localhost:" + pgPort + "/postgres";
      return target;
    } catch (Exception e) {
      target.close();
      throw e;
    }
  }

  /** {@code --pipeline-jar}, else the jar of the checkout this runs in, else the one beside the load test's jar. */
  static Path pipelineJar(Options options) throws IOException {
    List<Path> candidates = new ArrayList<>();
    if (options.pipelineJar != null) {
      candidates.add(options.pipelineJar);
    } else {
      candidates.add(Path.of(JAR_IN_CHECKOUT));
      ownJarFolder().ifPresent(folder -> {
        candidates.add(folder.resolve("contextwatch.jar"));
        candidates.add(folder.resolve("../..").resolve(JAR_IN_CHECKOUT));
      });
    }
    return candidates.stream().filter(Files::isRegularFile).findFirst().map(p -> p.toAbsolutePath().normalize())
        .orElseThrow(() -> new IOException("no pipeline jar at " + candidates + ": build it (mvn -B package -DskipTests), "
            + "give --pipeline-jar, or use --embedded or --otlp"));
  }

  private static Optional<Path> ownJarFolder() {
    try {
      Path own = Path.of(SpawnedTarget.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return Files.isRegularFile(own) ? Optional.of(own.getParent()) : Optional.empty();
    } catch (URISyntaxException | SecurityException e) {
      return Optional.empty();
    }
  }

  static List<String> jvmOptions(String opts) {
    return Arrays.stream(opts.trim().split("\\s+")).filter(o -> !o.isEmpty()).toList();
  }

  /** Polls {@code /ready} until it answers 200; fails with the log's end when the child exits or takes too long. */
  private void awaitReady(Path log) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest ready = HttpRequest.newBuilder(api.resolve("/ready")).timeout(Duration.ofSeconds(5)).build();
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (true) {
      if (!child.isAlive()) {
        throw new IOException("the pipeline exited with status " + child.exitValue() + " before it was ready:\n" + tail(log));
      }
      try {
        if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      if (System.nanoTime() > deadline) {
        throw new IOException("the pipeline was not ready within " + START_TIMEOUT.toSeconds() + " s:\n" + tail(log));
      }
      Thread.sleep(200);
    }
  }

  private static String tail(Path log) throws IOException {
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
  }

  @Override
  public URI otlp() {
    return otlp;
  }

  @Override
  public URI api() {
    return api;
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
    return new Processes(ProcessHandle.current().pid(), OptionalLong.of(child.pid()), Optional.of(pgDir));
  }

  @Override
  public synchronized void close() throws Exception {
    if (stopped) {
      return;
    }
    stopped = true;
    try {
      Runtime.getRuntime().removeShutdownHook(stopOnExit);
    } catch (IllegalStateException shuttingDown) {
      // called from the hook itself
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

  /** SIGTERM, SIGKILL after {@link #PATIENCE}; then the PostgreSQL server it may have left running. */
  private void stopChild() throws Exception {
    stop(child.toHandle());
    Optional<ProcessHandle> postmaster = postmaster(pgDir);
    if (postmaster.isPresent()) {
      stop(postmaster.get());
    }
  }

  /** SIGTERM (for PostgreSQL a smart shutdown: the pipeline, its only client, is gone), SIGKILL with its children after {@link #PATIENCE}. */
  private static void stop(ProcessHandle process) throws Exception {
    List<ProcessHandle> children = process.descendants().toList();
    process.destroy();
    if (!awaitExit(process, PATIENCE)) {
      process.destroyForcibly();
      children.forEach(ProcessHandle::destroyForcibly);
      if (!awaitExit(process, PATIENCE)) {
        throw new IOException("process " + process.pid() + " did not exit after SIGKILL");
      }
    }
  }

  private static boolean awaitExit(ProcessHandle process, Duration patience) throws Exception {
    try {
      process.onExit().get(patience.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return !process.isAlive();
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
