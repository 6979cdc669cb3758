package dev.contextwatch.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.contextwatch.testkit.Fixtures;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What the dashboard reads besides the live feed: GET /api/v1/usage, and its own assets. */
@ExtendWith(VertxExtension.class)
class DashboardUsageTest {
  private static final List<String> FIELDS = List.of("inputTokens", "outputTokens", "cacheReadTokens", "cacheCreationTokens");
  private static final Map<String, String> CLI_FIELDS = Map.of("inputTokens", "inputTokens", "outputTokens", "outputTokens",
      "cacheReadTokens", "cacheReadInputTokens", "cacheCreationTokens", "cacheCreationInputTokens");

  @Test
  @DisplayName("usage by model and day adds up, per model, to the CLI's own usage of every replayed run")
  void byModel(Vertx vertx) throws Exception {
    PipelineHarness pipeline = PipelineHarness.start(vertx);
    Map<String, JsonObject> expected = new HashMap<>();
    for (Fixtures.Folder folder : Fixtures.folders()) {
      PushLoad.replay(pipeline, folder);
      JsonObject cli = folder.cliResult();
      cli.getJsonObject("modelUsage").forEach(entry -> {
        JsonObject model = (JsonObject) entry.getValue();
        JsonObject sum = expected.computeIfAbsent(entry.getKey(), k -> new JsonObject());
        CLI_FIELDS.forEach((field, cliField) -> sum.put(field, sum.getLong(field, 0L) + model.getLong(cliField)));
        sum.put("costUsd", sum.getDouble("costUsd", 0.0) + model.getDouble("costUSD"));
        sum.put("requests", sum.getLong("requests", 0L) + cli.getLong("num_turns"));
      });
    }

    JsonObject usage = pipeline.apiGet("/api/v1/usage?bucket=day&group=model&" + range(pipeline));
    assertThat(usage.getString("bucket")).isEqualTo("day");
    assertThat(usage.getString("group")).isEqualTo("model");
    Map<String, JsonObject> actual = sums(usage);
    assertThat(actual.keySet()).isEqualTo(expected.keySet());
    expected.forEach((model, sum) -> {
      for (String field : FIELDS) {
        assertThat(actual.get(model).getLong(field)).as("%s %s", model, field).isEqualTo(sum.getLong(field));
      }
      assertThat(actual.get(model).getLong("requests")).isEqualTo(sum.getLong("requests"));
      assertThat(actual.get(model).getDouble("costUsd")).isCloseTo(sum.getDouble("costUsd"), within(1e-9));
    });
    assertThat(usage.getJsonArray("items")).allSatisfy(item -> assertThat(Instant.parse(((JsonObject) item).getString("time")))
        .isEqualTo(Instant.parse(((JsonObject) item).getString("time")).truncatedTo(ChronoUnit.DAYS)));
    pipeline.stop();
  }

  @Test
  @DisplayName("usage by project and hour puts each request under its session's project, none for sessions without one")
  void byProject(Vertx vertx) throws Exception {
    PipelineHarness pipeline = PipelineHarness.start(vertx);
    Fixtures.Folder acme = Fixtures.folder("tool-loop-delta-protobuf");
    Fixtures.Folder single = Fixtures.folder("single-prompt-delta-protobuf");
    PushLoad.replay(pipeline, acme);
    PushLoad.replay(pipeline, single);

    JsonObject usage = pipeline.apiGet("/api/v1/usage?bucket=hour&group=project&" + range(pipeline));
    Map<String, JsonObject> actual = sums(usage);
    assertThat(actual.keySet()).containsExactlyInAnyOrder("acme", null);
    assertThat(actual.get("acme").getLong("requests")).isEqualTo(acme.cliResult().getLong("num_turns"));
    assertThat(actual.get("acme").getDouble("costUsd")).isCloseTo(acme.cliResult().getDouble("total_cost_usd"), within(1e-9));
    assertThat(actual.get(null).getLong("inputTokens")).isEqualTo(single.cliResult().getJsonObject("usage").getLong("input_tokens"));
    assertThat(usage.getJsonArray("items")).allSatisfy(item -> assertThat(Instant.parse(((JsonObject) item).getString("time")))
        .isEqualTo(Instant.parse(((JsonObject) item).getString("time")).truncatedTo(ChronoUnit.HOURS)));
    pipeline.stop();
  }

