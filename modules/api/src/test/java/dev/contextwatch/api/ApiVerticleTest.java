package dev.contextwatch.api;

import static dev.contextwatch.api.ApiHarness.minutesAgo;
import static dev.contextwatch.api.ApiHarness.now;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.contextwatch.core.bus.Addresses;
import dev.contextwatch.core.summary.CloseSession;
import dev.contextwatch.testkit.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every endpoint's happy path against rows inserted in a real PostgreSQL. */
@ExtendWith(VertxExtension.class)
class ApiVerticleTest {
  private Vertx vertx;
  private ApiHarness api;

  @BeforeEach
  void setUp(Vertx vertx) throws Exception {
    this.vertx = vertx;
    api = ApiHarness.start(vertx);
  }

  @Test
  @DisplayName("a session is its stored summary with the typed columns and the computed status put over it")
  void sessionJson() throws Exception {
    Instant received = minutesAgo(2);
    Instant closed = now();
    api.session("s-1").project("alpha").label("term-1").run("run-1").parent("s-0").received(received).closed(closed)
        .summary(new JsonObject().put("sessionId", "stale-id").put("project", "stale-project").put("model", "claude-opus-4-1")
            .put("contextTokens", 120_000).put("status", "whatever"))
        .insert();

    JsonObject list = api.get("/api/v1/sessions").json();
    assertThat(list.getLong("total")).isEqualTo(1);
    assertThat(list.getInteger("limit")).isEqualTo(50);
    assertThat(list.getInteger("offset")).isZero();
    JsonObject session = list.getJsonArray("items").getJsonObject(0);
    assertThat(session.getString("sessionId")).isEqualTo("s-1");
    assertThat(session.getString("status")).isEqualTo("closed");
    assertThat(session.getString("project")).isEqualTo("alpha");
    assertThat(session.getString("label")).isEqualTo("term-1");
    assertThat(session.getString("runId")).isEqualTo("run-1");
    assertThat(session.getString("parentSessionId")).isEqualTo("s-0");
    assertThat(session.getString("firstSeen")).isEqualTo(received.minusSeconds(3600).toString());
    assertThat(session.getString("lastSeen")).isEqualTo(received.minusSeconds(1).toString());
    assertThat(session.getString("lastReceivedAt")).isEqualTo(received.toString());
    assertThat(session.getString("closedAt")).isEqualTo(closed.toString());
    assertThat(session.getString("model")).as("summary fields are kept").isEqualTo("claude-opus-4-1");
    assertThat(session.getInteger("contextTokens")).isEqualTo(120_000);
  }

  @Test
  @DisplayName("absent typed values are null in the session JSON, not missing")
  void nullFields() throws Exception {
    api.session("bare").insert();
    JsonObject session = api.get("/api/v1/sessions/bare").json();
    for (String field : List.of("project", "label", "runId", "parentSessionId", "closedAt")) {
      assertThat(session.containsKey(field)).as(field).isTrue();
      assertThat(session.getValue(field)).as(field).isNull();
    }
    assertThat(session.getString("status")).isEqualTo("active");
  }

  @Test
  @DisplayName("a session's detail carries its context series in ascending time with tokens, model and compaction")
  void sessionDetail() throws Exception {
    api.session("s-ctx").project("alpha").insert();
    api.session("other").insert();
    Instant t0 = minutesAgo(10);
    api.contextSample("s-ctx", t0.plusSeconds(20), 150_000, false);
    api.contextSample("s-ctx", t0, 90_000, false);
    api.contextSample("s-ctx", t0.plusSeconds(40), 30_000, true);
    api.contextSample("other", t0, 1, false);

    ApiHarness.Response response = api.get("/api/v1/sessions/s-ctx");
    assertThat(response.status()).isEqualTo(200);
    assertThat(response.headers().get("Content-Type")).isEqualTo("application/json");
    JsonObject session = response.json();
    assertThat(session.getString("sessionId")).isEqualTo("s-ctx");
    assertThat(session.getString("project")).isEqualTo("alpha");
    JsonArray series = session.getJsonArray("contextSeries");
    assertThat(series).hasSize(3);
    assertThat(series.getJsonObject(0)).isEqualTo(new JsonObject().put("time", t0.toString()).put("tokens", 90_000)
        .put("model", "claude-sonnet-4-5").put("compacted", false));
    assertThat(series.getJsonObject(1).getLong("tokens")).isEqualTo(150_000);
    assertThat(series.getJsonObject(2).getLong("tokens")).isEqualTo(30_000);
    assertThat(series.getJsonObject(2).getBoolean("compacted")).isTrue();
  }

