package dev.contextwatch.app;

import static dev.contextwatch.app.OtlpRequests.JSON;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.contextwatch.testkit.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Records that would poison a session, overflow a total, be stored centuries away or not fit an
 * index are refused one by one through the whole pipeline: the request is answered 200 with a
 * partial success naming the field, and every other record of it is stored and counted.
 */
@ExtendWith(VertxExtension.class)
class PoisonRecordsTest {
  private static final long T0 = 1_795_411_735_000_000_000L;

  @Test
  @DisplayName("a NaN or infinite cost point is refused alone: another session in the same request is stored, and the session works after a restart")
  void nanCost(Vertx vertx) throws Exception {
    PipelineHarness pipeline = PipelineHarness.start(vertx);
    try {
      JsonObject partial = accepted(pipeline, "/v1/metrics", metrics(
          costPoint("victim", 1, "\"NaN\""), costPoint("victim", 2, "\"Infinity\""), costPoint("innocent", 1, "0.5")));
      assertThat(partial.getString("rejectedDataPoints")).isEqualTo("2");
      assertThat(partial.getString("errorMessage"))
          .contains("data point of 'claude_code.cost.usage': value must be a finite number, got NaN");

      partial = accepted(pipeline, "/v1/logs", logs("", apiRequest("victim", 1, "\"cost_usd\", \"doubleValue\": \"NaN\""),
          apiRequest("innocent", 1, "\"cost_usd\", \"doubleValue\": 0.25")));
      assertThat(partial.getString("rejectedLogRecords")).isEqualTo("1");
      assertThat(partial.getString("errorMessage")).contains("cost_usd must be a finite number, got NaN");
      assertThat(pipeline.count("select count(*) from events where session_id = 'victim'")).isZero();
      assertThat(pipeline.apiGet("/api/v1/sessions/innocent").getJsonObject("totals").getDouble("costUsd")).isEqualTo(0.25);

      pipeline.restart();
      assertThat(accepted(pipeline, "/v1/logs", logs("", apiRequest("victim", 2, "\"cost_usd\", \"doubleValue\": 0.1")))).isNull();
      assertThat(accepted(pipeline, "/v1/metrics", metrics(costPoint("victim", 3, "0.1")))).isNull();
      JsonObject victim = pipeline.apiGet("/api/v1/sessions/victim");
      assertThat(victim.getJsonObject("totals").getDouble("costUsd")).isEqualTo(0.1);
      assertThat(victim.getJsonObject("metrics").getDouble("costUsd")).isEqualTo(0.1);
    } finally {
      pipeline.stop();
    }
  }

  @Test
  @DisplayName("token counts of 9e18 and negative costs are refused alone; totals do not overflow and /projects and /usage keep answering")
  void overflowAndNegatives(Vertx vertx) throws Exception {
    PipelineHarness pipeline = PipelineHarness.start(vertx);
    try {
      JsonObject partial = accepted(pipeline, "/v1/logs", logs(resourceAttribute("service.namespace", "overflow"),
          apiRequest("big", 1, "\"input_tokens\", \"doubleValue\": 9e18"),
          apiRequest("big", 2, "\"input_tokens\", \"stringValue\": \"9000000000000000000\""),
          apiRequest("big", 3, "\"cost_usd\", \"doubleValue\": -1"),
          apiRequest("big", 4, "\"output_tokens\", \"intValue\": \"-20\""),
          apiRequest("big", 5, "\"cost_usd\", \"stringValue\": \"0.5\"")));
      assertThat(partial.getString("rejectedLogRecords")).isEqualTo("4");
      assertThat(partial.getString("errorMessage")).contains("input_tokens is 9.0E18; at most 1000000000000 tokens per record");

      JsonObject totals = pipeline.apiGet("/api/v1/sessions/big").getJsonObject("totals");
      assertThat(totals.getLong("inputTokens")).isEqualTo(100);
      assertThat(totals.getDouble("costUsd")).isEqualTo(0.5);
      assertThat(pipeline.apiGet("/api/v1/projects").encode()).contains("overflow");
      assertThat(pipeline.apiGet("/api/v1/usage?from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z&bucket=day").encode()).contains("\"inputTokens\":100,");
    } finally {
      pipeline.stop();
    }
  }

