package dev.contextwatch.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.contextwatch.testkit.TestDatabase;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every session's totals as its stored summary holds them, beside what its stored rows add up to
 * (SQL sums over events and over metric_points.delta): the two must always be equal.
 */
final class StoredTotals {
  /** Metric name and {@code type} attribute to the summary's metrics field (as the processor maps them). */
  private static final String METRIC_FIELD = """
      case metric_name
        when 'claude_code.token.usage' then case attributes->>'type' when 'input' then 'inputTokens'
          when 'output' then 'outputTokens' when 'cacheRead' then 'cacheReadTokens'
          when 'cacheCreation' then 'cacheCreationTokens' end
        when 'claude_code.cost.usage' then 'costUsd'
        when 'claude_code.lines_of_code.count' then case attributes->>'type' when 'added' then 'linesAdded'
          when 'removed' then 'linesRemoved' end
        when 'claude_code.commit.count' then 'commits'
        when 'claude_code.pull_request.count' then 'pullRequests'
        when 'claude_code.active_time.total' then 'activeTimeSeconds'
      end""";

  private StoredTotals() {}

  /**
   * Asserts, for every session in the sessions table, that its totals equal its rows, all read from
   * one snapshot (a commit landing meanwhile is seen whole or not at all); returns how many sessions.
   */
  static int assertEqualRows(String databaseUrl, String context) throws SQLException {
    try (Connection c = TestDatabase.connect(databaseUrl)) {
      c.setAutoCommit(false);
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      int sessions = assertEqualRows(c, context);
      c.rollback();
      return sessions;
    }
  }

  private static int assertEqualRows(Connection c, String context) throws SQLException {
    Map<String, JsonObject> summaries = summaries(c);
    Map<String, Map<String, Double>> fromEvents = query(c, """
        select session_id, 'inputTokens', sum(input_tokens) from events where event_name = 'api_request' group by 1
        union all select session_id, 'outputTokens', sum(output_tokens) from events where event_name = 'api_request' group by 1
        union all select session_id, 'cacheReadTokens', sum(cache_read_tokens) from events where event_name = 'api_request' group by 1
        union all select session_id, 'cacheCreationTokens', sum(cache_creation_tokens) from events where event_name = 'api_request' group by 1
        union all select session_id, 'costMicros', sum(round(cost_usd * 1000000)) from events where event_name = 'api_request' group by 1
        union all select session_id, 'apiRequests', count(*) from events where event_name = 'api_request' group by 1
        union all select session_id, 'prompts', count(*) from events where event_name = 'user_prompt' group by 1
        union all select session_id, 'toolCalls', count(*) from events where event_name = 'tool_result' group by 1
        """);
    Map<String, Map<String, Double>> fromPoints = query(c,
        "select session_id, field, sum(delta) from (select session_id, delta, " + METRIC_FIELD
            + " as field from metric_points where delta is not null) p where field is not null group by 1, 2");
    summaries.forEach((session, summary) -> {
      JsonObject totals = summary.getJsonObject("totals");
      Map<String, Double> events = fromEvents.getOrDefault(session, Map.of());
      String what = context + ", session " + session;
      if ("events".equals(totals.getString("source"))) {
        for (String field : new String[] {"inputTokens", "outputTokens", "cacheReadTokens", "cacheCreationTokens", "apiRequests"}) {
          assertThat(totals.getLong(field)).as("%s: %s", what, field).isEqualTo(Math.round(events.getOrDefault(field, 0.0)));
        }
        assertThat(totals.getLong("costMicros")).as("%s: costMicros", what).isEqualTo(Math.round(events.getOrDefault("costMicros", 0.0)));
      }
      assertThat(totals.getLong("prompts")).as("%s: prompts", what).isEqualTo(Math.round(events.getOrDefault("prompts", 0.0)));
      long toolCalls = summary.getJsonObject("tools").stream()
          .mapToLong(tool -> ((JsonObject) tool.getValue()).getLong("calls")).sum();
      assertThat(toolCalls).as("%s: tool calls", what).isEqualTo(Math.round(events.getOrDefault("toolCalls", 0.0)));
      Map<String, Double> metrics = new TreeMap<>();
      summary.getJsonObject("metrics").forEach(e -> metrics.put(e.getKey(), ((Number) e.getValue()).doubleValue()));
      Map<String, Double> points = new TreeMap<>(fromPoints.getOrDefault(session, Map.of()));
      // the metrics' cost in micro-dollars beside it: the same sum, rounded
      Double costMicros = metrics.remove("costMicros");
      if (points.containsKey("costUsd")) {
        assertThat(costMicros).as("%s: metrics.costMicros", what).isCloseTo(points.get("costUsd") * 1e6, within(1.0));
      }
      assertThat(metrics.keySet()).as("%s: metric fields", what).isEqualTo(points.keySet());
      metrics.forEach((field, value) -> assertThat(value).as("%s: metrics.%s", what, field)
          .isCloseTo(points.get(field), within(1e-6)));
    });
    return summaries.size();
  }

  private static Map<String, JsonObject> summaries(Connection c) throws SQLException {
    Map<String, JsonObject> summaries = new TreeMap<>();
    try (ResultSet rs = c.createStatement().executeQuery("select session_id, summary::text from sessions")) {
      while (rs.next()) {
        summaries.put(rs.getString(1), new JsonObject(rs.getString(2)));
      }
    }
    return summaries;
  }

  /** Rows of (session, field, number) as a map per session. */
  private static Map<String, Map<String, Double>> query(Connection c, String sql) throws SQLException {
    Map<String, Map<String, Double>> bySession = new HashMap<>();
    try (ResultSet rs = c.createStatement().executeQuery(sql)) {
      while (rs.next()) {
        bySession.computeIfAbsent(rs.getString(1), s -> new HashMap<>()).put(rs.getString(2), rs.getDouble(3));
      }
    }
    return bySession;
  }
}