  @Test
  @DisplayName("the context series keeps the 2000 most recent samples, still in ascending time")
  void contextSeriesCap() throws Exception {
    api.session("long").insert();
    Instant t0 = minutesAgo(100);
    api.sql("INSERT INTO context_samples (time, session_id, prompt_tokens, compacted, dedup_key)"
        + " SELECT ?::timestamptz + i * interval '1 second', 'long', i, false, 'k' || i FROM generate_series(0, 2009) i", t0);

    JsonArray series = api.get("/api/v1/sessions/long").json().getJsonArray("contextSeries");
    assertThat(series).hasSize(Queries.CONTEXT_SERIES_CAP);
    assertThat(series.getJsonObject(0).getLong("tokens")).isEqualTo(10);
    assertThat(series.getJsonObject(0).getString("time")).isEqualTo(t0.plusSeconds(10).toString());
    assertThat(series.getJsonObject(1999).getLong("tokens")).isEqualTo(2009);
  }

  @Test
  @DisplayName("a session's events come newest first with every typed field and the attributes object, paged with a total")
  void events() throws Exception {
    api.session("s-ev").insert();
    api.session("other").insert();
    Instant t0 = minutesAgo(5);
    for (int i = 0; i < 5; i++) {
      api.event("s-ev", t0.plusSeconds(i), i % 2 == 0 ? "api_request" : "tool_result", i, 100 + i, 0.01 * i,
          new JsonObject().put("session.id", "s-ev").put("n", i));
    }
    api.event("other", t0, "api_request", 0, 1, 0.0, new JsonObject());

    JsonObject all = api.get("/api/v1/sessions/s-ev/events").json();
    assertThat(all.getLong("total")).isEqualTo(5);
    assertThat(all.getInteger("limit")).isEqualTo(100);
    assertThat(all.getInteger("offset")).isZero();
    JsonArray items = all.getJsonArray("items");
    assertThat(items.stream().map(o -> ((JsonObject) o).getLong("sequence"))).containsExactly(4L, 3L, 2L, 1L, 0L);
    JsonObject newest = items.getJsonObject(0);
    assertThat(newest.getString("time")).isEqualTo(t0.plusSeconds(4).toString());
    assertThat(newest.getString("name")).isEqualTo("api_request");
    assertThat(newest.getString("promptId")).isEqualTo("prompt-1");
    assertThat(newest.getString("model")).isEqualTo("claude-sonnet-4-5");
    assertThat(newest.getLong("inputTokens")).isEqualTo(104);
    assertThat(newest.getLong("outputTokens")).isEqualTo(60);
    assertThat(newest.getLong("cacheReadTokens")).isEqualTo(1000);
    assertThat(newest.getLong("cacheCreationTokens")).isEqualTo(200);
    assertThat(newest.getDouble("costUsd")).isEqualTo(0.04);
    assertThat(newest.getDouble("durationMs")).isEqualTo(1234.5);
    assertThat(newest.getJsonObject("attributes")).isEqualTo(new JsonObject().put("session.id", "s-ev").put("n", 4));

    JsonObject page = api.get("/api/v1/sessions/s-ev/events?limit=2&offset=1").json();
    assertThat(page.getLong("total")).isEqualTo(5);
    assertThat(page.getJsonArray("items").stream().map(o -> ((JsonObject) o).getLong("sequence"))).containsExactly(3L, 2L);

    JsonObject named = api.get("/api/v1/sessions/s-ev/events?name=tool_result").json();
    assertThat(named.getLong("total")).isEqualTo(2);
    assertThat(named.getJsonArray("items").stream().map(o -> ((JsonObject) o).getLong("sequence"))).containsExactly(3L, 1L);
  }

  @Test
  @DisplayName("a known session without events answers an empty page")
  void noEvents() throws Exception {
    api.session("quiet").insert();
    JsonObject page = api.get("/api/v1/sessions/quiet/events").json();
    assertThat(page.getJsonArray("items")).isEmpty();
    assertThat(page.getLong("total")).isZero();
  }

