package dev.contextwatch.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * One tiny run with a warm-up against a pipeline started in this JVM: 2 s of warm-up, then 3 s
 * measured, then the ceiling with the same warm-up. Everything sent is verified; the figures
 * count only what happened after the warm-up.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WarmupRunTest {
  @TempDir
  static Path out;

  private EmbeddedTarget target;
  private Result result;
  private String console;

  @BeforeAll
  void run() throws Exception {
    Options options = Options.parse("--embedded", "--mode", "saturation", "--sessions", "20", "--warmup", "2s", "--duration", "3s",
        "--batch-records", "20", "--subscribers", "2", "--settle", "10s", "--ceiling", "--out", out.toString(),
        "--history", out.resolve("history.jsonl").toString());
    target = EmbeddedTarget.start(options);
    result = new LoadTest(options, target).run();
    console = Report.console(result);
  }

  @AfterAll
  void stop() throws Exception {
    if (target != null) {
      target.close();
    }
  }

  @Test
  @DisplayName("the warm-up's records are verified with the rest: nothing lost or duplicated over the whole run")
  void warmUpRecordsAreVerified() {
    Verifier.Verification v = result.verification;
    Account.Records records = result.account.records;
    assertThat(records.warmUp().recordsSent()).as("records sent in the warm-up").isPositive();
    assertThat(records.warmUp().recordsAcknowledged()).as("records acknowledged in the warm-up").isPositive();
    assertThat(v.lost()).as("lost").isZero();
    assertThat(v.duplicated()).as("duplicated").isZero();
    assertThat(v.unexpected()).as("unexpected").isZero();
    assertThat(v.totalsMismatched()).as("sessions whose totals differ: %s", v.examples()).isZero();
    assertThat(v.eventsExpected() + v.pointsExpected()).as("the verifier expected every acknowledged record")
        .isEqualTo(records.acknowledged().records());
    assertThat(records.warmUp().recordsAcknowledged() + records.acknowledgedWhileSending() + records.acknowledgedInFinalFlush())
        .isEqualTo(records.acknowledged().records());
    assertThat(result.account.inconsistencies()).isEmpty();
    assertThat(result.passed()).isTrue();
  }

  @Test
  @DisplayName("the throughput counts only the records acknowledged after the warm-up, over the measured seconds")
  void throughputIsTheMeasuredPhaseOnly() throws Exception {
    Account.Records records = result.account.records;
    assertThat(result.load.records()).as("measured acknowledged records")
        .isPositive()
        .isLessThan(records.acknowledged().records())
        .isLessThanOrEqualTo(records.acknowledged().records() - records.warmUp().recordsAcknowledged());
    assertThat(result.load.seconds()).as("measured seconds").isBetween(2.9, 4.5);

    JsonArray timeline = new JsonObject(Files.readString(out.resolve("result.json"))).getJsonArray("timeline");
    // the records of the "load" seconds add up to the measured count: warm-up records counted would break the sum
    double measured = 0;
    double previousT = 0;
    for (int i = 0; i < timeline.size(); i++) {
      JsonObject tick = timeline.getJsonObject(i);
      if (tick.getString("phase").equals("load")) {
        measured += tick.getDouble("records") * (tick.getDouble("t") - previousT);
      }
      previousT = tick.getDouble("t");
    }
    assertThat(measured).isCloseTo(result.load.records(), within(Math.max(2.0, result.load.records() * 0.01)));
  }

  @Test
  @DisplayName("latencies, answers and CPU are the measured phase's; the ceiling's clock also starts after its warm-up")
  void figuresLeaveTheWarmUpOut() {
    Stats stats = result.stats;
    assertThat(stats.latency().getTotalCount()).as("OTLP attempts measured").isPositive().isLessThan(stats.attempts());
    assertThat(stats.answers().values().stream().mapToLong(Long::longValue).sum())
        .as("answers per HTTP attempt, measured").isEqualTo(stats.latency().getTotalCount());
    assertThat(result.cpu.seconds()).as("seconds of CPU measurement").isBetween(2.9, 4.5);
    assertThat(result.ceiling.records()).isPositive();
    assertThat(result.ceiling.seconds()).as("ceiling seconds measured").isBetween(2.9, 4.5);
  }

  @Test
  @DisplayName("the timeline marks the warm-up's seconds before 0, the report shows where measuring began, the summary says so")
  void warmUpIsMarked() throws Exception {
    JsonObject json = new JsonObject(Files.readString(out.resolve("result.json")));
    assertThat(json.getDouble("warmupSeconds")).isEqualTo(2.0);
    List<JsonObject> ticks = json.getJsonArray("timeline").stream().map(JsonObject.class::cast).toList();
    List<JsonObject> warmUp = ticks.stream().filter(t -> t.getString("phase").equals("warmup")).toList();
    assertThat(warmUp).hasSizeGreaterThanOrEqualTo(2).allSatisfy(t -> assertThat(t.getDouble("t")).isLessThanOrEqualTo(0.0));
    assertThat(ticks.stream().filter(t -> t.getString("phase").equals("load")))
        .isNotEmpty().allSatisfy(t -> assertThat(t.getDouble("t")).isPositive());
    assertThat(json.getJsonObject("account").getJsonObject("records").getJsonObject("sent").getLong("inWarmUp"))
        .isEqualTo(result.account.records.warmUp().recordsSent());
    assertThat(Files.readString(out.resolve("report.html"))).contains("measuring starts", "warm-up");
    assertThat(console).containsPattern("warm-up {6}2 s \\([\\d,]+ records sent, verified, not in the figures\\)")
        .contains("in the warm-up + ");
    JsonObject line = new JsonObject(Files.readAllLines(out.resolve("history.jsonl")).get(0));
    assertThat(line.getDouble("warmupSeconds")).isEqualTo(2.0);
  }
}
