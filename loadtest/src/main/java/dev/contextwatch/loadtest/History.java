package dev.contextwatch.loadtest;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The runs so far, one JSON line each in {@code --history}: when, which commit, the command
 * line, the target and workload, throughput, latencies, ceiling, CPU, load average and verdict.
 * A run is compared with the last earlier one of the same target kind, mode, sessions, rate,
 * subscribers, nodes and warm-up length (a warmed-up JVM is faster), so that a regression shows in
 * the summary.
 */
final class History {
  private static final List<String> COMPARABLE = List.of("target", "mode", "sessions", "rate", "subscribers", "nodes", "cluster",
      "warmupSeconds");
  /** What a line written before a comparable setting existed ran with. */
  private static final Map<String, Object> BEFORE_THE_SETTING = Map.of("nodes", 1, "warmupSeconds", 0);

  private History() {}

  /** The line this run adds. */
  static JsonObject line(Result r) {
    JsonObject json = r.toJson();
    JsonObject settings = json.getJsonObject("settings");
    JsonObject line = new JsonObject()
        .put("time", r.startedAt.toString())
        .put("commit", commit())
        .put("command", new JsonArray(r.options.arguments))
        .put("target", Options.label(r.options.target))
        .put("mode", settings.getString("mode"))
        .put("sessions", settings.getInteger("sessions"))
        .put("rate", settings.getDouble("rate"))
        .put("subscribers", settings.getInteger("subscribers"))
        .put("nodes", settings.getInteger("nodes"))
        .put("cluster", settings.getBoolean("cluster"))
        .put("warmupSeconds", r.warmupSeconds())
        .put("recordsPerSecond", r.load.recordsPerSecond())
        .put("otlpLatencyMs", json.getJsonObject("otlpLatencyMs").copy())
        .put("requestToFrameMs", json.getJsonObject("requestToFrameMs").copy())
        .put("ceilingRecordsPerSecond", r.ceiling == null ? null : r.ceiling.recordsPerSecond())
        .put("pipelineOverCeiling", r.ceilingRatio())
        .put("cpu", json.getJsonObject("cpu"))
        .put("loadAverage", r.loadAverage)
        .put("passed", r.passed());
    if (r.verification != null) {
      line.put("lost", r.verification.lost()).put("duplicated", r.verification.duplicated());
    }
    return line;
  }

  /** Appends the run's line; returns the comparison with the previous comparable run, or a line saying there is none. */
  static String append(Path file, Result r) throws IOException {
    JsonObject line = line(r);
    Optional<JsonObject> previous = previous(file, line);
    if (file.toAbsolutePath().getParent() != null) {
      Files.createDirectories(file.toAbsolutePath().getParent());
    }
    Files.writeString(file, line.encode() + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    return previous.map(p -> compare(p, line)).orElse("history      no earlier comparable run in " + file
        + " (same target, mode, sessions, rate, subscribers, nodes and warm-up)") + "\n";
  }

  /**
   * The last line of {@code file} with the same target, mode, sessions, rate, subscribers, nodes,
   * cluster mode and warm-up length as {@code line}.
   */
  static Optional<JsonObject> previous(Path file, JsonObject line) throws IOException {
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    JsonObject found = null;
    for (String text : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      try {
        JsonObject earlier = new JsonObject(text);
        if (COMPARABLE.stream().allMatch(k -> Objects.equals(value(earlier, k), value(line, k)))) {
          found = earlier;
        }
      } catch (DecodeException | ClassCastException notALine) {
        // a line from elsewhere: not comparable
      }
    }
    return Optional.ofNullable(found);
  }

  /** A comparable setting; a line written before --nodes ran one node, and one written before --warmup had no warm-up. */
  private static Object value(JsonObject line, String key) {
    Object value = line.getValue(key);
    return number(value == null ? BEFORE_THE_SETTING.get(key) : value);
  }

  /** Integers and doubles read back from JSON compare by value. */
  private static Object number(Object value) {
    return value instanceof Number n ? n.doubleValue() : value;
  }

  static String compare(JsonObject previous, JsonObject now) {
    double rateBefore = previous.getDouble("recordsPerSecond");
    double rateNow = now.getDouble("recordsPerSecond");
    double p99Before = previous.getJsonObject("otlpLatencyMs").getDouble("p99");
    double p99Now = now.getJsonObject("otlpLatencyMs").getDouble("p99");
    return String.format(Locale.ROOT, "history      previous comparable run %s (commit %s, load average %.2f): %,.0f records/s, "
        + "OTLP p99 %.1f ms; now %,.0f records/s (%+.1f %%), p99 %.1f ms (%+.1f %%)", previous.getString("time"),
        previous.getString("commit", "unknown"), previous.getDouble("loadAverage", Double.NaN), rateBefore, p99Before,
        rateNow, change(rateBefore, rateNow), p99Now, change(p99Before, p99Now));
  }

  private static double change(double before, double now) {
    return before == 0 ? 0 : (now - before) / before * 100;
  }

  /** {@code git rev-parse --short HEAD} of the working directory (with "-dirty" for uncommitted changes), or null. */
  static String commit() {
    try {
      String head = git("rev-parse", "--short=12", "HEAD");
      if (head == null || head.isEmpty()) {
        return null;
      }
      String status = git("status", "--porcelain", "--untracked-files=no");
      return status == null || status.isEmpty() ? head : head + "-dirty";
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private static String git(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("git"));
    command.addAll(List.of(args));
    Process git = new ProcessBuilder(command).redirectErrorStream(true).start();
    git.getOutputStream().close();
    if (!git.waitFor(10, TimeUnit.SECONDS)) {
      git.destroyForcibly();
      return null;
    }
    String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    return git.exitValue() == 0 ? out : null;
  }
}
