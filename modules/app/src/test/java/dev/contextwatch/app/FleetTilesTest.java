package dev.contextwatch.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.testkit.Fixtures;
import io.vertx.core.Vertx;
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

/**
 * Tile summaries: the fleet's over HTTP and over the feed, and the feed resumed from the position
 * GET /api/v1/fleet answered (docs/websocket.md, Tile summaries).
 */
@ExtendWith(VertxExtension.class)
class FleetTilesTest {
  private static final PushLoad.Session FIRST = new PushLoad.Session("1d2c3b4a-0000-4000-8000-000000000001", "acme", "term-1",
      "claude-sonnet-4-5", 40_000, 5_000, Instant.now().minusSeconds(3600));
  private static final PushLoad.Session SECOND = new PushLoad.Session("1d2c3b4a-0000-4000-8000-000000000002", null, null,
      "claude-haiku-4-5", 10_000, 1_000, Instant.now().minusSeconds(3600));

  @Test
  @DisplayName("a session's tile is the same whether PostgreSQL made it for a snapshot or the feed made it from a live summary")
  void sameTileBothWays(Vertx vertx) throws Exception {
    PipelineHarness pipeline = PipelineHarness.start(vertx);
    try {
      PushLoad.post(pipeline, FIRST, 0, 4);
      PushClient client = PushClient.connect(pipeline);
      client.send(new JsonObject().put("op", "subscribe").put("summary", "tile").encode());
      JsonObject snapshot = client.next("snapshot");
      assertThat(snapshot.getString("summary")).isEqualTo("tile");
      assertThat(snapshot.getLong("total")).isEqualTo(1);

      PushLoad.post(pipeline, FIRST, 4, 3);
      JsonObject live = client.next("session.updated").getJsonObject("data");
      JsonObject summary = pipeline.apiGet("/api/v1/sessions/" + FIRST.id());
      assertThat(live.getJsonObject("totals").getLong("apiRequests")).isEqualTo(7);
      assertThat(live.containsKey("byModel")).isFalse();
      assertThat(live.getJsonObject("context").getInteger("samples")).isEqualTo(7);

      // the same state read back as a snapshot: PostgreSQL's tile equals the one made from the live summary
      client.send(new JsonObject().put("op", "subscribe").put("summary", "tile").encode());
      JsonObject stored = client.next("snapshot").getJsonArray("sessions").getJsonObject(0);
      assertThat(stored.getString("level")).isNotNull();
      assertThat(stored.getString("status")).isEqualTo("active");
      JsonObject comparable = stored.copy();
      comparable.remove("level");
      assertThat(comparable).isEqualTo(live);
      assertThat(stored.getJsonObject("totals").getDouble("costUsd")).isEqualTo(summary.getJsonObject("totals").getDouble("costUsd"));
      assertThat(stored.encode().length()).isLessThan(summary.encode().length() / 3);
    } finally {
      pipeline.stop();
    }
  }

  @Test
  @DisplayName("2.1.332 sessions' tiles and API items name the client's version; a tile says whether the session was resumed, its subagent runs and where its threshold came from, the same from PostgreSQL as from the live summary")
  void clientOnTiles(Vertx vertx) throws Exception {
    Fixtures.Folder subagent = new Fixtures.Folder(Fixtures.CLIENT_2_1_332, "subagent-delta-json");
    Fixtures.Folder resumed = new Fixtures.Folder(Fixtures.CLIENT_2_1_332, "resume-delta-protobuf");
    Fixtures.Folder compacted = new Fixtures.Folder(Fixtures.CLIENT_2_1_332, "reactive-compaction-delta-json");
    PipelineHarness pipeline = PipelineHarness.start(vertx);
    try {
      PushClient client = PushClient.connect(pipeline);
      client.send(new JsonObject().put("op", "subscribe").put("summary", "tile").encode());
      client.next("snapshot");
      PushLoad.replay(pipeline, subagent);
      PushLoad.replay(pipeline, resumed);
      PushLoad.replay(pipeline, compacted);
      Map<String, JsonObject> fleet = bySession(pipeline.apiGet("/api/v1/fleet").getJsonArray("sessions"));
      Map<String, JsonObject> listed = bySession(pipeline.apiGet("/api/v1/sessions").getJsonArray("items"));
      for (Fixtures.Folder folder : List.of(subagent, resumed, compacted)) {
        assertThat(fleet.get(folder.sessionId()).getString("clientVersion")).as(folder.name()).isEqualTo("2.1.332");
        assertThat(listed.get(folder.sessionId()).getString("clientVersion")).as(folder.name()).isEqualTo("2.1.332");
      }
      assertThat(fleet.get(subagent.sessionId()).getJsonObject("subagents").getLong("runCount")).isEqualTo(1);
      assertThat(fleet.get(resumed.sessionId()).getBoolean("resumed")).isTrue();
      assertThat(fleet.get(subagent.sessionId()).getBoolean("resumed", false)).isFalse();
      JsonObject compactedTile = fleet.get(compacted.sessionId());
      assertThat(compactedTile.getJsonObject("context").getString("thresholdSource")).isEqualTo("observed");

      // PostgreSQL's tile of the stored state equals the one the feed made from the last live summary
      JsonObject stored = compactedTile.copy();
      stored.remove("level");
      client.next(frame -> "session.updated".equals(frame.getString("type")) && stored.equals(frame.getJsonObject("data")),
          "the compacted session's last update, its tile equal to the stored one");
    } finally {
      pipeline.stop();
    }
  }

