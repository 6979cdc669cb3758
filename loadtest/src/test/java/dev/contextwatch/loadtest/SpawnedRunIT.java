package dev.contextwatch.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The load test as docs/performance.md measures: the packaged pipeline (built by the app module's
 * package phase, {@code contextwatch.pipelineJar}) in a JVM of its own on its own embedded
 * PostgreSQL. A small saturation run with the ceiling, and runs that are interrupted or fail:
 * the child and its server are gone afterwards in every case.
 */
class SpawnedRunIT {
  private static final Pattern STARTED = Pattern.compile("pipeline in its own JVM \\(pid (\\d+).*data directory ([^)]+)\\)");
  private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

  @TempDir
  Path out;

  @Test
  @DisplayName("a run with the pipeline in its own JVM verifies through the database, reports durable commits, the ceiling on the "
      + "same server and each process's CPU, appends to the history and compares with the previous comparable run, and stops the child")
  void measuresWithThePipelineInItsOwnJvm() throws Exception {
    Path history = out.resolve("history.jsonl");
    String earlier = new JsonObject().put("time", "2026-11-01T00:00:00Z").put("commit", "abc").put("target", "spawned")
        .put("mode", "saturation").put("sessions", 10).putNull("rate").put("subscribers", 2).put("recordsPerSecond", 1.0)
        .put("otlpLatencyMs", new JsonObject().put("p99", 1000.0)).put("loadAverage", 1.5).encode();
    Files.writeString(history, earlier + "\n");
    Options options = Options.parse("--pipeline-jar", pipelineJar(), "--pipeline-jvm-opts", "-Xmx256m -XX:+UseSerialGC",
        "--mode", "saturation", "--sessions", "10", "--duration", "5s", "--batch-records", "20", "--subscribers", "2",
        "--ceiling", "--out", out.toString(), "--history", history.toString());
    assertThat(options.target).isEqualTo(Options.TargetKind.SPAWNED);

    SpawnedTarget target = SpawnedTarget.start(options);
    long child = target.processes().pipelines().get(0);
    Path pgDir = target.processes().postgresDataDir().orElseThrow();
    ProcessHandle postmaster = SpawnedTarget.postmaster(pgDir).orElseThrow();
    Result result;
    try {
      assertThat(child).isNotEqualTo(ProcessHandle.current().pid());
      assertThat(ProcessHandle.of(child).flatMap(p -> p.info().commandLine()).orElse(""))
          .contains("-Xmx256m", "-XX:+UseSerialGC", "-jar", "contextwatch.jar");
      result = new LoadTest(options, target).run();
    } finally {
      target.close();
    }

    assertThat(result.passed()).as(Report.console(result)).isTrue();
    assertThat(result.verification.method()).isEqualTo("database");
    assertThat(result.verification.eventsStored()).isPositive();
    assertThat(result.durability).isEqualTo("fsync=on synchronous_commit=on full_page_writes=on");
    assertThat(result.ceiling.records()).as("ceiling on the same server, after the pipeline").isPositive();
    assertThat(result.cpu.usage()).extracting(Cpu.Usage::name).containsExactly("generator", "pipeline", "postgres");
    assertThat(result.cpu.usage()).allSatisfy(u -> assertThat(u.cores()).as(u.name()).isPositive().isLessThan(64));
    assertThat(result.cpu.usage().get(2).processes()).as("the postmaster and its children").isGreaterThan(1);
    assertThat(result.cpu.machineBusyCores()).isPositive();

    JsonObject json = new JsonObject(Files.readString(out.resolve("result.json")));
    assertThat(json.getJsonObject("cpu").getJsonObject("coresUsed").getDouble("pipeline")).isPositive();
    assertThat(json.getString("databaseDurability")).contains("fsync=on");
    assertThat(Files.readString(out.resolve("report.html"))).contains("cores used while sending: generator", "synchronous_commit=on");
    assertThat(Files.readString(out.resolve("pipeline.log"))).contains("event=contextwatch_ready");

    List<String> lines = Files.readAllLines(history);
    assertThat(lines).hasSize(2);
    JsonObject line = new JsonObject(lines.get(1));
    assertThat(line.getString("target")).isEqualTo("spawned");
    assertThat(line.getJsonArray("command").getList()).contains("--ceiling", "saturation");
    assertThat(line.getDouble("recordsPerSecond")).isEqualTo(result.load.recordsPerSecond());
    assertThat(line.getDouble("ceilingRecordsPerSecond")).isPositive();
    assertThat(line.getJsonObject("cpu").getJsonObject("coresUsed").getDouble("postgres")).isPositive();
    assertThat(line.getBoolean("passed")).isTrue();
    assertThat(result.comparison).contains("previous comparable run 2026-11-01T00:00:00Z (commit abc", "1 records/s", "p99 1000.0 ms");

    assertGone(child, postmaster, pgDir);
  }

