package dev.contextwatch.loadtest;

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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The packaged pipeline in a JVM of its own, started as users start it:
 * {@code java [--pipeline-jvm-opts] -jar contextwatch.jar --config FILE} with exactly the given
 * environment, its output appended to a log file. It can be started again after it stopped or
 * was killed (the same command, environment and ports).
 */
final class PipelineProcess {
  private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
  private static final String JAR_IN_CHECKOUT = "modules/app/target/contextwatch.jar";
  static final Duration START_TIMEOUT = Duration.ofSeconds(180);
  /** How long a SIGTERM is given before SIGKILL. */
  private static final Duration PATIENCE = Duration.ofSeconds(60);

  private final List<String> command;
  private final Map<String, String> environment;
  private final Path workDir;
  private final Path log;
  private final URI api;
  private Process process;

  PipelineProcess(List<String> command, Map<String, String> environment, Path workDir, Path log, URI api) {
    this.command = List.copyOf(command);
    this.environment = Map.copyOf(environment);
    this.workDir = workDir;
    this.log = log;
    this.api = api;
  }

  /** The command that starts the pipeline with the run's jar, JVM options and configuration file. */
  static List<String> command(Options options) throws IOException {
    List<String> command = new ArrayList<>(List.of(JAVA));
    command.addAll(jvmOptions(options.pipelineJvmOpts));
    command.addAll(List.of("-jar", pipelineJar(options).toString(), "--config", EmbeddedTarget.configFile(options).toString()));
    return command;
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
      Path own = Path.of(PipelineProcess.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return Files.isRegularFile(own) ? Optional.of(own.getParent()) : Optional.empty();
    } catch (URISyntaxException | SecurityException e) {
      return Optional.empty();
    }
  }

  static List<String> jvmOptions(String opts) {
    return Arrays.stream(opts.trim().split("\\s+")).filter(o -> !o.isEmpty()).toList();
  }

  /** Starts the JVM (again, after it stopped); its output is appended to the log. */
  synchronized void start() throws IOException {
    Files.createDirectories(log.getParent());
    ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().clear();
    builder.environment().putAll(environment);
    process = builder.start();
  }

  /** Polls {@code /ready} until it answers 200; fails with the log's end when the JVM exits or takes too long. */
  void awaitReady() throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest ready = HttpRequest.newBuilder(api.resolve("/ready")).timeout(Duration.ofSeconds(5)).build();
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (true) {
      Process p = process();
      if (!p.isAlive()) {
        throw new IOException("the pipeline exited with status " + p.exitValue() + " before it was ready:\n" + tail(log));
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

  private synchronized Process process() {
    return process;
  }

  long pid() {
    return process().pid();
  }

  boolean alive() {
    Process p = process();
    return p != null && p.isAlive();
  }

  /** SIGKILL, as a crash: no shutdown hook runs; returns once the JVM is gone. */
  void kill() throws Exception {
    ProcessHandle handle = process().toHandle();
    handle.destroyForcibly();
    if (!awaitExit(handle, PATIENCE)) {
      throw new IOException("process " + handle.pid() + " did not exit after SIGKILL");
    }
  }

  /** SIGTERM, SIGKILL after a minute; nothing when it was never started or is gone already. */
  void stop() throws Exception {
    Process p = process();
    if (p != null) {
      stop(p.toHandle());
    }
  }

  /** SIGTERM (for PostgreSQL a smart shutdown: the pipeline, its only client, is gone), SIGKILL with its children after {@link #PATIENCE}. */
  static void stop(ProcessHandle process) throws Exception {
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

  private static String tail(Path log) throws IOException {
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
  }
}
