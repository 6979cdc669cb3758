package dev.contextwatch.app;

import static dev.contextwatch.app.PushClient.filter;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.within;

import dev.contextwatch.core.config.ContextwatchConfig;
import dev.contextwatch.core.config.StreamConfig;
import dev.contextwatch.testkit.Fixtures;
import dev.contextwatch.testkit.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The live feed on /v1/stream through the whole pipeline: fixtures replayed over OTLP, frames read by a WebSocket client. */
@ExtendWith(VertxExtension.class)
class PushStreamTest {
  private static final Fixtures.Folder SINGLE = Fixtures.folder("single-prompt-delta-protobuf");
  /** Project acme, label term-1, run run-42. */
  private static final Fixtures.Folder ACME = Fixtures.folder("tool-loop-delta-protobuf");

  @Test
  @DisplayName("a subscriber gets a snapshot of the stored sessions, then one session.updated frame per committed request, ending at the CLI's totals")
  void snapshotThenLiveUpdates(Vertx vertx) throws Exception {
    PipelineHarness pipeline = PipelineHarness.start(vertx);
    PushLoad.replay(pipeline, SINGLE);
    PushClient client = PushClient.connect(pipeline);
    client.subscribe(new JsonObject());

    JsonObject snapshot = client.next("snapshot");
    assertThat(snapshot.getString("reason")).isEqualTo("subscribe");
    assertThat(snapshot.getJsonArray("sessions")).hasSize(1);
    JsonObject stored = snapshot.getJsonArray("sessions").getJsonObject(0);
    assertThat(stored.getString("sessionId")).isEqualTo(SINGLE.sessionId());
    assertThat(stored.getString("status")).isEqualTo("active");
    assertThat(stored.getString("level")).isEqualTo("ok");
    assertTotals(stored, SINGLE);

    PushLoad.replay(pipeline, ACME);
    List<JsonObject> updates = new ArrayList<>();
    for (int i = 0; i < ACME.requests().size(); i++) {
      updates.add(client.next("session.updated"));
    }
    assertThat(updates).allSatisfy(frame -> assertThat(frame.getString("sessionId")).isEqualTo(ACME.sessionId()));
    assertThat(updates.get(0).getString("project")).isEqualTo("acme");
    assertThat(updates.get(0).getString("runId")).isEqualTo("run-42");
    assertTotals(updates.get(updates.size() - 1).getJsonObject("data"), ACME);
    assertStreamOrder(client.frames());
    pipeline.stop();
  }

  @Test
  @DisplayName("a filter by session, by project or by type lets through only the frames it names")
  void filters(Vertx vertx) throws Exception {
    PipelineHarness pipeline = PipelineHarness.start(vertx);
    PushClient bySession = PushClient.connect(pipeline);
    bySession.subscribe(filter("sessions", SINGLE.sessionId()));
    PushClient byProject = PushClient.connect(pipeline);
    byProject.subscribe(filter("projects", "acme"));
    PushClient byType = PushClient.connect(pipeline);
    byType.subscribe(filter("types", "session.updated"));
    for (PushClient client : List.of(bySession, byProject, byType)) {
      assertThat(client.next("snapshot").getJsonArray("sessions")).isEmpty();
    }

    PushLoad.replay(pipeline, SINGLE);
    PushLoad.replay(pipeline, ACME);
    List<JsonObject> sessionFrames = liveFramesUntilPong(bySession);
    List<JsonObject> projectFrames = liveFramesUntilPong(byProject);
    List<JsonObject> typeFrames = liveFramesUntilPong(byType);

    assertThat(sessionFrames).isNotEmpty()
        .allSatisfy(frame -> assertThat(frame.getString("sessionId")).isEqualTo(SINGLE.sessionId()));
    assertThat(projectFrames).isNotEmpty()
        .allSatisfy(frame -> assertThat(frame.getString("project")).isEqualTo("acme"));
    assertTotals(last(projectFrames, "session.updated").getJsonObject("data"), ACME);
    assertThat(typeFrames).extracting(frame -> frame.getString("type")).containsOnly("session.updated");
    assertThat(typeFrames).extracting(frame -> frame.getString("sessionId")).contains(SINGLE.sessionId(), ACME.sessionId());
    pipeline.stop();
  }

