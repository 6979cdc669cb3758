package dev.contextwatch.app;

import static dev.contextwatch.app.DecodedRecords.apiRequest;
import static dev.contextwatch.app.DecodedRecords.costPoint;
import static dev.contextwatch.app.DecodedRecords.logs;
import static dev.contextwatch.app.DecodedRecords.metrics;
import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.core.model.EventRecord;
import dev.contextwatch.core.model.IngestOutcome;
import dev.contextwatch.testkit.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** One session's bad number or bad record never fails its neighbours, and never poisons the session for good. */
@ExtendWith(VertxExtension.class)
class PoisonedSessionTest {
  private PipelineHarness pipeline;
  private String url;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    url = TestDatabase.newDatabase();
    pipeline = PipelineHarness.start(vertx, url, config -> config);
  }

  @AfterEach
  void stop() throws Exception {
    pipeline.stop();
  }

  @Test
  @DisplayName("a session whose stored summary holds \"NaN\" (written by an older version) takes new records, read as 0 where it held NaN, and a request also carrying another session is stored whole")
  void nanInStoredSummary() throws Exception {
    // what an older version wrote for a session that once received a NaN cost: Jackson's "NaN"
    insertLegacySession("poisoned", """
        {"sessionId": "poisoned", "pseudo": false, "firstSeen": "2026-11-23T05:00:00Z", "lastSeen": "2026-11-23T05:00:00Z",
         "totals": {"costUsd": "NaN", "prompts": 2, "inputTokens": 100, "apiRequests": 1},
         "byThread": {"main": {"inputTokens": 100, "costUsd": "NaN", "apiRequests": 1}},
         "byModel": {"claude-sonnet-4-5": {"inputTokens": 100, "costUsd": "NaN", "apiRequests": 1}},
         "metrics": {"costUsd": "NaN", "inputTokens": 100.0}, "tools": {}, "models": ["claude-sonnet-4-5"],
         "context": {"tokens": 100, "peak": 100, "samples": []}}""");

    PipelineHarness.Response response = pipeline.postAndWait("/v1/logs", OtlpRequests.PROTOBUF,
        OtlpRequests.apiRequestsOfSessions(5, "poisoned", "innocent"), Map.of());

    assertThat(response.status()).as(response.body().toString()).isEqualTo(200);
    assertThat(pipeline.count("select count(*) from events where session_id in ('poisoned', 'innocent')")).isEqualTo(2);
    JsonObject poisoned = summary("poisoned");
    assertThat(poisoned.encode()).doesNotContain("NaN").doesNotContain("Infinity");
    assertThat(poisoned.getJsonObject("totals").getLong("apiRequests")).isEqualTo(2);
    assertThat(poisoned.getJsonObject("totals").getLong("inputTokens")).isEqualTo(200);
    assertThat(poisoned.getJsonObject("totals").getDouble("costUsd")).isZero();
    assertThat(poisoned.getJsonObject("totals").getLong("prompts")).isEqualTo(2);
    assertThat(poisoned.getJsonObject("metrics").getDouble("inputTokens")).isEqualTo(100.0);
    assertThat(pipeline.query("select cost_usd::text from sessions where session_id = 'poisoned'")).isEqualTo("0");
    assertThat(summary("innocent").getJsonObject("totals").getLong("apiRequests")).isEqualTo(1);
  }

  @Test
  @DisplayName("a session stored before costs were micro-dollars (costUsd 0.42052500000000004, as doubles added up) goes on to the exact micro-dollar; "
      + "costs sent as cost_usd only are rounded once and add exactly")
  void costsOfAnOlderSummary() throws Exception {
    insertLegacySession("older", """
        {"sessionId": "older", "pseudo": false, "firstSeen": "2026-11-23T05:00:00Z", "lastSeen": "2026-11-23T05:00:00Z",
         "totals": {"costUsd": 0.42052500000000004, "inputTokens": 100, "apiRequests": 1},
         "byThread": {"main": {"inputTokens": 100, "costUsd": 0.42052500000000004, "apiRequests": 1}},
         "byModel": {"claude-sonnet-4-5": {"inputTokens": 100, "costUsd": 0.42052500000000004, "apiRequests": 1}},
         "metrics": {}, "tools": {}, "models": ["claude-sonnet-4-5"], "context": {"tokens": 100, "peak": 100, "samples": []}}""");
    for (String session : List.of("older", "newer")) {
      pipeline.postAndWait("/v1/logs", OtlpRequests.PROTOBUF, OtlpRequests.pricedRequest(session, 1, 0.1), Map.of());
      pipeline.postAndWait("/v1/logs", OtlpRequests.PROTOBUF, OtlpRequests.pricedRequest(session, 2, 0.2), Map.of());
    }

    JsonObject older = pipeline.apiGet("/api/v1/sessions/older").getJsonObject("totals");
    assertThat(older.getLong("costMicros")).isEqualTo(720_525L);
    assertThat(older.getDouble("costUsd")).isEqualTo(0.720525);
    JsonObject newer = pipeline.apiGet("/api/v1/sessions/newer");
    assertThat(newer.getJsonObject("totals").getLong("costMicros")).isEqualTo(300_000L);
    assertThat(newer.getJsonObject("totals").getDouble("costUsd")).as("not 0.30000000000000004").isEqualTo(0.3);
    assertThat(newer.getJsonObject("byModel").getJsonObject("claude-sonnet-4-5").getDouble("costUsd")).isEqualTo(0.3);
    assertThat(pipeline.query("select cost_usd::text from sessions where session_id = 'newer'")).isEqualTo("0.3");
  }

  @Test
  @DisplayName("a negative cost or token count, or a NaN metric value, is refused alone and reported, never added to the totals; the other records are stored")
  void unusableNumbersRefusedAlone() throws Exception {
    // a NaN or infinite cost never gets this far: the typed cost is whole micro-dollars (ClaudeCodeReadingTest.badEventNumbersRefused)
    IngestOutcome logs = pipeline.ingest(logs(apiRequest("numbers", 1, 100L, -10_000L),
        apiRequest("numbers", 2, 100L, Long.MIN_VALUE), apiRequest("numbers", 3, -5L, 10_000L),
        apiRequest("numbers", 4, 100L, 20_000L), apiRequest("neighbour", 1, 50L, 500_000L)));
    IngestOutcome points = pipeline.ingest(metrics(costPoint("numbers", 5, Double.NaN), costPoint("numbers", 6, 0.25)));

    assertThat(pipeline.count("select count(*) from events where session_id = 'numbers'")).isEqualTo(1);
    assertThat(pipeline.count("select count(*) from metric_points where session_id = 'numbers'")).isEqualTo(1);
    JsonObject numbers = summary("numbers");
    assertThat(numbers.encode()).doesNotContain("NaN").doesNotContain("Infinity");
    assertThat(numbers.getJsonObject("totals").getLong("apiRequests")).isEqualTo(1);
    assertThat(numbers.getJsonObject("totals").getDouble("costUsd")).isEqualTo(0.02);
    assertThat(numbers.getJsonObject("metrics").getDouble("costUsd")).isEqualTo(0.25);
    assertThat(summary("neighbour").getJsonObject("totals").getDouble("costUsd")).isEqualTo(0.5);
    assertThat(logs.refused()).isEqualTo(3);
    assertThat(logs.refusalMessage()).isEqualTo("3 records not stored: a token count, cost or metric value is negative or not a finite number");
    assertThat(points.refused()).isEqualTo(1);
    StoredTotals.assertEqualRows(url, "after the refusals");
  }

  @Test
  @DisplayName("a record the processor cannot apply (here one without attributes, which the receiver never sends) is refused alone: its session's other records and the other sessions are stored")
  void unappliableRecordRefusedAlone() throws Exception {
    EventRecord good = apiRequest("broken", 2, 100L, 10_000L);
    EventRecord bare = new EventRecord(good.time().minusSeconds(1), null, "broken", "api_request", 1L, "p",
        "claude-sonnet-4-5", 100L, 0L, 0L, 0L, 10_000L, null, 9, "INFO", null, null, null, good.origin(), null, "broken/bare");

    IngestOutcome outcome = pipeline.ingest(logs(bare, good, apiRequest("bystander", 1, 70L, 70_000L)));

    assertThat(pipeline.count("select count(*) from events where session_id = 'broken'")).isEqualTo(1);
    assertThat(summary("broken").getJsonObject("totals").getLong("apiRequests")).isEqualTo(1);
    assertThat(summary("bystander").getJsonObject("totals").getLong("inputTokens")).isEqualTo(70);
    assertThat(outcome.refused()).isEqualTo(1);
    assertThat(outcome.refusalMessage()).isEqualTo("1 record not stored: could not be added to the session's totals");
    StoredTotals.assertEqualRows(url, "after the refusal");
  }

  private void insertLegacySession(String id, String summary) throws Exception {
    try (Connection c = TestDatabase.connect(url); PreparedStatement insert = c.prepareStatement("""
        insert into sessions (session_id, pseudo, first_seen, last_seen, last_received_at, input_tokens, output_tokens,
          cache_read_tokens, cache_creation_tokens, cost_usd, api_requests, api_errors, compactions, summary)
        values (?, false, now(), now(), now(), 100, 0, 0, 0, 'NaN', 1, 0, 0, ?::jsonb)""")) {
      insert.setString(1, id);
      insert.setString(2, summary);
      insert.executeUpdate();
    }
  }

  private JsonObject summary(String session) throws Exception {
    return new JsonObject(pipeline.query("select summary::text from sessions where session_id = '" + session + "'"));
  }
}
