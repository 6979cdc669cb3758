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
 * registry into {@code target/claude-cli/<version>} by explicit version: {@code -Dclaude.cli.version}
 * (default {@code latest}, resolved to its number with {@code npm view} first, because a plain
 * install on node 20 silently picks an older release whose {@code engines} accept that node), and
 * run as a bounded child process with nothing of the caller's environment but PATH.
 */
final class ClaudeCli {
  static final String PACKAGE = "@anthropic-ai/claude-code";
  private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(8);

  /** A usable CLI: its executable, the version it reports, and how it was obtained. */
  record Installation(Path executable, String version, String how) {}

  /** The outcome of one run; stdout and stderr are complete once the process ended. */
  record Result(int exitCode, boolean timedOut, String stdout, String stderr, Duration took) {}

  private ClaudeCli() {}

  static Installation locate(Path root) throws IOException, InterruptedException {
    String given = System.getProperty("claude.cli", "");
    if (!given.isBlank()) {
      Path executable = Path.of(given).toAbsolutePath();
      return new Installation(executable, version(executable), "given with -Dclaude.cli");
    }
    String wanted = System.getProperty("claude.cli.version", "latest");
    String version = wanted.matches("\\d+(\\.\\d+)*") ? wanted : npm(root, List.of("view", PACKAGE + "@" + wanted, "version")).trim();
    Path prefix = root.resolve(version);
    Path executable = prefix.resolve("node_modules/.bin/claude");
    if (Files.isExecutable(executable)) {
      return new Installation(executable, version(executable), "already installed in " + prefix);
    }
    Files.createDirectories(prefix);
    npm(prefix, List.of("install", "--no-audit", "--no-fund", "--prefix", prefix.toString(), PACKAGE + "@" + version));
    if (!Files.isExecutable(executable)) {
      throw new IllegalStateException("npm install succeeded but " + executable + " is missing");
    }
    return new Installation(executable, version(executable),
        "installed " + PACKAGE + "@" + version + " with npm (-Dclaude.cli.version=" + wanted + ")");
  }

  /** Runs npm with {@code arguments}; its standard output, or an exception naming what failed. */
  private static String npm(Path cwd, List<String> arguments) throws IOException, InterruptedException {
    Files.createDirectories(cwd);
    List<String> command = new ArrayList<>(List.of("npm"));
    command.addAll(arguments);
    System.out.println("[claude-cli] " + String.join(" ", command));
    Result result = run(command, Map.of("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"),
        "HOME", System.getProperty("user.home")), cwd, INSTALL_TIMEOUT, false);
    if (result.exitCode() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed (exit " + result.exitCode() + "):\n"
          + result.stdout() + result.stderr());
    }
    return result.stdout();
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
