package dev.contextwatch.app;

import static dev.contextwatch.app.DecodedRecords.apiRequest;
import static dev.contextwatch.app.DecodedRecords.costPoint;
import static dev.contextwatch.app.DecodedRecords.logs;
import static dev.contextwatch.app.DecodedRecords.metrics;
import static dev.contextwatch.app.DecodedRecords.toolResult;
import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.core.model.EventRecord;
import dev.contextwatch.testkit.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Totals never wrap, and a session's summary stays small whatever its records name. */
@ExtendWith(VertxExtension.class)
class SessionBoundsTest {
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
  @DisplayName("token and cost totals of 9e18 + 9e18 stop at the largest bigint instead of wrapping negative; a metric cost total of 1e308 "
      + "(Claude Code's adapter refuses such a point now; an older version added them) stays finite as points add to it; the API still answers")
  void totalsSaturate() throws Exception {
    insertSession("huge", "{\"metrics\": {\"costUsd\": 1e308}}");
    pipeline.ingest(logs(apiRequest("huge", 1, 9_000_000_000_000_000_000L, 9_000_000_000_000_000_000L)));
    pipeline.ingest(logs(apiRequest("huge", 2, 9_000_000_000_000_000_000L, 9_000_000_000_000_000_000L)));
    pipeline.ingest(metrics(costPoint("huge", 3, 1_000_000), costPoint("huge", 4, 1_000_000)));

    assertThat(pipeline.query("select input_tokens from sessions where session_id = 'huge'")).isEqualTo(String.valueOf(Long.MAX_VALUE));
    assertThat(Double.parseDouble(pipeline.query("select cost_usd from sessions where session_id = 'huge'"))).isEqualTo(Long.MAX_VALUE / 1e6);
    JsonObject summary = new JsonObject(pipeline.query("select summary::text from sessions where session_id = 'huge'"));
    assertThat(summary.encode()).doesNotContain("Infinity").doesNotContain("NaN");
    assertThat(summary.getJsonObject("totals").getLong("inputTokens")).isEqualTo(Long.MAX_VALUE);
    assertThat(summary.getJsonObject("totals").getLong("costMicros")).isEqualTo(Long.MAX_VALUE);
    assertThat(summary.getJsonObject("metrics").getLong("costMicros")).as("shown to the micro-dollar, as far as a long goes").isEqualTo(Long.MAX_VALUE);
    assertThat(pipeline.api(HttpMethod.GET, "/api/v1/sessions/huge", 200).getJsonObject("totals").getLong("inputTokens"))
        .isEqualTo(Long.MAX_VALUE);
  }

  @Test
  @DisplayName("20,000 distinct tool names in one session keep maxKeysPerSession of them and count the rest under \"other\"; the summary stays under 64 kB")
  void distinctToolsCapped() throws Exception {
    int cap = pipeline.config.sessions().maxKeysPerSession();
    for (int request = 0; request < 20; request++) {
      List<EventRecord> events = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        int tool = request * 1000 + i;
        events.add(toolResult("many-tools", tool, "mcp__server__tool_" + tool + "_" + "x".repeat(200)));
      }
      pipeline.ingest(logs(events.toArray(EventRecord[]::new)));
    }

    JsonObject summary = new JsonObject(pipeline.query("select summary::text from sessions where session_id = 'many-tools'"));
    JsonObject tools = summary.getJsonObject("tools");
    assertThat(tools.size()).isEqualTo(cap + 1);
    assertThat(tools.getJsonObject("other").getLong("calls")).isEqualTo(20_000 - cap);
    assertThat(tools.fieldNames()).allSatisfy(name -> assertThat(name.length()).isLessThanOrEqualTo(128));
    assertThat(pipeline.count("select octet_length(summary::text) from sessions where session_id = 'many-tools'"))
        .isLessThan(64 * 1024);
    StoredTotals.assertEqualRows(url, "after 20,000 tools");
  }

  @Test
  @DisplayName("a summary stored by an older version with thousands of tools is folded to the cap when the session is read back")
  void oversizedStoredSummaryFolded() throws Exception {
    JsonObject tools = new JsonObject();
    for (int i = 0; i < 5000; i++) {
      tools.put("tool-" + i, new JsonObject().put("calls", 2).put("successes", 2).put("failures", 0));
    }
    insertSession("legacy-tools", new JsonObject().put("sessionId", "legacy-tools").put("tools", tools).encode());

    pipeline.ingest(logs(toolResult("legacy-tools", 1, "Bash")));

    JsonObject stored = new JsonObject(pipeline.query("select summary::text from sessions where session_id = 'legacy-tools'"))
        .getJsonObject("tools");
    assertThat(stored.size()).isEqualTo(pipeline.config.sessions().maxKeysPerSession() + 1);
    assertThat(stored.stream().mapToLong(e -> ((JsonObject) e.getValue()).getLong("calls")).sum()).isEqualTo(10_001);
  }

  /** A session row as an older version stored it, with this summary. */
  private void insertSession(String id, String summary) throws Exception {
    try (Connection c = TestDatabase.connect(url); PreparedStatement insert = c.prepareStatement("""
        insert into sessions (session_id, pseudo, first_seen, last_seen, last_received_at, input_tokens, output_tokens,
          cache_read_tokens, cache_creation_tokens, cost_usd, api_requests, api_errors, compactions, summary)
        values (?, false, now(), now(), now(), 0, 0, 0, 0, 0, 0, 0, 0, ?::jsonb)""")) {
      insert.setString(1, id);
      insert.setString(2, summary);
      insert.executeUpdate();
    }
  }
}
