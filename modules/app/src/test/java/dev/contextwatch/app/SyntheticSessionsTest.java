package dev.contextwatch.app;

import static dev.contextwatch.app.OtlpRequests.PROTOBUF;
import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.core.config.Budget;
import dev.contextwatch.core.config.WebhookEndpoint;
import dev.contextwatch.testkit.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Sessions a load test simulated (resource attribute contextwatch.synthetic=true) are stored and
 * computed like any other, but the fleet views leave them out unless asked, webhook endpoints hear
 * of them only when they opt in, and a project's or a run's data can be deleted whole.
 */
@ExtendWith(VertxExtension.class)
class SyntheticSessionsTest {
  private static final String SECRET = "whsec-synthetic";
  private static final String RANGE = "from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z&bucket=day";
  /** Every table that holds rows of a session, with its owner's deletion. */
  private static final List<String> TABLES = List.of("events", "metric_points", "spans", "context_samples", "metric_series",
      "sessions", "usage_rollup", "session_levels", "checkpoints", "webhook_deliveries", "budget_sessions");
  /** Budgets never reached here: they only hold the sessions' use. */
  private static final List<Budget> BUDGETS = List.of(
      new Budget("per-session", Budget.Period.SESSION, null, 1_000_000_000L, null, false, null, 80, ZoneOffset.UTC),
      new Budget("per-project", Budget.Period.DAY, null, 1_000_000_000L, null, false, null, 80, ZoneOffset.UTC));

  @Test
  @DisplayName("synthetic sessions are left out of the session list, projects, runs, usage and the feed unless asked, and shown alone with only")
  void hiddenFromTheFleet(Vertx vertx) throws Exception {
    PipelineHarness pipeline = PipelineHarness.start(vertx);
    try {
      post(pipeline, OtlpRequests.mainRequest("acme", "run-a", false, "real-1", 0, 50_000));
      post(pipeline, OtlpRequests.mainRequest("loadtest", "run-a", true, "sim-1", 0, 60_000));
      post(pipeline, OtlpRequests.mainRequest("loadtest", "loadtest-run-0", true, "sim-2", 0, 70_000));

      assertThat(ids(pipeline.apiGet("/api/v1/sessions"))).containsExactly("real-1");
      assertThat(ids(pipeline.apiGet("/api/v1/sessions?synthetic=include"))).containsExactlyInAnyOrder("real-1", "sim-1", "sim-2");
      assertThat(ids(pipeline.apiGet("/api/v1/sessions?synthetic=only"))).containsExactlyInAnyOrder("sim-1", "sim-2");
      assertThat(pipeline.apiGet("/api/v1/sessions?synthetic=only").getLong("total")).isEqualTo(2);
      assertThat(pipeline.apiGet("/api/v1/sessions/sim-1").getBoolean("synthetic")).isTrue();
      assertThat(pipeline.apiGet("/api/v1/sessions/real-1").getBoolean("synthetic")).isFalse();

      assertThat(values(pipeline.apiGet("/api/v1/projects"), "project")).containsExactly("acme");
      assertThat(values(pipeline.apiGet("/api/v1/projects?synthetic=include"), "project")).containsExactlyInAnyOrder("acme", "loadtest");
      assertThat(values(pipeline.apiGet("/api/v1/runs"), "runId")).containsExactly("run-a");
      assertThat(pipeline.apiGet("/api/v1/runs").getJsonArray("items").getJsonObject(0).getLong("sessions")).isEqualTo(1);
      assertThat(values(pipeline.apiGet("/api/v1/runs?synthetic=only"), "runId")).containsExactlyInAnyOrder("run-a", "loadtest-run-0");
      assertThat(pipeline.apiGet("/api/v1/runs/run-a?synthetic=include").getLong("sessions")).isEqualTo(2);
      assertThat(pipeline.api(HttpMethod.GET, "/api/v1/runs/loadtest-run-0", 404).getString("message")).contains("synthetic=include");
      assertThat(requests(pipeline.apiGet("/api/v1/usage?" + RANGE))).isEqualTo(1);
      assertThat(requests(pipeline.apiGet("/api/v1/usage?group=project&synthetic=include&" + RANGE))).isEqualTo(3);
      assertThat(requests(pipeline.apiGet("/api/v1/usage?synthetic=only&" + RANGE))).isEqualTo(2);
      JsonObject bad = pipeline.api(HttpMethod.GET, "/api/v1/sessions?synthetic=all", 400);
      assertThat(bad.getString("message")).contains("'synthetic'").contains("exclude, include, only");

      PushClient feed = PushClient.connect(pipeline);
      feed.subscribe(new JsonObject());
      assertThat(snapshotIds(feed.next("snapshot"))).containsExactly("real-1");
      feed.subscribe(new JsonObject().put("synthetic", "only"));
      assertThat(snapshotIds(feed.next("snapshot"))).containsExactlyInAnyOrder("sim-1", "sim-2");
      feed.subscribe(new JsonObject());
      feed.next("snapshot");
      // frames go out in order: had the synthetic update been sent, it would come first
      post(pipeline, OtlpRequests.mainRequest("loadtest", "run-a", true, "sim-1", 1, 61_000));
      post(pipeline, OtlpRequests.mainRequest("acme", "run-a", false, "real-1", 1, 51_000));
      assertThat(feed.next("session.updated").getString("sessionId")).isEqualTo("real-1");
    } finally {
      pipeline.stop();
    }
  }