  @Test
  @DisplayName("projects sum their sessions (costs to the micro-dollar), count the active ones, include the sessions without project, newest first")
  void projects() throws Exception {
    Instant alphaLatest = minutesAgo(1);
    api.session("a-1").project("alpha").received(alphaLatest).tokens(100, 10, 1000, 50).cost(0.5).insert();
    api.session("a-2").project("alpha").receivedMinutesAgo(30).tokens(200, 20, 2000, 60).cost(0.25).insert();
    // an older version stored costs as the client's doubles added up: each counts to its nearest micro-dollar
    api.session("a-3").project("alpha").receivedMinutesAgo(2).closed(now()).tokens(1, 1, 1, 1).cost(0.2500004).insert();
    api.session("b-1").project("beta").receivedMinutesAgo(120).tokens(5, 5, 5, 5).cost(2).insert();
    api.session("n-1").receivedMinutesAgo(10).tokens(7, 7, 7, 7).cost(0.125).insert();

    JsonArray items = api.get("/api/v1/projects").json().getJsonArray("items");
    assertThat(items).hasSize(3);
    JsonObject alpha = items.getJsonObject(0);
    assertThat(alpha).isEqualTo(new JsonObject().put("project", "alpha").put("sessions", 3).put("active", 1)
        .put("inputTokens", 301).put("outputTokens", 31).put("cacheReadTokens", 3001).put("cacheCreationTokens", 111)
        .put("costUsd", 1.0).put("costMicros", 1_000_000L).put("lastReceivedAt", alphaLatest.toString()).put("waiting", 0));
    JsonObject none = items.getJsonObject(1);
    assertThat(none.containsKey("project")).isTrue();
    assertThat(none.getString("project")).isNull();
    assertThat(none.getLong("sessions")).isEqualTo(1);
    assertThat(none.getLong("active")).isZero();
    assertThat(none.getLong("inputTokens")).isEqualTo(7);
    assertThat(items.getJsonObject(2).getString("project")).isEqualTo("beta");
    assertThat(items.getJsonObject(2).getDouble("costUsd")).isEqualTo(2.0);
  }

  @Test
  @DisplayName("runs list one item per run id with its totals, sessions by status, status and time span; sessions without run are left out")
  void runs() throws Exception {
    Instant recent = minutesAgo(1);
    Instant firstSeen = api.session("r1-a").project("beta").run("run-1").received(minutesAgo(20)).tokens(10, 1, 100, 5).cost(0.5)
        .apiRequests(2).insert().firstSeen();
    api.session("r1-b").project("alpha").run("run-1").received(recent).tokens(20, 2, 200, 6).cost(0.25).apiRequests(3).insert();
    api.session("r2-a").project("gamma").run("run-2").received(minutesAgo(40)).tokens(1, 1, 1, 1).cost(1).insert();
    api.session("r3-a").run("run-3").received(minutesAgo(200)).insert();
    api.session("r3-b").run("run-3").received(minutesAgo(100)).closed(minutesAgo(90)).insert();
    api.session("solo").project("alpha").insert();

    JsonArray items = api.get("/api/v1/runs").json().getJsonArray("items");
    assertThat(items).hasSize(3);
    JsonObject running = items.getJsonObject(0);
    double duration = running.getDouble("durationSeconds");
    assertThat(running.copy().put("durationSeconds", 0)).isEqualTo(new JsonObject().put("runId", "run-1").put("sessions", 2)
        .put("project", "alpha").put("status", "running")
        .put("statuses", new JsonObject().put("active", 1).put("idle", 1).put("stale", 0).put("closed", 0).put("waiting", 0))
        .put("firstSeen", firstSeen.toString()).put("lastReceivedAt", recent.toString()).put("durationSeconds", 0)
        .put("inputTokens", 30).put("outputTokens", 3).put("cacheReadTokens", 300)
        .put("cacheCreationTokens", 11).put("costUsd", 0.75).put("costMicros", 750_000L).put("apiRequests", 5));
    // a running run lasts until now
    assertThat(duration).isBetween(80.0 * 60, 81.0 * 60);
    JsonObject idle = items.getJsonObject(1);
    assertThat(idle.getString("runId")).isEqualTo("run-2");
    assertThat(idle.getLong("sessions")).isEqualTo(1);
    assertThat(idle.getString("status")).isEqualTo("idle");
    JsonObject finished = items.getJsonObject(2);
    assertThat(finished.getString("status")).isEqualTo("finished");
    // a finished run lasts from its first session's start to its last activity: 200 min ago plus the hour before, to 100 min ago
    assertThat(finished.getDouble("durationSeconds")).isCloseTo(160.0 * 60, within(1.0));
    assertThat(finished.getJsonObject("statuses")).isEqualTo(new JsonObject().put("active", 0).put("idle", 0).put("stale", 1).put("closed", 1)
        .put("waiting", 0));
  }