  @Test
  @DisplayName("event frames, one per stored event with its tokens and cost, come only to a client that asks for type event")
  void eventFramesOnlyWhenAsked(Vertx vertx) throws Exception {
    PipelineHarness pipeline = PipelineHarness.start(vertx);
    PushClient everything = PushClient.connect(pipeline);
    everything.subscribe(new JsonObject());
    PushClient events = PushClient.connect(pipeline);
    events.subscribe(filter("types", "event"));
    everything.next("snapshot");
    events.next("snapshot");

    PushLoad.replay(pipeline, ACME);
    List<JsonObject> eventFrames = liveFramesUntilPong(events);
    List<JsonObject> otherFrames = liveFramesUntilPong(everything);

    assertThat(otherFrames).isNotEmpty().noneMatch(frame -> frame.getString("type").equals("event"));
    assertThat(eventFrames).extracting(frame -> frame.getString("type")).containsOnly("event");
    assertThat((long) eventFrames.size())
        .isEqualTo(pipeline.count("select count(*) from events where session_id = '" + ACME.sessionId() + "'"));
    List<JsonObject> requests = eventFrames.stream().map(frame -> frame.getJsonObject("data"))
        .filter(data -> data.getString("name").equals("api_request")).toList();
    assertThat(requests).hasSize(ACME.cliResult().getInteger("num_turns"));
    assertThat(requests.stream().mapToDouble(data -> data.getDouble("costUsd")).sum())
        .isCloseTo(ACME.cliResult().getDouble("total_cost_usd"), within(1e-9));
    assertThat(requests.get(0).getString("sessionId")).isEqualTo(ACME.sessionId());
    assertThat(requests.get(0).getString("model")).isEqualTo("claude-sonnet-4-5");
    assertThat(requests.get(0).getLong("sequence")).isNotNull();
    assertThat(requests.get(0).getJsonObject("attributes").getString("query_source")).isNotNull();
    pipeline.stop();
  }

  @Test
  @DisplayName("a client that resumes from the last position it saw gets the frames it missed and no snapshot; one too far behind gets a snapshot")
  void resume(Vertx vertx) throws Exception {
    PipelineHarness pipeline = PipelineHarness.start(vertx);
    PushClient first = PushClient.connect(pipeline);
    first.subscribe(new JsonObject());
    first.next("snapshot");
    PushLoad.replay(pipeline, SINGLE);
    long seen = liveFramesUntilPong(first).stream().mapToLong(frame -> frame.getLong("position")).max().orElseThrow();
    first.socket.close();

    PushLoad.replay(pipeline, ACME);
    PushClient again = PushClient.connect(pipeline);
    again.resume(new JsonObject(), seen);
    JsonObject resumed = again.next("resumed");
    assertThat(resumed.getLong("position")).isEqualTo(seen);
    List<JsonObject> missed = liveFramesUntilPong(again);
    List<JsonObject> missedUpdates = missed.stream().filter(f -> f.getString("type").equals("session.updated")).toList();
    assertThat(missedUpdates).hasSize(ACME.requests().size())
        .allSatisfy(frame -> assertThat(frame.getString("sessionId")).isEqualTo(ACME.sessionId()));
    assertThat(missed).allSatisfy(frame -> assertThat(frame.getLong("position")).isGreaterThan(seen));
    assertTotals(missedUpdates.get(missedUpdates.size() - 1).getJsonObject("data"), ACME);
    assertThat(again.frames()).noneMatch(frame -> frame.getString("type").equals("snapshot"));

    PushClient behind = PushClient.connect(pipeline);
    behind.resume(new JsonObject(), 1);
    JsonObject snapshot = behind.next("snapshot");
    assertThat(snapshot.getString("reason")).isEqualTo("resume_gap");
    assertThat(snapshot.getJsonArray("sessions")).hasSize(2);
    pipeline.stop();
  }

  @Test
  @DisplayName("a new subscribe replaces the filter and answers with a new snapshot of what the new filter matches")
  void resubscribe(Vertx vertx) throws Exception {
    PipelineHarness pipeline = PipelineHarness.start(vertx);
    PushLoad.replay(pipeline, SINGLE);
    PushLoad.replay(pipeline, ACME);
    PushClient client = PushClient.connect(pipeline);
    client.subscribe(filter("sessions", SINGLE.sessionId()));
    assertThat(client.next("snapshot").getJsonArray("sessions")).extracting(s -> ((JsonObject) s).getString("sessionId"))
        .containsExactly(SINGLE.sessionId());
    client.subscribe(filter("projects", "acme"));
    assertThat(client.next("snapshot").getJsonArray("sessions")).extracting(s -> ((JsonObject) s).getString("sessionId"))
        .containsExactly(ACME.sessionId());
    client.send("{\"op\":\"unsubscribe\"}");
    client.next("unsubscribed");
    pipeline.stop();
  }