  private static Map<String, JsonObject> bySession(JsonArray sessions) {
    return sessions.stream().map(JsonObject.class::cast).collect(Collectors.toMap(s -> s.getString("sessionId"), s -> s));
  }

  @Test
  @DisplayName("GET /api/v1/fleet answers every tile and a position; a subscription resumed from it gets every change since, as tiles")
  void fleetThenFeed(Vertx vertx) throws Exception {
    PipelineHarness pipeline = PipelineHarness.start(vertx);
    try {
      PushLoad.post(pipeline, FIRST, 0, 2);
      PushLoad.post(pipeline, SECOND, 0, 2);
      JsonObject fleet = pipeline.apiGet("/api/v1/fleet");
      JsonArray sessions = fleet.getJsonArray("sessions");
      assertThat(sessions).hasSize(2);
      assertThat(fleet.getLong("total")).isEqualTo(2);
      assertThat(fleet.getBoolean("truncated")).isFalse();
      assertThat(fleet.getString("summary")).isEqualTo("tile");
      // most recently active first, with status and level like every snapshot
      assertThat(sessions.getJsonObject(0).getString("sessionId")).isEqualTo(SECOND.id());
      assertThat(sessions.getJsonObject(1).getString("project")).isEqualTo("acme");
      assertThat(sessions.getJsonObject(1).getString("status")).isEqualTo("active");
      assertThat(sessions.getJsonObject(0).containsKey("project")).as("no project: left out").isFalse();

      // a change between the read and the subscription is not lost
      PushLoad.post(pipeline, FIRST, 2, 1);
      PushClient client = PushClient.connect(pipeline);
      client.send(new JsonObject().put("op", "subscribe").put("summary", "tile").put("resume_from", fleet.getLong("position")).encode());
      assertThat(client.next("resumed").getString("summary")).isEqualTo("tile");
      JsonObject missed = client.next("session.updated");
      assertThat(missed.getString("sessionId")).isEqualTo(FIRST.id());
      assertThat(missed.getJsonObject("data").getJsonObject("totals").getLong("apiRequests")).isEqualTo(3);
      assertThat(missed.getJsonObject("data").containsKey("tools")).isFalse();
    } finally {
      pipeline.stop();
    }
  }

  @Test
  @DisplayName("GET /api/v1/fleet leaves out sessions a load test simulated unless synthetic asks for them, and names a bad synthetic value")
  void syntheticSessions(Vertx vertx) throws Exception {
    PipelineHarness pipeline = PipelineHarness.start(vertx);
    try {
      for (boolean synthetic : List.of(false, true)) {
        PipelineHarness.Response response = pipeline.postAndWait("/v1/logs", OtlpRequests.PROTOBUF, OtlpRequests.mainRequest(
            synthetic ? "loadtest" : "acme", null, synthetic, synthetic ? "simulated" : "real", 0, 40_000), Map.of());
        assertThat(response.status()).isEqualTo(200);
      }
      assertThat(ids(pipeline.apiGet("/api/v1/fleet"))).containsExactly("real");
      assertThat(ids(pipeline.apiGet("/api/v1/fleet?synthetic=include"))).containsExactlyInAnyOrder("real", "simulated");
      JsonObject only = pipeline.apiGet("/api/v1/fleet?synthetic=only");
      assertThat(ids(only)).containsExactly("simulated");
      assertThat(only.getLong("total")).isEqualTo(1);
      JsonObject refused = pipeline.api(HttpMethod.GET, "/api/v1/fleet?synthetic=all", 400);
      assertThat(refused.getString("message")).contains("synthetic").contains("exclude, include, only").contains("all");
    } finally {
      pipeline.stop();
    }
  }

  private static List<String> ids(JsonObject fleet) {
    return fleet.getJsonArray("sessions").stream().map(s -> ((JsonObject) s).getString("sessionId")).toList();
  }
}
