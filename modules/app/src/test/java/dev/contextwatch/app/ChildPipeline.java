package dev.contextwatch.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * contextwatch's real entry point in a JVM of its own, configured through CONTEXTWATCH_* variables
 * like a user's: for tests of start-up, SIGTERM and SIGKILL. Its output goes to {@code out.log}.
 */
final class ChildPipeline {
  private final Path dir;
  private final Map<String, String> env;
  private Process process;

  private ChildPipeline(Path dir, Map<String, String> env) {
    this.dir = dir;
    this.env = env;
  }

  static ChildPipeline start(Path dir, Map<String, String> env) throws IOException {
    ChildPipeline child = new ChildPipeline(dir, env);
    child.launch();
    return child;
  }

  private void launch() throws IOException {
    ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Main.class.getName())
        .directory(dir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("out.log").toFile()));
    builder.environment().keySet().removeIf(k -> k.startsWith("CONTEXTWATCH_"));
    builder.environment().putAll(env);
    process = builder.start();
  }

  Process process() {
    return process;
  }

  String output() throws IOException {
    Path log = dir.resolve("out.log");
    return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
  }

  /** Waits until the log holds {@code line} {@code times} times (a restarted child logs again). */
  void awaitLog(String line, int times) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (output().split(line, -1).length - 1 < times) {
      assertThat(System.nanoTime()).as("waiting for %s in:%n%s", line, output()).isLessThan(deadline);
      assertThat(process.isAlive()).as("child exited early:%n%s", output()).isTrue();
      Thread.sleep(100);
    }
  }

  /** SIGKILL: no shutdown hook runs, nothing is flushed. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
  }

  /** Starts the same configuration again after a kill. */
  void restart() throws IOException {
    launch();
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