  @Test
  @DisplayName("a malformed frame gets an error frame naming the problem, and the connection stays open")
  void malformedFrame(Vertx vertx) throws Exception {
    PipelineHarness pipeline = PipelineHarness.start(vertx);
    PushClient client = PushClient.connect(pipeline);
    client.send("hello?");
    assertThat(client.next("error").getString("message")).contains("JSON object");
    client.send("{\"op\":\"subscribe\",\"filter\":{\"colour\":[\"red\"]}}");
    assertThat(client.next("error").getString("message")).contains("'colour'");
    client.send("{\"op\":\"subscribe\",\"filter\":{\"types\":[\"gossip\"]}}");
    assertThat(client.next("error").getString("message")).contains("'gossip'").contains("session.updated");
    client.send("{\"op\":\"ping\"}");
    assertThat(client.next("pong").getLong("seq")).isEqualTo(4);
    pipeline.stop();
  }

  @Test
  @DisplayName("five malformed frames in a row close the connection with 1008; a good frame in between resets the count")
  void repeatedGarbage(Vertx vertx) throws Exception {
    PipelineHarness pipeline = PipelineHarness.start(vertx);
    PushClient client = PushClient.connect(pipeline);
    for (int i = 0; i < 4; i++) {
      client.send("garbage " + i);
    }
    client.send("{\"op\":\"ping\"}");
    client.next("pong");
    for (int i = 0; i < 5; i++) {
      client.send("garbage again " + i);
    }
    assertThat(client.closeStatus()).isEqualTo((short) 1008);
    assertThat(client.frames()).filteredOn(frame -> frame.getString("type").equals("error")).hasSize(9);
    pipeline.stop();
  }

  @Test
  @DisplayName("with an API token the handshake is refused with a JSON 401 unless the token comes as a Bearer header or ?token=")
  void token(Vertx vertx) throws Exception {
    PipelineHarness pipeline = PipelineHarness.start(vertx, TestDatabase.newDatabase(),
        config -> config.withApi(config.api().withTokens("s3cret", "")));
    WebSocketClient client = vertx.createWebSocketClient();
    for (String query : List.of("", "?token=wrong")) {
      Throwable refused = catchThrowable(() -> PipelineHarness.await(PushClient.handshake(pipeline, client, query, Map.of())));
      assertThat(refused).isInstanceOf(ExecutionException.class).cause().isInstanceOf(UpgradeRejectedException.class);
      UpgradeRejectedException rejected = (UpgradeRejectedException) refused.getCause();
      assertThat(rejected.getStatus()).isEqualTo(401);
      assertThat(rejected.getBody().toJsonObject().getString("error")).isEqualTo("unauthorized");
    }
    PushClient byQuery = PushClient.connect(pipeline, "?token=s3cret", Map.of());
    byQuery.send("{\"op\":\"ping\"}");
    byQuery.next("pong");
    PushClient byHeader = PushClient.connect(pipeline, "", Map.of("Authorization", "Bearer s3cret"));
    byHeader.send("{\"op\":\"ping\"}");
    byHeader.next("pong");
    pipeline.stop();
  }

  @Test
  @DisplayName("a connection beyond streamMaxConnections is closed with 1013")
  void maxConnections(Vertx vertx) throws Exception {
    PipelineHarness pipeline = start(vertx, stream -> stream.withMaxConnections(1));
    PushClient first = PushClient.connect(pipeline);
    first.send("{\"op\":\"ping\"}");
    first.next("pong");
    PushClient second = PushClient.connect(pipeline);
    assertThat(second.closeStatus()).isEqualTo((short) 1013);
    pipeline.stop();
  }

  @Test
  @DisplayName("a plain GET of /v1/stream, without a WebSocket upgrade, is a JSON 400")
  void notAnUpgrade(Vertx vertx) throws Exception {
    PipelineHarness pipeline = PipelineHarness.start(vertx);
    JsonObject error = pipeline.api(HttpMethod.GET, "/v1/stream", 400);
    assertThat(error.getString("error")).isEqualTo("bad_request");
    assertThat(error.getString("message")).contains("WebSocket upgrade");
    pipeline.stop();
  }

