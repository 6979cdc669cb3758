package dev.contextwatch.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.contextwatch.app.OtlpRequests.Usage;
import dev.contextwatch.core.config.ContextwatchConfig;
import dev.contextwatch.core.config.RetentionConfig;
import dev.contextwatch.testkit.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** GET /api/v1/analytics/{view}: sums of the stored api_request rows, per session, project, model, bucket and weekday hour. */
@ExtendWith(VertxExtension.class)
class AnalyticsApiTest {
  private static final String SONNET = "claude-sonnet-4-5";
  private static final String HAIKU = "claude-haiku-4-5";
  private static final String OPUS = "claude-opus-4-8";
  /** Monday 2 March 2026, 09:15 UTC (10:15 in Berlin). */
  private static final Instant MONDAY = Instant.parse("2026-03-02T09:15:00Z");
  private static final String RANGE = "from=2026-03-01T00:00:00Z&to=2026-03-05T00:00:00Z";
  private static final String ACME = "analytics-acme-1";
  private static final String WEB = "analytics-web-1";

  @Test
  @DisplayName("sessions, projects and models are the sums of their stored requests, costliest first, with cost per request and prompt and the cache hit ratio")
  void groups(Vertx vertx) throws Exception {
    PipelineHarness pipeline = start(vertx);
    try {
      JsonArray sessions = items(pipeline, "sessions", "");
      assertThat(keys(sessions, "sessionId")).containsExactly(WEB, ACME);
      JsonObject acme = sessions.getJsonObject(1);
      assertThat(acme.getString("project")).isEqualTo("acme");
      assertThat(acme.getString("model")).as("the model of most of its requests").isEqualTo(SONNET);
      assertThat(acme.getDouble("durationSeconds")).as("09:15 to 09:45").isEqualTo(1800.0);
      assertThat(acme.getLong("requests")).isEqualTo(3);
      assertThat(acme.getLong("prompts")).isEqualTo(2);
      assertThat(acme.getLong("totalTokens")).isEqualTo(100 + 900 + 50 + 200 + 600 + 200 + 100 + 50 + 10);
      assertThat(acme.getDouble("costUsd")).isCloseTo(0.42, within(1e-9));
      assertThat(sessions.getJsonObject(0).getDouble("durationSeconds")).as("one request").isZero();
      assertSumsOfRows(pipeline, sessions);

      JsonArray projects = items(pipeline, "projects", "");
      assertThat(keys(projects, "key")).containsExactly("web", "acme");
      assertThat(projects.getJsonObject(1).getDouble("costPerRequest")).isCloseTo(0.14, within(1e-9));
      assertThat(projects.getJsonObject(1).getDouble("costPerPrompt")).isCloseTo(0.21, within(1e-9));
      assertThat(projects.getJsonObject(1).getLong("sessions")).isEqualTo(1);
      assertSumsOfRows(pipeline, projects);

      JsonArray models = items(pipeline, "models", "");
      assertThat(keys(models, "key")).containsExactly(OPUS, SONNET, HAIKU);
      JsonObject sonnet = models.getJsonObject(1);
      assertThat(sonnet.getDouble("cacheHitRatio")).as("1500 read of 300 + 1500 + 200").isCloseTo(0.75, within(1e-12));
      assertThat(sonnet.getDouble("costPerPrompt")).isCloseTo(0.40, within(1e-9));
      assertThat(models.getJsonObject(2).getDouble("cacheHitRatio")).isZero();
      assertSumsOfRows(pipeline, models);

      assertThat(keys(items(pipeline, "sessions", "&limit=1"), "sessionId")).containsExactly(WEB);
      assertThat(items(pipeline, "models", "&synthetic=only")).isEmpty();
      assertThat(items(pipeline, "models", "&from=2026-03-02T09:30:00Z&to=2026-03-02T10:00:00Z")).singleElement()
          .satisfies(model -> assertThat(((JsonObject) model).getString("key")).isEqualTo(HAIKU));
    } finally {
      pipeline.stop();
    }
  }