  @Test
  @DisplayName("a run answers its totals and its sessions nested by parent; a session whose parent is outside the run is a root")
  void runTree() throws Exception {
    api.session("root").run("run-t").received(minutesAgo(50)).tokens(100, 10, 1000, 1).cost(1).apiRequests(3).insert();
    api.session("child-1").run("run-t").parent("root").received(minutesAgo(40)).tokens(10, 1, 100, 1).cost(0.5).apiRequests(2).insert();
    api.session("child-2").run("run-t").parent("root").received(minutesAgo(30)).tokens(1, 1, 1, 1).cost(0.25).apiRequests(1).insert();
    api.session("grandchild").run("run-t").parent("child-1").received(minutesAgo(20)).apiRequests(4).insert();
    api.session("orphan").run("run-t").parent("elsewhere").received(minutesAgo(10)).insert();
    api.session("stranger").run("run-other").parent("root").insert();

    JsonObject run = api.get("/api/v1/runs/run-t").json();
    assertThat(run.getString("runId")).isEqualTo("run-t");
    assertThat(run.getLong("sessions")).isEqualTo(5);
    assertThat(run.getString("status")).isEqualTo("idle");
    assertThat(run.getJsonObject("statuses").getLong("idle")).isEqualTo(5);
    // from the root's first record (an hour before its last, 50 minutes ago) to the orphan's last, 10 minutes ago
    assertThat(run.getDouble("durationSeconds")).isCloseTo(100.0 * 60, within(1.0));
    assertThat(run.getJsonObject("totals")).isEqualTo(new JsonObject().put("inputTokens", 111).put("outputTokens", 12)
        .put("cacheReadTokens", 1101).put("cacheCreationTokens", 3).put("costUsd", 1.75).put("costMicros", 1_750_000L)
        .put("apiRequests", 10));
    JsonArray tree = run.getJsonArray("tree");
    assertThat(ids(tree)).containsExactly("root", "orphan");
    JsonObject root = tree.getJsonObject(0);
    assertThat(root.getString("status")).isEqualTo("idle");
    assertThat(ids(root.getJsonArray("children"))).containsExactly("child-1", "child-2");
    JsonObject child1 = root.getJsonArray("children").getJsonObject(0);
    assertThat(child1.getString("parentSessionId")).isEqualTo("root");
    assertThat(ids(child1.getJsonArray("children"))).containsExactly("grandchild");
    assertThat(child1.getJsonArray("children").getJsonObject(0).getJsonArray("children")).isEmpty();
    assertThat(ids(tree.getJsonObject(1).getJsonArray("children"))).isEmpty();
  }

  private static List<String> ids(JsonArray nodes) {
    List<String> ids = new ArrayList<>();
    nodes.forEach(node -> ids.add(((JsonObject) node).getString("sessionId")));
    return ids;
  }