  @Test
  @DisplayName("a 10 KB session.id, a 4,000-character service.namespace or metric name fails only its own records, named, never with database text")
  void longIdentifiers(Vertx vertx) throws Exception {
    PipelineHarness pipeline = PipelineHarness.start(vertx);
    try {
      String[] records = IntStream.rangeClosed(1, 10)
          .mapToObj(i -> apiRequest(i == 5 ? incompressible(10_240) : "neighbour", i, null)).toArray(String[]::new);
      JsonObject partial = accepted(pipeline, "/v1/logs", logs("", records));
      assertThat(partial.getString("errorMessage")).contains("session.id is 10240 characters long; at most 256");
      assertThat(pipeline.count("select count(*) from events where session_id = 'neighbour'")).isEqualTo(9);

      String twoResources = """
          {"resourceLogs": [%s, %s]}
          """.formatted(resourceLogs(resourceAttribute("service.namespace", incompressible(4000)), apiRequest("project-a", 1, null),
          apiRequest("project-a", 2, null)), resourceLogs("", apiRequest("project-b", 1, null)));
      partial = accepted(pipeline, "/v1/logs", twoResources);
      assertThat(partial.getString("rejectedLogRecords")).isEqualTo("2");
      assertThat(partial.getString("errorMessage")).contains("resource attribute service.namespace is 4000 characters long; at most 256");
      assertThat(pipeline.count("select count(*) from events where session_id like 'project-%'")).isEqualTo(1);

      partial = accepted(pipeline, "/v1/metrics", metrics(gauge(incompressible(4000), "named"), gauge("claude_code.session.count", "named")));
      assertThat(partial.getString("errorMessage")).contains("metric name is 4000 characters long; at most 256");
      assertThat(pipeline.count("select count(*) from metric_points where session_id = 'named'")).isEqualTo(1);
    } finally {
      pipeline.stop();
    }
  }

  @Test
  @DisplayName("records dated year 0 or 9999 are refused alone, naming the field; nothing is stored centuries away")
  void implausibleTimes(Vertx vertx) throws Exception {
    PipelineHarness pipeline = PipelineHarness.start(vertx);
    try {
      JsonObject partial = accepted(pipeline, "/v1/logs", logs("",
          undated("dated", 1, "9999-12-31T23:59:59Z"), undated("dated", 2, "0000-01-01T00:00:00Z"), apiRequest("dated", 3, null)));
      assertThat(partial.getString("rejectedLogRecords")).isEqualTo("2");
      assertThat(partial.getString("errorMessage"))
          .contains("event.timestamp 9999-12-31T23:59:59Z is outside the plausible range 2000-01-01T00:00:00Z to 2100-01-01T00:00:00Z");
      assertThat(pipeline.count("select count(*) from events where session_id = 'dated'")).isEqualTo(1);
      assertThat(pipeline.count("select count(*) from events where time > '2100-01-01' or time < '2000-01-01'")).isZero();
    } finally {
      pipeline.stop();
    }
  }

  @Test
  @DisplayName("a session.id with a lone surrogate is one session in memory, in the database and after a restart, and its totals go on")
  void loneSurrogateSession(Vertx vertx) throws Exception {
    PipelineHarness pipeline = PipelineHarness.start(vertx);
    try {
      String session = "lone\\ud800-id";
      assertThat(accepted(pipeline, "/v1/logs", logs("", apiRequest(session, 1, null)))).isNull();
      pipeline.restart();
      assertThat(accepted(pipeline, "/v1/logs", logs("", apiRequest(session, 2, null)))).isNull();

      assertThat(pipeline.query("select session_id || ':' || input_tokens || ':' || api_requests from sessions where session_id like 'lone%'"))
          .as("one session whose totals went on across the restart").isEqualTo("lone\uFFFD-id:200:2");
      assertThat(pipeline.query("select string_agg(distinct session_id, ',') from events where session_id like 'lone%'"))
          .isEqualTo("lone\uFFFD-id");
    } finally {
      pipeline.stop();
    }
  }

