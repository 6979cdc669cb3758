package dev.contextwatch.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * One tiny run against a pipeline started in this JVM on an embedded PostgreSQL: saturation with
 * cumulative metrics, duplicates, out-of-order points and counter resets injected. It must store
 * every acknowledged record exactly once; and the verifier must notice when that is not so.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EmbeddedRunTest {
  @TempDir
  static Path out;

  private EmbeddedTarget target;
  private Result result;

  @BeforeAll
  void run() throws Exception {
    Options options = Options.parse("--embedded", "--mode", "saturation", "--sessions", "20", "--duration", "5s",
        "--temporality", "cumulative", "--duplicate-share", "0.1", "--out-of-order-share", "0.2", "--reset-share", "0.2",
        "--batch-records", "20", "--subscribers", "2", "--settle", "10s", "--out", out.toString(),
        "--history", out.resolve("history.jsonl").toString());
    target = EmbeddedTarget.start(options);
    result = new LoadTest(options, target).run();
  }

  @AfterAll
  void stop() throws Exception {
    if (target != null) {
      target.close();
    }
  }

  @Test
  void everyAcknowledgedRecordIsStoredOnceAndTheReportIsWritten() throws Exception {
    Verifier.Verification v = result.verification;
    assertThat(v.method()).isEqualTo("database");
    assertThat(v.lost()).as("lost").isZero();
    assertThat(v.duplicated()).as("duplicated").isZero();
    assertThat(v.unexpected()).as("unexpected").isZero();
    assertThat(v.totalsMismatched()).as("sessions whose totals differ: %s", v.examples()).isZero();
    assertThat(v.sessionsChecked()).isEqualTo(20);
    assertThat(v.eventsStored()).isEqualTo(v.eventsExpected()).isPositive();
    assertThat(v.pointsStored()).isEqualTo(v.pointsExpected()).isPositive();
    assertThat(result.account.inconsistencies()).isEmpty();
    assertThat(v.eventsExpected() + v.pointsExpected()).isEqualTo(result.account.records.acknowledged().records());
    assertThat(result.stats.duplicatesSent()).as("duplicates injected").isPositive();
    assertThat(result.stats.frameLatency().getTotalCount()).as("requests matched with their frame").isPositive();
    assertThat(result.passed()).isTrue();

    JsonObject json = new JsonObject(Files.readString(out.resolve("result.json")));
    assertThat(json.getBoolean("passed")).isTrue();
    assertThat(json.getJsonObject("verification").getLong("lost")).isZero();
    assertThat(json.getJsonObject("load").getDouble("recordsPerSecond")).isPositive();
    assertThat(json.getJsonArray("timeline")).isNotEmpty();
    String html = Files.readString(out.resolve("report.html"));
    assertThat(html).contains("<svg", "PASSED", "OTLP request latency").doesNotContain("<script");
  }

  @Test
  void theEmbeddedDatabaseIsTheOneUsersRunDurableAndWithAPassword() throws Exception {
    assertThat(target.databaseUrl()).matches("postgresql://postgres:[0-9a-f]+@localhost:\\d+/postgres");
    try (Connection c = Jdbc.connect(target.databaseUrl()); Statement s = c.createStatement()) {
      for (String setting : new String[] {"fsync", "synchronous_commit", "full_page_writes"}) {
        try (ResultSet rs = s.executeQuery("SHOW " + setting)) {
          rs.next();
          assertThat(rs.getString(1)).as(setting).isEqualTo("on");
        }
      }
    }
  }

  @Test
  @DisplayName("the quick check reports the CPU of its one JVM and of PostgreSQL while sending, and durable commits")
  void reportsCpuOfItsOneJvmAndPostgres() throws Exception {
    assertThat(result.cpu.usage()).extracting(Cpu.Usage::name).containsExactly("generator+pipeline", "postgres");
    assertThat(result.cpu.cores("generator+pipeline")).isPositive();
    assertThat(result.cpu.cores("postgres")).isPositive();
    assertThat(result.durability).isEqualTo("fsync=on synchronous_commit=on full_page_writes=on");
    JsonObject json = new JsonObject(Files.readString(out.resolve("result.json")));
    assertThat(json.getJsonObject("cpu").getJsonObject("coresUsed").getDouble("postgres")).isPositive();
    assertThat(Files.readString(out.resolve("report.html"))).contains("cores used while sending: generator+pipeline");
  }

  @Test
  void theVerifierFindsARecordDeletedAndARecordStoredTwice() throws Exception {
    try (Connection c = Jdbc.connect(target.databaseUrl()); Statement s = c.createStatement()) {
      String session;
      try (ResultSet rs = s.executeQuery("SELECT session_id FROM events ORDER BY time LIMIT 1")) {
        rs.next();
        session = rs.getString(1);
      }
      // one acknowledged event gone, another stored a second time (under another key, as a broken dedup would)
      s.executeUpdate("DELETE FROM events WHERE dedup_key = (SELECT dedup_key FROM events WHERE session_id = '" + session
          + "' ORDER BY event_sequence LIMIT 1)");
      s.execute("CREATE TEMP TABLE copy AS SELECT * FROM events WHERE session_id = '" + session
          + "' AND event_sequence = (SELECT max(event_sequence) FROM events WHERE session_id = '" + session + "')");
      s.executeUpdate("UPDATE copy SET dedup_key = 'doctored-' || dedup_key");
      s.executeUpdate("INSERT INTO events SELECT * FROM copy");
    }

    Verifier.Verification v = new Verifier(target.queryApi(), target.databaseUrl(), null).verify(result.ledger);

    assertThat(v.lost()).isEqualTo(1);
    assertThat(v.duplicated()).isEqualTo(1);
    assertThat(v.passed()).isFalse();
  }
}