  @Test
  @DisplayName("closing asks the processor over the event bus and answers the session re-read from the database")
  void close() throws Exception {
    api.session("to-close").receivedMinutesAgo(1).insert();
    List<CloseSession> requests = new ArrayList<>();
    ApiHarness.await(vertx.eventBus().<CloseSession>consumer(Addresses.SESSION_CLOSE, message -> {
      requests.add(message.body());
      String id = message.body().sessionId();
      vertx.executeBlocking(() -> api.sql("UPDATE sessions SET closed_at = now() WHERE session_id = ?", id))
          .onSuccess(updated -> {
            if (updated == 0) {
              message.fail(404, "unknown session " + id);
            } else {
              message.reply(new JsonObject().put("sessionId", id));
            }
          })
          .onFailure(error -> message.fail(500, error.getMessage()));
    }).completion());

    ApiHarness.Response closed = api.post("/api/v1/sessions/to-close/close");
    assertThat(closed.status()).as(closed.body().toString()).isEqualTo(200);
    assertThat(closed.json().getString("sessionId")).isEqualTo("to-close");
    assertThat(closed.json().getString("status")).isEqualTo("closed");
    assertThat(Instant.parse(closed.json().getString("closedAt"))).isAfter(minutesAgo(1));
    assertThat(requests).containsExactly(new CloseSession("to-close"));
    assertThat(api.get("/api/v1/sessions?status=closed").json().getLong("total")).isEqualTo(1);

    ApiHarness.Response unknown = api.post("/api/v1/sessions/nobody/close");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.json().getString("error")).isEqualTo("not_found");
    assertThat(unknown.json().getString("message")).contains("nobody");
  }

  @Test
  @DisplayName("closing while no processor listens is a 503 with Retry-After: 2")
  void closeUnavailable() throws Exception {
    api.session("open").insert();
    ApiHarness.Response response = api.post("/api/v1/sessions/open/close");
    assertThat(response.status()).isEqualTo(503);
    assertThat(response.headers().get("Retry-After")).isEqualTo("2");
    assertThat(response.json().getString("error")).isEqualTo("unavailable");
    assertThat(response.json().getString("message")).contains("no session processor");
    assertThat(api.get("/api/v1/sessions/open").json().getString("status")).isEqualTo("active");
  }

  @Test
  @DisplayName("the fleet while no live feed runs is a 503 with Retry-After saying so; with one, its answer goes out as it came")
  void fleet(Vertx vertx) throws Exception {
    ApiHarness.Response unavailable = api.get("/api/v1/fleet");
    assertThat(unavailable.status()).isEqualTo(503);
    assertThat(unavailable.headers().get("Retry-After")).isEqualTo("2");
    assertThat(unavailable.json().getString("error")).isEqualTo("unavailable");
    assertThat(unavailable.json().getString("message")).contains("live feed is not running");

    JsonObject tiles = new JsonObject().put("position", 7).put("sessions", new JsonArray()).put("total", 0);
    vertx.eventBus().consumer(Addresses.PUSH_TILES, message -> message.reply(tiles.toBuffer()));
    ApiHarness.Response answered = api.get("/api/v1/fleet");
    assertThat(answered.status()).isEqualTo(200);
    assertThat(answered.headers().get("Content-Type")).isEqualTo("application/json");
    assertThat(answered.json()).isEqualTo(tiles);
  }

  @Test
  @DisplayName("deleting a project while no owner of its rows listens is a 503 with Retry-After naming who is missing; nothing is deleted")
  void deleteUnavailable() throws Exception {
    api.session("kept").project("acme").insert();
    ApiHarness.Response response = api.send(HttpMethod.DELETE, "/api/v1/projects/acme");
    assertThat(response.status()).isEqualTo(503);
    assertThat(response.headers().get("Retry-After")).isEqualTo("2");
    assertThat(response.json().getString("error")).isEqualTo("unavailable");
    assertThat(response.json().getString("message")).contains("no persistence verticle is running")
        .contains("project 'acme'");
    assertThat(api.get("/api/v1/sessions/kept").status()).isEqualTo(200);
  }

  @Test
  @DisplayName("/health answers up while the verticle runs")
  void health() throws Exception {
    ApiHarness.Response response = api.get("/health");
    assertThat(response.status()).isEqualTo(200);
    assertThat(response.json()).isEqualTo(new JsonObject().put("status", "up"));
  }

  @Test
  @DisplayName("/ready answers ready with the number of successful migrations once the schema is in place, and that cluster mode is off")
  void ready() throws Exception {
    ApiHarness.Response response = api.get("/ready");
    assertThat(response.status()).isEqualTo(200);
    // the harness migrates with the owners' own runners: persistence's ten and the checkpoint module's seven
    assertThat(response.json()).isEqualTo(new JsonObject().put("status", "ready").put("database", "up").put("migrations", 17)
        .put("cluster", new JsonObject().put("enabled", false)));
  }

  @Test
  @DisplayName("/ready is a 503 with the database up while no migration has been applied")
  void notMigrated() throws Exception {
    ApiHarness empty = ApiHarness.start(vertx, TestDatabase.newDatabase());
    ApiHarness.Response response = empty.get("/ready");
    assertThat(response.status()).isEqualTo(503);
    assertThat(response.json().getString("status")).isEqualTo("not_ready");
    assertThat(response.json().getString("database")).isEqualTo("up");
    assertThat(response.json().getString("message")).contains("flyway_schema_history");
    assertThat(empty.get("/health").status()).isEqualTo(200);
  }

  @Test
  @DisplayName("/ready is a 503 with the database down when the pool's database does not exist, saying so without the database's own text")
  void databaseGone() throws Exception {
    String missing = api.databaseUrl.substring(0, api.databaseUrl.lastIndexOf('/') + 1) + "cw_no_such_database";
    ApiHarness gone = ApiHarness.start(vertx, missing);
    ApiHarness.Response response = gone.get("/ready");
    assertThat(response.status()).isEqualTo(503);
    assertThat(response.json().getString("status")).isEqualTo("not_ready");
    assertThat(response.json().getString("database")).isEqualTo("down");
    assertThat(response.json().getString("message")).contains("database does not exist").doesNotContain("cw_no_such_database")
        .doesNotContain("127.0.0.1").doesNotContain("Exception");
    assertThat(gone.get("/health").json().getString("status")).isEqualTo("up");
  }
}