  @Test
  @DisplayName("a synthetic session's levels and checkpoints are computed, but only the endpoint that opted in (synthetic: true) hears of it")
  void webhooksOnlyWhenAsked(Vertx vertx) throws Exception {
    WebhookReceiver plain = WebhookReceiver.start(vertx, WebhookReceiver.Mode.OK);
    WebhookReceiver optedIn = WebhookReceiver.start(vertx, WebhookReceiver.Mode.OK);
    PipelineHarness pipeline = PipelineHarness.start(vertx, TestDatabase.newDatabase(), config -> config.withCheckpoints(
        config.checkpoints().withWebhooks(List.of(endpoint("plain", plain, false), endpoint("opted-in", optedIn, true)), 50)));
    try {
      post(pipeline, OtlpRequests.mainRequest("loadtest", null, true, "sim", 0, 160_000));
      post(pipeline, OtlpRequests.mainRequest("acme", null, false, "real", 0, 160_000));

      List<WebhookReceiver.Attempt> simulated = optedIn.awaitDelivered(session("sim"), 2, 10_000);
      assertThat(simulated).extracting(WebhookReceiver.Attempt::event).containsExactlyInAnyOrder("session.started", "context.critical");
      assertThat(simulated.get(0).payload().getJsonObject("session").getBoolean("synthetic")).isTrue();
      assertThat(optedIn.awaitDelivered(session("real"), 2, 10_000)).hasSize(2);
      List<WebhookReceiver.Attempt> real = plain.awaitDelivered(session("real"), 2, 10_000);
      assertThat(real).hasSize(2);
      assertThat(real.get(0).payload().getJsonObject("session").getBoolean("synthetic")).isFalse();
      assertThat(plain.attempts(session("sim"))).isEmpty();
      assertThat(pipeline.count("select count(*) from webhook_deliveries where session_id = 'sim' and endpoint = 'plain'")).isZero();
      assertThat(pipeline.count("select count(*) from checkpoints where session_id = 'sim'")).isEqualTo(1);
      assertThat(pipeline.query("select level from session_levels where session_id = 'sim'")).isEqualTo("critical");
    } finally {
      pipeline.stop();
      PipelineHarness.await(plain.close());
      PipelineHarness.await(optedIn.close());
    }
  }

  @Test
  @DisplayName("deleting a project removes every row of its sessions in every table and the processor forgets them: sent again, they are stored again from nothing; what they spent stays in the project's budget")
  void deleteProject(Vertx vertx) throws Exception {
    WebhookReceiver silent = WebhookReceiver.start(vertx, WebhookReceiver.Mode.ALWAYS_503);
    PipelineHarness pipeline = PipelineHarness.start(vertx, TestDatabase.newDatabase(), config -> config.withCheckpoints(
        config.checkpoints().withWebhooks(List.of(endpoint("silent", silent, false)), 60_000).withBudgets(BUDGETS)));
    try {
      Buffer doomedRequest = OtlpRequests.mainRequest("doomed", null, false, "doomed-1", 0, 160_000);
      for (String session : List.of("doomed-1", "kept-1")) {
        post(pipeline, session.equals("doomed-1") ? doomedRequest : OtlpRequests.mainRequest("kept", null, false, session, 0, 160_000));
        post(pipeline, "/v1/metrics", OtlpRequests.cumulativeInputTokens(session, 1, 100));
        post(pipeline, "/v1/traces", OtlpRequests.span(session, session.length()));
      }
      pipeline.awaitCount("select count(*) from webhook_deliveries where status = 'pending'", 4);
      pipeline.awaitCount("select count(*) from budget_use", 4);
      Map<String, Long> doomedBefore = rows(pipeline, "doomed-1");
      assertThat(doomedBefore).allSatisfy((table, count) -> assertThat(count).as(table).isPositive());
      Map<String, Long> keptBefore = rows(pipeline, "kept-1");

      JsonObject deleted = pipeline.api(HttpMethod.DELETE, "/api/v1/projects/doomed", 200);

      assertThat(deleted.getString("project")).isEqualTo("doomed");
      assertThat(deleted.getLong("sessions")).isEqualTo(1);
      assertThat(deleted.getJsonObject("deleted")).isEqualTo(new JsonObject(new LinkedHashMap<>(doomedBefore)));
      assertThat(deleted.getJsonObject("evicted").getLong("sessions")).isEqualTo(1);
      assertThat(deleted.getJsonObject("evicted").getLong("series")).isEqualTo(1);
      assertThat(deleted.getJsonObject("evicted").getLong("dedupKeys")).isEqualTo(3);
      assertThat(rows(pipeline, "doomed-1")).allSatisfy((table, count) -> assertThat(count).as(table).isZero());
      assertThat(rows(pipeline, "kept-1")).isEqualTo(keptBefore);
      pipeline.api(HttpMethod.GET, "/api/v1/sessions/doomed-1", 404);
      assertThat(pipeline.count("select count(*) from budget_use where budget = 'per-project' and subject = 'doomed'")).isEqualTo(1);

      post(pipeline, doomedRequest);
      JsonObject again = pipeline.apiGet("/api/v1/sessions/doomed-1");
      assertThat(again.getJsonObject("totals").getLong("apiRequests")).isEqualTo(1);
      assertThat(pipeline.count("select count(*) from events where session_id = 'doomed-1'")).isEqualTo(1);
    } finally {
      pipeline.stop();
      PipelineHarness.await(silent.close());
    }
  }

