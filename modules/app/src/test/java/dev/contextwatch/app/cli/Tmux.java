package dev.contextwatch.app.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.awaitility.Awaitility;

/**
 * An interactive program in a detached tmux session: a person's terminal, for a client that only
 * does some things interactively (its status line, its permission prompts). Keys are typed with
 * {@code send-keys}, the screen is read with {@code capture-pane}.
 */
final class Tmux implements AutoCloseable {
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);

  private final String name;

  private Tmux(String name) {
    this.name = name;
  }

  /** Starts {@code command} in a new 160×45 pane, in {@code cwd}, with exactly {@code env} (plus TERM). */
  static Tmux start(String name, Path cwd, Map<String, String> env, List<String> command) throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(List.of("new-session", "-d", "-s", name, "-x", "160", "-y", "45", "-c", cwd.toString(),
        "env", "-i", "TERM=xterm-256color"));
    env.forEach((key, value) -> args.add(key + "=" + value));
    args.addAll(command);
    tmux(args);
    return new Tmux(name);
  }

  /** Types {@code keys}: text as it is, or tmux key names such as {@code Enter} and {@code Escape}. */
  void send(String... keys) throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(List.of("send-keys", "-t", name));
    args.addAll(List.of(keys));
    tmux(args);
  }

  /** Types {@code text} literally, then Enter. */
  void type(String text) throws IOException, InterruptedException {
    tmux(List.of("send-keys", "-t", name, "-l", text));
    send("Enter");
  }

  /** What the pane shows now. */
  String screen() throws IOException, InterruptedException {
    return tmux(List.of("capture-pane", "-p", "-t", name));
  }

  /** The screen once it satisfies {@code shows}, polled to {@code timeout}; the failure shows the last screen. */
  String await(String what, Predicate<String> shows, Duration timeout) {
    String[] last = {""};
    try {
      Awaitility.await(what).atMost(timeout).pollInterval(Duration.ofMillis(250)).until(() -> shows.test(last[0] = screen()));
    } catch (org.awaitility.core.ConditionTimeoutException timedOut) {
      throw new AssertionError("the terminal never showed " + what + "; its screen:\n" + last[0], timedOut);
    }
    return last[0];
  }

  /** Ends the session, unless its program has ended it already (its pane closes when the program exits). */
  @Override
  public void close() throws IOException, InterruptedException {
    if (running()) {
      tmux(List.of("kill-session", "-t", name));
    }
  }

  boolean running() throws IOException, InterruptedException {
    return new ProcessBuilder("tmux", "has-session", "-t", name).redirectErrorStream(true).start().waitFor() == 0;
  }

  private static String tmux(List<String> args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("tmux"));
    command.addAll(args);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    if (!process.waitFor(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new IOException("tmux " + args.get(0) + " did not finish within " + COMMAND_TIMEOUT);
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (process.exitValue() != 0) {
      throw new IOException("tmux " + args.get(0) + " failed: " + output.strip());
    }
    return output;
  }
}