  @Test
  @DisplayName("the series is sized to the span of the data, by project or model, and its buckets add up to the stored rows")
  void series(Vertx vertx) throws Exception {
    PipelineHarness pipeline = start(vertx);
    try {
      JsonArray byProject = items(pipeline, "series", "&group=project");
      assertThat(byProject).hasSize(2).allSatisfy(item -> assertThat(((JsonObject) item).getString("bucket")).isEqualTo("hour"));
      assertThat(byProject.getJsonObject(0).getString("time")).isEqualTo("2026-03-02T09:00:00Z");
      assertThat(byProject.getJsonObject(0).getString("key")).isEqualTo("acme");
      assertThat(byProject.getJsonObject(1).getString("time")).isEqualTo("2026-03-03T23:00:00Z");
      assertSumsOfRows(pipeline, byProject);

      JsonArray minutes = items(pipeline, "series", "&group=model&from=2026-03-02T09:00:00Z&to=2026-03-02T10:00:00Z");
      assertThat(minutes).extracting(item -> ((JsonObject) item).getString("time") + " " + ((JsonObject) item).getString("key"))
          .containsExactly("2026-03-02T09:15:00Z " + SONNET, "2026-03-02T09:20:00Z " + SONNET, "2026-03-02T09:45:00Z " + HAIKU);
      assertThat(minutes.getJsonObject(0).getString("bucket")).isEqualTo("minute");
    } finally {
      pipeline.stop();
    }
  }

  @Test
  @DisplayName("the heatmap puts each request in its weekday and hour of the time zone asked for, over the whole range")
  void heatmap(Vertx vertx) throws Exception {
    PipelineHarness pipeline = start(vertx);
    try {
      assertThat(cells(items(pipeline, "heatmap", ""))).containsExactly(Map.entry("1 9", 3L), Map.entry("2 23", 1L));
      // Berlin is an hour ahead in March: Tuesday 23:30 UTC is Wednesday 00:30 there
      JsonArray berlin = items(pipeline, "heatmap", "&tz=Europe/Berlin");
      assertThat(cells(berlin)).containsExactly(Map.entry("1 10", 3L), Map.entry("3 0", 1L));
      assertSumsOfRows(pipeline, berlin);
    } finally {
      pipeline.stop();
    }
  }

  @Test
  @DisplayName("a bad analytics parameter is a 400 naming it, an unknown view a 404 naming the views")
  void badParameters(Vertx vertx) throws Exception {
    PipelineHarness pipeline = PipelineHarness.start(vertx);
    try {
      JsonObject unknown = pipeline.api(HttpMethod.GET, "/api/v1/analytics/costs", 404);
      assertThat(unknown.getString("message")).contains("'costs'").contains("series, heatmap, sessions, projects, models");
      assertBadParameter(pipeline, "group=user", "group", "model, project");
      assertBadParameter(pipeline, "tz=Mars/Olympus", "tz", "IANA time zone");
      assertBadParameter(pipeline, "limit=0", "limit", "from 1 to 10000");
      assertBadParameter(pipeline, "from=last-week", "from", "ISO-8601");
      assertBadParameter(pipeline, "from=2026-03-05T00:00:00Z&to=2026-03-01T00:00:00Z", "from", "before 'to'");
      assertBadParameter(pipeline, "synthetic=maybe", "synthetic", "exclude");
      JsonObject defaults = pipeline.apiGet("/api/v1/analytics/sessions");
      assertThat(Instant.parse(defaults.getString("from")).plusSeconds(30 * 86_400L)).isEqualTo(Instant.parse(defaults.getString("to")));
      assertThat(defaults.getString("tz")).isEqualTo("UTC");
      assertThat(defaults.getJsonArray("items")).isEmpty();
    } finally {
      pipeline.stop();
    }
  }

