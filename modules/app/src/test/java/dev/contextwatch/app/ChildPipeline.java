package dev.contextwatch.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * contextwatch's real entry point in a JVM of its own, configured through CONTEXTWATCH_* variables
 * like a user's: for tests of start-up, SIGTERM and SIGKILL. Either {@code Main} on the test
 * classpath ({@link #start}) or the packaged jar as users start it ({@link #startPackaged}). Its
 * output goes to {@code out.log}.
 */
final class ChildPipeline {
  /** Set by failsafe: the repository's {@code ./contextwatch}, which runs {@code modules/app/target/contextwatch.jar}. */
  static final String LAUNCHER_PROPERTY = "contextwatch.launcher";
  private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

  private final Path dir;
  private final List<String> command;
  private final Map<String, String> env;
  private Process process;

  private ChildPipeline(Path dir, List<String> command, Map<String, String> env) {
    this.dir = dir;
    this.command = command;
    this.env = env;
  }

  /** {@code Main} from the test classpath. */
  static ChildPipeline start(Path dir, Map<String, String> env) throws IOException {
    return launched(new ChildPipeline(dir, List.of(JAVA, "-cp", System.getProperty("java.class.path"), Main.class.getName()), env));
  }

  /**
   * The packaged jar, started exactly as the README says: {@code ./contextwatch} at the
   * repository root. The script rebuilds the jar when a source is newer than it; here that would
   * test something else than what was built, so the {@code mvn} on its PATH refuses (and the child
   * exits) instead, and its {@code java} is this JVM's.
   */
  static ChildPipeline startPackaged(Path dir, Map<String, String> env) throws IOException {
    String launcher = System.getProperty(LAUNCHER_PROPERTY);
    assertThat(launcher).as("system property %s (set by failsafe in mvn verify)", LAUNCHER_PROPERTY).isNotNull();
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path mvn = bin.resolve("mvn");
    Files.writeString(mvn, "#!/bin/sh\necho 'test: ./contextwatch wanted to rebuild the jar under test' >&2\nexit 97\n");
    Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.deleteIfExists(bin.resolve("java"));
    Files.createSymbolicLink(bin.resolve("java"), Path.of(JAVA));
    Map<String, String> withPath = new HashMap<>(env);
    withPath.put("PATH", bin + File.pathSeparator + System.getenv("PATH"));
    return launched(new ChildPipeline(dir, List.of(Path.of(launcher).toRealPath().toString()), withPath));
  }

  private static ChildPipeline launched(ChildPipeline child) throws IOException {
    child.launch();
    return child;
  }

  private void launch() throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command)
        .directory(dir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("out.log").toFile()));
    builder.environment().keySet().removeIf(k -> k.startsWith("CONTEXTWATCH_") || k.equals("JAVA_OPTS"));
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
  void awaitLog(String line, int times) {
    Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
        .failFast(() -> assertThat(process.isAlive()).as("child exited early:%n%s", output()).isTrue())
        .untilAsserted(() -> assertThat(output().split(line, -1).length - 1).as("waiting for %s in:%n%s", line, output())
            .isGreaterThanOrEqualTo(times));
  }

  /** SIGKILL: no shutdown hook runs, nothing is flushed. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
  }

  /**
   * SIGTERM, SIGKILL if it has not stopped within 90 s, and then stops an embedded database it
   * may have left running (after a kill, or a failed test), so no server outlives the test.
   */
  void stop() throws Exception {
    process.destroy();
    if (!process.waitFor(90, TimeUnit.SECONDS)) {
      kill();
    }
    String dataDir = env.get("CONTEXTWATCH_PG_DATA_DIR");
    if (dataDir != null && env.get("CONTEXTWATCH_PG_URL") == null) {
      Postmaster.stopOrphan(Path.of(dataDir).toAbsolutePath());
    }
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