  @Test
  @DisplayName("deleting a run with synthetic=only takes its synthetic sessions and leaves the real ones; unknown names are 404s, a bad filter a 400")
  void deleteRunAndRefusals(Vertx vertx) throws Exception {
    PipelineHarness pipeline = PipelineHarness.start(vertx);
    try {
      post(pipeline, OtlpRequests.mainRequest("acme", "mixed", false, "real", 0, 10_000));
      post(pipeline, OtlpRequests.mainRequest("loadtest", "mixed", true, "sim", 0, 10_000));

      JsonObject deleted = pipeline.api(HttpMethod.DELETE, "/api/v1/runs/mixed?synthetic=only", 200);
      assertThat(deleted.getString("runId")).isEqualTo("mixed");
      assertThat(deleted.getLong("sessions")).isEqualTo(1);
      assertThat(ids(pipeline.apiGet("/api/v1/sessions?synthetic=include"))).containsExactly("real");
      assertThat(pipeline.api(HttpMethod.DELETE, "/api/v1/runs/mixed?synthetic=only", 404).getString("message"))
          .contains("no synthetic session belongs to run 'mixed'");

      JsonObject unknown = pipeline.api(HttpMethod.DELETE, "/api/v1/projects/nowhere", 404);
      assertThat(unknown.getString("error")).isEqualTo("not_found");
      assertThat(unknown.getString("message")).contains("project 'nowhere'");
      assertThat(pipeline.api(HttpMethod.DELETE, "/api/v1/runs/never", 404).getString("message")).contains("run 'never'");
      JsonObject bad = pipeline.api(HttpMethod.DELETE, "/api/v1/projects/acme?synthetic=some", 400);
      assertThat(bad.getString("error")).isEqualTo("bad_parameter");
      assertThat(bad.getString("message")).contains("'synthetic'");
      assertThat(ids(pipeline.apiGet("/api/v1/sessions"))).containsExactly("real");
    } finally {
      pipeline.stop();
    }
  }

  /** Rows of the session in every table that can hold them. */
  private static Map<String, Long> rows(PipelineHarness pipeline, String session) throws Exception {
    Map<String, Long> rows = new LinkedHashMap<>();
    for (String table : TABLES) {
      rows.put(table, pipeline.count("select count(*) from " + table + " where session_id = '" + session + "'"));
    }
    rows.put("budget_use", pipeline.count("select count(*) from budget_use where subject = '" + session + "'"));
    return rows;
  }

  private static WebhookEndpoint endpoint(String name, WebhookReceiver receiver, boolean synthetic) {
    return new WebhookEndpoint(name, receiver.url(), SECRET, WebhookEndpoint.EVENT_TYPES, Set.of(), synthetic);
  }

  private static Predicate<WebhookReceiver.Attempt> session(String id) {
    return a -> id.equals(a.payload().getJsonObject("session").getString("id"));
  }

  private static List<String> ids(JsonObject page) {
    return values(page, "sessionId");
  }

  private static List<String> values(JsonObject list, String field) {
    List<String> values = new ArrayList<>();
    list.getJsonArray("items").forEach(item -> values.add(((JsonObject) item).getString(field)));
    return values;
  }

  private static List<String> snapshotIds(JsonObject snapshot) {
    List<String> ids = new ArrayList<>();
    snapshot.getJsonArray("sessions", new JsonArray()).forEach(s -> ids.add(((JsonObject) s).getString("sessionId")));
    return ids;
  }

  private static long requests(JsonObject usage) {
    long requests = 0;
    for (Object item : usage.getJsonArray("items")) {
      requests += ((JsonObject) item).getLong("requests");
    }
    return requests;
  }

  private static void post(PipelineHarness pipeline, Buffer body) throws Exception {
    post(pipeline, "/v1/logs", body);
  }

  private static void post(PipelineHarness pipeline, String path, Buffer body) throws Exception {
    PipelineHarness.Response response = pipeline.postAndWait(path, PROTOBUF, body, Map.of());
    assertThat(response.status()).as(response.body().toString()).isEqualTo(200);
  }
}