  @Test
  @DisplayName("usage without parameters covers the last seven days by hour and model; a bad parameter is a 400 naming it")
  void parameters(Vertx vertx) throws Exception {
    PipelineHarness pipeline = PipelineHarness.start(vertx);
    JsonObject defaults = pipeline.apiGet("/api/v1/usage");
    assertThat(defaults.getString("bucket")).isEqualTo("hour");
    assertThat(defaults.getString("group")).isEqualTo("model");
    assertThat(Instant.parse(defaults.getString("to")).minus(7, ChronoUnit.DAYS)).isEqualTo(Instant.parse(defaults.getString("from")));
    assertThat(defaults.getJsonArray("items")).isEmpty();

    assertBadParameter(pipeline, "bucket=week", "bucket", "hour, day");
    assertBadParameter(pipeline, "group=user", "group", "model, project");
    assertBadParameter(pipeline, "from=yesterday", "from", "ISO-8601");
    assertBadParameter(pipeline, "from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", "from", "before 'to'");
    assertBadParameter(pipeline, "from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", "from", "wider bucket");
    assertThat(pipeline.apiGet("/api/v1/usage?bucket=day&from=2023-01-01T00:00:00Z&to=2026-01-01T00:00:00Z")
        .getString("bucket")).isEqualTo("day");
    assertBadParameter(pipeline, "bucket=day&from=2000-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", "from", "narrow the range");
    pipeline.stop();
  }

  @Test
  @DisplayName("the dashboard is served at / with its stylesheet and scripts; an unknown file is a JSON 404")
  void assets(Vertx vertx) throws Exception {
    PipelineHarness pipeline = PipelineHarness.start(vertx);
    PipelineHarness.Response index = get(pipeline, "/");
    assertThat(index.status()).isEqualTo(200);
    assertThat(index.headers().get("Content-Type")).startsWith("text/html");
    assertThat(index.body().toString()).contains("<title>contextwatch</title>").contains("js/main.js");
    for (String script : List.of("main", "stream", "store", "fleet", "session", "runs", "usage", "charts", "widgets", "format", "analytics")) {
      PipelineHarness.Response js = get(pipeline, "/js/" + script + ".js");
      assertThat(js.status()).as(script).isEqualTo(200);
      assertThat(js.headers().get("Content-Type")).contains("javascript");
    }
    assertThat(get(pipeline, "/app.css").headers().get("Content-Type")).startsWith("text/css");
    PipelineHarness.Response missing = get(pipeline, "/js/nothing.js");
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.body().toJsonObject().getString("error")).isEqualTo("not_found");
    pipeline.stop();
  }

  private static PipelineHarness.Response get(PipelineHarness pipeline, String path) throws Exception {
    return PipelineHarness.await(pipeline.apiRequest(HttpMethod.GET, path, Buffer.buffer()));
  }

  /** from and to around every stored event, whenever the fixtures were recorded. */
  private static String range(PipelineHarness pipeline) throws Exception {
    String from = pipeline.query("select to_char(min(time) at time zone 'UTC' - interval '1 day', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') from events");
    String to = pipeline.query("select to_char(max(time) at time zone 'UTC' + interval '1 day', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') from events");
    return "from=" + from + "&to=" + to;
  }

  /** The items summed per key over every bucket. */
  private static Map<String, JsonObject> sums(JsonObject usage) {
    Map<String, JsonObject> sums = new HashMap<>();
    usage.getJsonArray("items").forEach(o -> {
      JsonObject item = (JsonObject) o;
      JsonObject sum = sums.computeIfAbsent(item.getString("key"), k -> new JsonObject());
      for (String field : FIELDS) {
        sum.put(field, sum.getLong(field, 0L) + item.getLong(field));
      }
      sum.put("requests", sum.getLong("requests", 0L) + item.getLong("requests"));
      sum.put("costUsd", sum.getDouble("costUsd", 0.0) + item.getDouble("costUsd"));
    });
    return sums;
  }

  private static void assertBadParameter(PipelineHarness pipeline, String query, String parameter, String hint) throws Exception {
    JsonObject error = pipeline.api(HttpMethod.GET, "/api/v1/usage?" + query, 400);
    assertThat(error.getString("error")).isEqualTo("bad_parameter");
    assertThat(error.getString("message")).contains("'" + parameter + "'").contains(hint);
  }
}