  /** A pipeline that keeps old records, with two sessions in March 2026: acme on Monday morning, web on Tuesday night. */
  private static PipelineHarness start(Vertx vertx) throws Exception {
    PipelineHarness pipeline = PipelineHarness.start(vertx, TestDatabase.newDatabase(), AnalyticsApiTest::keepRecords);
    send(pipeline, OtlpRequests.requestsOf("acme", ACME, List.of(
        new Usage(MONDAY, "p1", SONNET, 100, 900, 0, 50, 0.10),
        new Usage(MONDAY.plusSeconds(300), "p1", SONNET, 200, 600, 200, 100, 0.30),
        new Usage(MONDAY.plusSeconds(1800), "p2", HAIKU, 50, 0, 0, 10, 0.02))));
    send(pipeline, OtlpRequests.requestsOf("web", WEB, List.of(
        new Usage(Instant.parse("2026-03-03T23:30:00Z"), "p3", OPUS, 1000, 0, 3000, 500, 1.00))));
    return pipeline;
  }

  /** Records of any age stay: the retention job would delete these months-old ones at start. */
  static ContextwatchConfig keepRecords(ContextwatchConfig config) {
    RetentionConfig retention = config.retention();
    return config.withRetention(new RetentionConfig(0, 0, 0, retention.intervalMinutes(), retention.batchRows()));
  }

  private static void send(PipelineHarness pipeline, Buffer body) throws Exception {
    assertThat(pipeline.postAndWait("/v1/logs", OtlpRequests.PROTOBUF, body, Map.of()).status()).isEqualTo(200);
  }

  private static JsonArray items(PipelineHarness pipeline, String view, String query) throws Exception {
    String range = query.contains("from=") ? "" : RANGE;
    return pipeline.apiGet("/api/v1/analytics/" + view + "?" + range + query).getJsonArray("items");
  }

  private static List<String> keys(JsonArray items, String field) {
    return items.stream().map(item -> ((JsonObject) item).getString(field)).toList();
  }

  private static Map<String, Long> cells(JsonArray heatmap) {
    return heatmap.stream().map(JsonObject.class::cast).collect(Collectors.toMap(
        cell -> cell.getInteger("weekday") + " " + cell.getInteger("hour"), cell -> cell.getLong("requests"),
        (a, b) -> a, java.util.LinkedHashMap::new));
  }

  /** The items' totals add up to the stored api_request rows of the range, column by column. */
  private static void assertSumsOfRows(PipelineHarness pipeline, JsonArray items) throws Exception {
    Map<String, String> columns = Map.of("inputTokens", "input_tokens", "outputTokens", "output_tokens",
        "cacheReadTokens", "cache_read_tokens", "cacheCreationTokens", "cache_creation_tokens", "requests", "count(*)");
    for (Map.Entry<String, String> column : columns.entrySet()) {
      long sum = items.stream().mapToLong(item -> ((JsonObject) item).getLong(column.getKey())).sum();
      String stored = pipeline.query("select " + (column.getValue().startsWith("count") ? column.getValue() : "sum(" + column.getValue() + ")")
          + " from events where event_name = 'api_request'");
      assertThat(sum).as(column.getKey()).isEqualTo(Long.parseLong(stored));
    }
    double cost = items.stream().mapToDouble(item -> ((JsonObject) item).getDouble("costUsd")).sum();
    assertThat(cost).isCloseTo(Double.parseDouble(pipeline.query("select sum(cost_usd) from events where event_name = 'api_request'")),
        within(1e-9));
  }

  private static void assertBadParameter(PipelineHarness pipeline, String query, String parameter, String hint) throws Exception {
    JsonObject error = pipeline.api(HttpMethod.GET, "/api/v1/analytics/series?" + query, 400);
    assertThat(error.getString("error")).isEqualTo("bad_parameter");
    assertThat(error.getString("message")).contains("'" + parameter + "'").contains(hint);
  }
}