  /** Posts OTLP/JSON and expects 200; the partial success it reports, or null when every record was stored. */
  private static JsonObject accepted(PipelineHarness pipeline, String path, String json) throws Exception {
    PipelineHarness.Response response = pipeline.postAndWait(path, JSON, Buffer.buffer(json), Map.of());
    assertThat(response.status()).as("%s answered %s", path, response.body()).isEqualTo(200);
    assertThat(response.body().toString()).doesNotContain("index", "btree", "ERROR:", "java.");
    return response.body().toJsonObject().getJsonObject("partialSuccess");
  }

  private static String logs(String resourceAttributes, String... records) {
    return "{\"resourceLogs\": [" + resourceLogs(resourceAttributes, records) + "]}";
  }

  private static String resourceLogs(String resourceAttributes, String... records) {
    return """
        {"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "claude-code"}}%s]},
         "scopeLogs": [{"logRecords": [%s]}]}
        """.formatted(resourceAttributes, String.join(",", records));
  }

  private static String resourceAttribute(String key, String value) {
    return ", {\"key\": \"" + key + "\", \"value\": {\"stringValue\": \"" + value + "\"}}";
  }

  /** An api_request of 100 input tokens, with one more attribute ({@code "key", "type": value}) when given. */
  private static String apiRequest(String session, long sequence, String extra) {
    return """
        {"timeUnixNano": "%d", "body": {"stringValue": "claude_code.api_request"}, "attributes": [
          {"key": "session.id", "value": {"stringValue": "%s"}},
          {"key": "event.name", "value": {"stringValue": "api_request"}},
          {"key": "event.sequence", "value": {"intValue": "%d"}},
          {"key": "input_tokens", "value": {"intValue": "100"}}%s]}
        """.formatted(T0 + sequence * 1_000_000_000L, session, sequence, extra == null ? "" : ", {\"key\": " + extra.replaceFirst(",", ", \"value\": {") + "}}");
  }

  /** An event with no time of its own, only event.timestamp. */
  private static String undated(String session, long sequence, String timestamp) {
    return """
        {"attributes": [
          {"key": "session.id", "value": {"stringValue": "%s"}},
          {"key": "event.name", "value": {"stringValue": "user_prompt"}},
          {"key": "event.sequence", "value": {"intValue": "%d"}},
          {"key": "event.timestamp", "value": {"stringValue": "%s"}}]}
        """.formatted(session, sequence, timestamp);
  }

  private static String metrics(String... metrics) {
    return """
        {"resourceMetrics": [{"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "claude-code"}}]},
          "scopeMetrics": [{"metrics": [%s]}]}]}
        """.formatted(String.join(",", metrics));
  }

  /** A claude_code.cost.usage point of its own series (a per-point model), cumulative, at second {@code second}. */
  private static String costPoint(String session, long second, String value) {
    return """
        {"name": "claude_code.cost.usage", "unit": "USD", "sum": {"aggregationTemporality": 2, "isMonotonic": true, "dataPoints": [
          {"startTimeUnixNano": "%d", "timeUnixNano": "%d", "asDouble": %s, "attributes": [
            {"key": "session.id", "value": {"stringValue": "%s"}},
            {"key": "model", "value": {"stringValue": "model-%d"}}]}]}}
        """.formatted(T0, T0 + second * 1_000_000_000L, value, session, second);
  }

  private static String gauge(String name, String session) {
    return """
        {"name": "%s", "gauge": {"dataPoints": [{"timeUnixNano": "%d", "asInt": "1", "attributes": [
          {"key": "session.id", "value": {"stringValue": "%s"}}]}]}}
        """.formatted(name, T0, session);
  }

  /** Text PostgreSQL cannot compress into an index entry: random CJK characters, three UTF-8 bytes each. */
  private static String incompressible(int length) {
    Random random = new Random(length);
    return random.ints(length, 0x4E00, 0x9FFF).mapToObj(Character::toString).collect(Collectors.joining());
  }
}
