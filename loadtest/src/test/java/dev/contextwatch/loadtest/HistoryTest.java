package dev.contextwatch.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HistoryTest {
  @TempDir
  Path dir;

  private static JsonObject run(String time, String target, int sessions, Double rate, double recordsPerSecond, double p99) {
    return new JsonObject().put("time", time).put("commit", "c-" + time).put("target", target).put("mode", "realistic")
        .put("sessions", sessions).put("rate", rate).put("subscribers", 100).put("recordsPerSecond", recordsPerSecond)
        .put("otlpLatencyMs", new JsonObject().put("p99", p99)).put("loadAverage", 2.0);
  }

  @Test
  @DisplayName("the previous comparable run is the last one with the same target, mode, sessions, rate and subscribers")
  void previousIsTheLastComparable() throws Exception {
    Path file = dir.resolve("history.jsonl");
    Files.writeString(file, String.join("\n",
        run("t1", "spawned", 2000, 10000.0, 9000, 150).encode(),
        run("t2", "spawned", 2000, 10000.0, 9500, 120).encode(),
        run("t3", "embedded", 2000, 10000.0, 9900, 100).encode(),
        run("t4", "spawned", 1000, 10000.0, 9900, 100).encode(),
        run("t5", "spawned", 2000, 5000.0, 4900, 100).encode(),
        "not json") + "\n");

    JsonObject now = run("t6", "spawned", 2000, 10000.0, 8550, 180);

    assertThat(History.previous(file, now)).map(p -> p.getString("time")).contains("t2");
    assertThat(History.compare(History.previous(file, now).orElseThrow(), now))
        .contains("previous comparable run t2 (commit c-t2, load average 2.00): 9,500 records/s, OTLP p99 120.0 ms")
        .contains("now 8,550 records/s (-10.0 %), p99 180.0 ms (+50.0 %)");
  }

  @Test
  @DisplayName("a run of three nodes is compared only with runs of three nodes in the same cluster mode; a line without nodes ran one")
  void nodesAreComparedToo() throws Exception {
    Path file = dir.resolve("history.jsonl");
    Files.writeString(file, String.join("\n",
        run("t1", "spawned", 2000, 10000.0, 9000, 150).encode(),
        run("t2", "spawned", 2000, 10000.0, 9000, 150).put("nodes", 3).put("cluster", true).encode(),
        run("t3", "spawned", 2000, 10000.0, 9000, 150).put("nodes", 3).put("cluster", false).encode()) + "\n");

    assertThat(History.previous(file, run("t4", "spawned", 2000, 10000.0, 1, 1).put("nodes", 1)))
        .map(p -> p.getString("time")).contains("t1");
    assertThat(History.previous(file, run("t4", "spawned", 2000, 10000.0, 1, 1).put("nodes", 3).put("cluster", true)))
        .map(p -> p.getString("time")).contains("t2");
    assertThat(History.previous(file, run("t4", "spawned", 2000, 10000.0, 1, 1).put("nodes", 2).put("cluster", true))).isEmpty();
  }

  @Test
  @DisplayName("integer and decimal figures read back from the file compare by value, and a missing file has no previous run")
  void numbersCompareByValue() throws Exception {
    Path file = dir.resolve("history.jsonl");
    assertThat(History.previous(file, run("t1", "spawned", 2000, 10000.0, 1, 1))).isEmpty();
    Files.writeString(file, run("t1", "spawned", 2000, null, 1, 1).encode().replace("\"sessions\":2000", "\"sessions\":2000.0") + "\n");
    assertThat(History.previous(file, run("t2", "spawned", 2000, null, 1, 1))).isPresent();
  }

  @Test
  @DisplayName("a run with a warm-up is compared only with runs of the same warm-up; a line without one had none")
  void warmUpIsCompared() throws Exception {
    Path file = dir.resolve("history.jsonl");
    Files.writeString(file, String.join("\n",
        run("t1", "spawned", 2000, 10000.0, 9000, 150).encode(),
        run("t2", "spawned", 2000, 10000.0, 9000, 150).put("warmupSeconds", 20.0).encode(),
        run("t3", "spawned", 2000, 10000.0, 9000, 150).put("warmupSeconds", 10).encode()) + "\n");

    assertThat(History.previous(file, run("t4", "spawned", 2000, 10000.0, 1, 1).put("warmupSeconds", 0.0)))
        .map(p -> p.getString("time")).contains("t1");
    assertThat(History.previous(file, run("t4", "spawned", 2000, 10000.0, 1, 1).put("warmupSeconds", 20.0)))
        .map(p -> p.getString("time")).contains("t2");
    assertThat(History.previous(file, run("t4", "spawned", 2000, 10000.0, 1, 1).put("warmupSeconds", 10.0)))
        .map(p -> p.getString("time")).contains("t3");
    assertThat(History.previous(file, run("t4", "spawned", 2000, 10000.0, 1, 1).put("warmupSeconds", 5.0))).isEmpty();
  }
}