  @Test
  @DisplayName("Ctrl-C (SIGTERM) of the load test while it sends stops the pipeline's JVM and its PostgreSQL")
  void interruptedRunStopsTheChild() throws Exception {
    Process loadTest = loadTest("--duration", "120s", "--history", out.resolve("history.jsonl").toString());
    try {
      Started started = awaitStarted(loadTest);
      ProcessHandle postmaster = SpawnedTarget.postmaster(started.pgDir).orElseThrow();
      loadTest.destroy();
      assertThat(loadTest.waitFor(120, TimeUnit.SECONDS)).isTrue();
      assertGone(started.pid, postmaster, started.pgDir);
    } finally {
      loadTest.destroyForcibly();
    }
  }

  @Test
  @DisplayName("a run that fails (its history cannot be written) exits 1 and stops the pipeline's JVM and its PostgreSQL")
  void failedRunStopsTheChild() throws Exception {
    Path notAFile = Files.createDirectories(out.resolve("a-directory"));
    Process loadTest = loadTest("--duration", "2s", "--history", notAFile.toString());
    try {
      Started started = awaitStarted(loadTest);
      ProcessHandle postmaster = SpawnedTarget.postmaster(started.pgDir).orElseThrow();
      assertThat(loadTest.waitFor(180, TimeUnit.SECONDS)).isTrue();
      assertThat(loadTest.exitValue()).isEqualTo(1);
      assertThat(started.output.join()).contains("contextwatch-loadtest: java.io.IOException");
      assertGone(started.pid, postmaster, started.pgDir);
    } finally {
      loadTest.destroyForcibly();
    }
  }

  private record Started(long pid, Path pgDir, CompletableFuture<String> output) {}

  private Process loadTest(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(JAVA, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        LoadTest.class.getName(), "--pipeline-jar", pipelineJar(), "--pipeline-jvm-opts", "-Xmx256m", "--sessions", "10",
        "--logs-interval", "1s", "--subscribers", "1", "--out", out.toString()));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectErrorStream(true).start();
  }

  /** Reads the load test's output until it names the pipeline it started; the rest of the output is collected in the background. */
  private static Started awaitStarted(Process loadTest) throws Exception {
    BufferedReader reader = new BufferedReader(new InputStreamReader(loadTest.getInputStream(), StandardCharsets.UTF_8));
    StringBuilder seen = new StringBuilder();
    CompletableFuture<Started> started = CompletableFuture.supplyAsync(() -> {
      try {
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
          seen.append(line).append('\n');
          Matcher m = STARTED.matcher(line);
          if (m.find()) {
            CompletableFuture<String> rest = CompletableFuture.supplyAsync(() -> drain(reader, seen));
            return new Started(Long.parseLong(m.group(1)), Path.of(m.group(2)), rest);
          }
        }
        throw new IllegalStateException("the load test ended without starting a pipeline:\n" + seen);
      } catch (java.io.IOException e) {
        throw new IllegalStateException(e);
      }
    });
    return started.get(180, TimeUnit.SECONDS);
  }

  private static String drain(BufferedReader reader, StringBuilder seen) {
    try {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        seen.append(line).append('\n');
      }
    } catch (java.io.IOException closed) {
      // the process is gone
    }
    return seen.toString();
  }

  private static void assertGone(long child, ProcessHandle postmaster, Path pgDir) {
    Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
      assertThat(ProcessHandle.of(child).filter(ProcessHandle::isAlive)).as("the pipeline's JVM").isEqualTo(Optional.empty());
      assertThat(postmaster.isAlive()).as("its PostgreSQL").isFalse();
      assertThat(pgDir.getParent()).as("the temporary data directory").doesNotExist();
    });
  }

  private static String pipelineJar() {
    String jar = System.getProperty("contextwatch.pipelineJar");
    assertThat(jar).as("system property contextwatch.pipelineJar (set by failsafe in mvn verify)").isNotNull();
    assertThat(Path.of(jar)).exists();
    return jar;
  }
}