  @Test
  @DisplayName("a message larger than streamMaxFrameBytes in one frame closes that connection with 1009, and only that one")
  void frameTooLarge(Vertx vertx) throws Exception {
    PipelineHarness pipeline = start(vertx, stream -> stream.withMaxFrameBytes(256));
    PushClient other = PushClient.connect(pipeline);
    PushClient client = PushClient.connect(pipeline);
    client.send("{\"op\":\"ping\",\"padding\":\"" + "x".repeat(1000) + "\"}");
    assertThat(client.closeStatus()).isEqualTo((short) 1009);
    other.send("{\"op\":\"ping\"}");
    other.next("pong");
    pipeline.stop();
  }

  @Test
  @DisplayName("a message larger than streamMaxFrameBytes in several small frames closes the connection with 1009 too; no part of it is read as a message")
  void fragmentedMessageTooLarge(Vertx vertx) throws Exception {
    PipelineHarness pipeline = start(vertx, stream -> stream.withMaxFrameBytes(256));
    PushClient client = PushClient.connect(pipeline, new WebSocketClientOptions().setMaxFrameSize(100), "", Map.of());
    client.send("{\"op\":\"ping\",\"padding\":\"" + "x".repeat(1000) + "\"}");
    assertThat(client.closeStatus()).isEqualTo((short) 1009);
    assertThat(client.frames()).isEmpty();
    pipeline.stop();
  }

  @Test
  @DisplayName("an idle connection is pinged every streamPingSeconds")
  void idlePing(Vertx vertx) throws Exception {
    PipelineHarness pipeline = start(vertx, stream -> stream.withPingSeconds(1));
    PushClient client = PushClient.connect(pipeline);
    client.subscribe(new JsonObject());
    client.next("snapshot");
    JsonObject ping = client.next("ping");
    assertThat(ping.getLong("seq")).isEqualTo(2);
    assertThat(ping.getString("time")).isNotBlank();
    pipeline.stop();
  }

  private static PipelineHarness start(Vertx vertx, UnaryOperator<StreamConfig> stream) throws Exception {
    UnaryOperator<ContextwatchConfig> adjust = config -> config.withStream(stream.apply(config.stream()));
    return PipelineHarness.start(vertx, TestDatabase.newDatabase(), adjust);
  }

  /**
   * The live frames the client received up to the answer to a ping sent now: every request was
   * answered 200 after its frames were published, so they are all queued before that pong.
   */
  private static List<JsonObject> liveFramesUntilPong(PushClient client) throws Exception {
    client.send("{\"op\":\"ping\"}");
    JsonObject pong = client.next("pong");
    return client.frames().stream()
        .filter(frame -> frame.getLong("seq") < pong.getLong("seq") && frame.containsKey("sessionId"))
        .toList();
  }

  private static JsonObject last(List<JsonObject> frames, String type) {
    return frames.stream().filter(frame -> frame.getString("type").equals(type)).reduce((a, b) -> b).orElseThrow();
  }

  /** Every frame has the next seq; positions never go back. */
  private static void assertStreamOrder(List<JsonObject> frames) {
    for (int i = 0; i < frames.size(); i++) {
      assertThat(frames.get(i).getLong("seq")).isEqualTo(i + 1L);
      assertThat(frames.get(i).getString("time")).isNotBlank();
      if (i > 0) {
        assertThat(frames.get(i).getLong("position")).isGreaterThanOrEqualTo(frames.get(i - 1).getLong("position"));
      }
    }
  }

  private static void assertTotals(JsonObject summary, Fixtures.Folder folder) {
    JsonObject usage = folder.cliResult().getJsonObject("usage");
    JsonObject totals = summary.getJsonObject("totals");
    assertThat(totals.getLong("inputTokens")).isEqualTo(usage.getLong("input_tokens"));
    assertThat(totals.getLong("outputTokens")).isEqualTo(usage.getLong("output_tokens"));
    assertThat(totals.getLong("cacheReadTokens")).isEqualTo(usage.getLong("cache_read_input_tokens"));
    assertThat(totals.getDouble("costUsd")).isCloseTo(folder.cliResult().getDouble("total_cost_usd"), within(1e-9));
  }
}
