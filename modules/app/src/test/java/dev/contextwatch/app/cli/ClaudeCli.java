package dev.contextwatch.app.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real Claude Code CLI: found at {@code -Dclaude.cli=PATH}, else installed from the npm
 * registry into {@code target/claude-cli} (the version the fixtures were recorded with, else the
 * latest), and run as a bounded child process with nothing of the caller's environment but PATH.
 */
final class ClaudeCli {
  static final String PACKAGE = "@anthropic-ai/claude-code";
  static final String PINNED_VERSION = "2.1.197";
  private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(8);

  /** A usable CLI: its executable, the version it reports, and how it was obtained. */
  record Installation(Path executable, String version, String how) {}

  /** The outcome of one run; stdout and stderr are complete once the process ended. */
  record Result(int exitCode, boolean timedOut, String stdout, String stderr, Duration took) {}

  private ClaudeCli() {}

  static Installation locate(Path prefix) throws IOException, InterruptedException {
    String given = System.getProperty("claude.cli", "");
    if (!given.isBlank()) {
      Path executable = Path.of(given).toAbsolutePath();
      return new Installation(executable, version(executable), "given with -Dclaude.cli");
    }
    Path executable = prefix.resolve("node_modules/.bin/claude");
    if (Files.isExecutable(executable)) {
      return new Installation(executable, version(executable), "already installed in " + prefix);
    }
    Files.createDirectories(prefix);
    String how;
    Result pinned = npmInstall(prefix, PACKAGE + "@" + PINNED_VERSION);
    if (pinned.exitCode() == 0) {
      how = "installed " + PACKAGE + "@" + PINNED_VERSION + " with npm";
    } else {
      System.out.println("[claude-cli] npm could not install " + PACKAGE + "@" + PINNED_VERSION
          + ", falling back to latest:\n" + pinned.stdout() + pinned.stderr());
      Result latest = npmInstall(prefix, PACKAGE + "@latest");
      if (latest.exitCode() != 0) {
        throw new IllegalStateException("npm install " + PACKAGE + " failed (exit " + latest.exitCode() + "):\n"
            + latest.stdout() + latest.stderr());
      }
      how = "installed " + PACKAGE + "@latest with npm (" + PINNED_VERSION + " not served)";
    }
    if (!Files.isExecutable(executable)) {
      throw new IllegalStateException("npm install succeeded but " + executable + " is missing");
    }
    return new Installation(executable, version(executable), how);
  }

  private static Result npmInstall(Path prefix, String spec) throws IOException, InterruptedException {
    System.out.println("[claude-cli] npm install --prefix " + prefix + " " + spec);
    return run(List.of("npm", "install", "--no-audit", "--no-fund", "--prefix", prefix.toString(), spec),
        Map.of("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"),
            "HOME", System.getProperty("user.home")),
        prefix, INSTALL_TIMEOUT, false);
  }

  private static String version(Path executable) throws IOException, InterruptedException {
    Result result = run(List.of(executable.toString(), "--version"),
        Map.of("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"), "DISABLE_AUTOUPDATER", "1",
            "HOME", Files.createTempDirectory("claude-version-home").toString()),
        Path.of("."), Duration.ofSeconds(60), true);
    if (result.exitCode() != 0) {
      throw new IllegalStateException(executable + " --version failed (exit " + result.exitCode() + "): "
          + result.stdout() + result.stderr());
    }
    return result.stdout().trim();
  }

  /**
   * Runs a command with exactly {@code env} as its environment, standard input empty, and kills it
   * (and its children) when it outlives {@code timeout}.
   */
  static Result run(List<String> command, Map<String, String> env, Path cwd, Duration timeout, boolean clearEnv)
      throws IOException, InterruptedException {
    Path out = Files.createTempFile("claude-cli-stdout", ".txt");
    Path err = Files.createTempFile("claude-cli-stderr", ".txt");
    ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command))
        .directory(cwd.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
        .redirectOutput(out.toFile())
        .redirectError(err.toFile());
    if (clearEnv) {
      builder.environment().clear();
    }
    builder.environment().putAll(env);
    long started = System.nanoTime();
    Process process = builder.start();
    boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (!finished) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    Result result = new Result(finished ? process.exitValue() : -1, !finished,
        Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8), took);
    Files.deleteIfExists(out);
    Files.deleteIfExists(err);
    return result;
  }
}
