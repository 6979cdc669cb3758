package dev.contextwatch.app;

import static dev.contextwatch.app.PushClient.filter;
import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.core.config.ContextwatchConfig;
import dev.contextwatch.core.config.StreamConfig;
import dev.contextwatch.testkit.Fixtures;
import dev.contextwatch.testkit.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The live feed's buffers are bounded in bytes, measured as the frames' JSON text: a snapshot, a
 * connection's queue, the resume ring; repeated subscribes replace one another; and an event frame
 * is made only when some client's filter matches it.
 */
@ExtendWith(VertxExtension.class)
class PushBoundsTest {
  private static final Fixtures.Folder SINGLE = Fixtures.folder("single-prompt-delta-protobuf");
  private static final Fixtures.Folder ACME = Fixtures.folder("tool-loop-delta-protobuf");
  /** A client that never reads: its socket stops taking frames as soon as the kernel's buffers are full. */
  private static final WebSocketClientOptions NOT_READING = new WebSocketClientOptions(PushClient.OPTIONS).setReceiveBufferSize(4096);

  @Test
  @DisplayName("100 subscribes from a client that does not read leave one snapshot waiting, not 100: once it reads it gets the first and the last")
  void repeatedSubscribesReplace(Vertx vertx) throws Exception {
    PipelineHarness pipeline = PipelineHarness.start(vertx);
    insertSessions(pipeline, "big-", 1_000, 4_000);
    PushClient client = PushClient.connect(pipeline, NOT_READING, "", Map.of());
    client.socket.pause();
    // in one burst, as a client in a loop would send them
    Future<Void> sent = Future.succeededFuture();
    for (int i = 0; i < 100; i++) {
      sent = client.socket.writeTextMessage(new JsonObject().put("op", "subscribe")
          .put("filter", filter("projects", "acme", "p" + i)).encode());
    }
    PipelineHarness.await(sent);
    client.socket.resume();
    JsonObject last = client.next(frame -> "snapshot".equals(frame.getString("type"))
        && frame.getJsonObject("filter").getJsonArray("projects").contains("p99"), "the last subscribe's snapshot");
    assertThat(last.getJsonArray("sessions")).hasSize(1_000);
    client.send("{\"op\":\"ping\"}");
    client.next("pong");
    List<JsonObject> snapshots = client.frames().stream().filter(frame -> "snapshot".equals(frame.getString("type"))).toList();
    // the first may have gone out before the others came; the rest waited, each replacing the one before
    assertThat(snapshots.size()).as("snapshots sent for 100 subscribes").isBetween(1, 3);
    pipeline.stop();
  }

  @Test
  @DisplayName("a snapshot carries the most recent sessions up to streamSnapshotBytes of summaries, and says it is truncated")
  void snapshotBytes(Vertx vertx) throws Exception {
    int snapshotBytes = 64 * 1024;
    PipelineHarness pipeline = start(vertx, stream -> stream.withBytes(2 * snapshotBytes, stream.ringBytes(), snapshotBytes));
    insertSessions(pipeline, "big-", 100, 2_000);
    PushClient client = PushClient.connect(pipeline);
    client.subscribe(new JsonObject());
    JsonObject snapshot = client.next("snapshot");
    JsonArray sessions = snapshot.getJsonArray("sessions");
    assertThat(snapshot.getBoolean("truncated")).isTrue();
    assertThat(sessions.size()).isBetween(10, 99);
    assertThat(sessions.getJsonObject(0).getString("sessionId")).as("most recent first").isEqualTo("big-1");
    assertThat(sessions.encode().getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(snapshotBytes);
    pipeline.stop();
  }

  @Test
  @DisplayName("a client that does not read is closed with 4008 once more than streamQueueBytes of frames wait, though far fewer than streamQueueFrames do")
  void queueBytes(Vertx vertx) throws Exception {
    PipelineHarness pipeline = start(vertx, stream -> stream.withBytes(128 * 1024, stream.ringBytes(), 64 * 1024));
    PushClient stuck = PushClient.connect(pipeline, NOT_READING, "", Map.of());
    stuck.subscribe(filter("types", "event"));
    stuck.next("snapshot");
    stuck.socket.pause();
    // 100 event frames of about 400 KB: a tenth of streamQueueFrames, 300 times streamQueueBytes
    for (int i = 0; i < 100; i++) {
      post(pipeline, OtlpRequests.bulkyEvent("bulky", i, 100, 4_000));
    }
    stuck.socket.resume();
    assertThat(stuck.closeStatus()).isEqualTo((short) 4008);
    pipeline.stop();
  }

  @Test
  @DisplayName("the resume ring keeps at most streamRingBytes: a resume from before what it still holds gets a snapshot, one from within it the frames")
  void ringBytes(Vertx vertx) throws Exception {
    PipelineHarness pipeline = start(vertx, stream -> stream.withBytes(stream.queueBytes(), 2 * 1024 * 1024, stream.snapshotBytes()));
    PushClient events = PushClient.connect(pipeline);
    events.subscribe(filter("types", "event"));
    long start = events.next("snapshot").getLong("position");
    for (int i = 0; i < 10; i++) {
      post(pipeline, OtlpRequests.bulkyEvent("bulky", i, 100, 4_000));
    }
    List<Long> positions = List.of();
    while (positions.size() < 10) {
      positions = events.frames().stream().filter(f -> "event".equals(f.getString("type"))).map(f -> f.getLong("position")).toList();
      events.send("{\"op\":\"ping\"}");
      events.next("pong");
    }
    PushClient early = PushClient.connect(pipeline);
    early.resume(filter("types", "event"), start);
    assertThat(early.next(f -> !"pong".equals(f.getString("type")), "the answer").getString("reason")).isEqualTo("resume_gap");
    PushClient recent = PushClient.connect(pipeline);
    recent.resume(filter("types", "event"), positions.get(8));
    recent.next("resumed");
    assertThat(recent.next("event").getLong("position")).isEqualTo(positions.get(9));
    pipeline.stop();
  }

  @Test
  @DisplayName("while no client asks for event frames none are made, so a resume for events across that time gets a snapshot; while one does, a resume gets them")
  void eventFramesOnlyWhileWanted(Vertx vertx) throws Exception {
    PipelineHarness pipeline = PipelineHarness.start(vertx);
    PushClient updates = PushClient.connect(pipeline);
    updates.subscribe(new JsonObject());
    long beforeSingle = updates.next("snapshot").getLong("position");
    PushLoad.replay(pipeline, SINGLE);

    PushClient late = PushClient.connect(pipeline);
    late.resume(filter("types", "session.updated", "event"), beforeSingle);
    JsonObject answer = late.next(frame -> !frame.containsKey("sessionId"), "the answer to the resume");
    assertThat(answer.getString("type")).isEqualTo("snapshot");
    assertThat(answer.getString("reason")).isEqualTo("resume_gap");
    assertThat(late.frames()).noneMatch(frame -> "event".equals(frame.getString("type")));
    PushClient withoutEvents = PushClient.connect(pipeline);
    withoutEvents.resume(new JsonObject(), beforeSingle);
    assertThat(withoutEvents.next(frame -> !frame.containsKey("sessionId"), "the answer").getString("type")).isEqualTo("resumed");

    // late wants events from now on: a client that resumes from a later position gets them
    long beforeAcme = pong(late);
    PushLoad.replay(pipeline, ACME);
    PushClient again = PushClient.connect(pipeline);
    again.resume(filter("types", "event"), beforeAcme);
    again.next("resumed");
    long stored = pipeline.count("select count(*) from events where session_id = '" + ACME.sessionId() + "'");
    for (int i = 0; i < stored; i++) {
      assertThat(again.next("event").getString("sessionId")).isEqualTo(ACME.sessionId());
    }
    pipeline.stop();
  }

  @Test
  @DisplayName("an event frame is made only when some client's filter matches it: events of a session nobody watches are not made, so a resume for them gets a snapshot")
  void eventFramesOnlyWhenMatched(Vertx vertx) throws Exception {
    PipelineHarness pipeline = PipelineHarness.start(vertx);
    PushClient watcher = PushClient.connect(pipeline);
    watcher.subscribe(filter("types", "event").put("sessions", new JsonArray().add(ACME.sessionId())));
    long beforeSingle = watcher.next("snapshot").getLong("position");
    PushLoad.replay(pipeline, SINGLE);

    PushClient late = PushClient.connect(pipeline);
    late.resume(filter("types", "event"), beforeSingle);
    JsonObject answer = late.next(frame -> !frame.containsKey("sessionId"), "the answer to the resume");
    assertThat(answer.getString("type")).isEqualTo("snapshot");
    assertThat(answer.getString("reason")).isEqualTo("resume_gap");

    // the watched session's events are made and reach the watcher, and nothing of the other session did
    PushLoad.replay(pipeline, ACME);
    long stored = pipeline.count("select count(*) from events where session_id = '" + ACME.sessionId() + "'");
    for (int i = 0; i < stored; i++) {
      assertThat(watcher.next("event").getString("sessionId")).isEqualTo(ACME.sessionId());
    }
    assertThat(watcher.frames()).noneMatch(frame -> SINGLE.sessionId().equals(frame.getString("sessionId")));
    pipeline.stop();
  }

  /** The position of the pong to a ping sent now: every frame published before it is positioned at or before it. */
  private static long pong(PushClient client) throws Exception {
    client.send("{\"op\":\"ping\"}");
    return client.next("pong").getLong("position");
  }

  private static void post(PipelineHarness pipeline, io.vertx.core.buffer.Buffer body) throws Exception {
    PipelineHarness.Response response = pipeline.postAndWait("/v1/logs", OtlpRequests.PROTOBUF, body, Map.of());
    assertThat(response.status()).as(response.body().toString()).isEqualTo(200);
  }

  private static PipelineHarness start(Vertx vertx, UnaryOperator<StreamConfig> stream) throws Exception {
    UnaryOperator<ContextwatchConfig> adjust = config -> config.withStream(stream.apply(config.stream()));
    return PipelineHarness.start(vertx, TestDatabase.newDatabase(), adjust);
  }

  /** {@code count} sessions of project acme, {@code prefix}1 the most recent, each summary padded with {@code padding} characters. */
  private static void insertSessions(PipelineHarness pipeline, String prefix, int count, int padding) throws Exception {
    try (Connection c = TestDatabase.connect(pipeline.databaseUrl); PreparedStatement insert = c.prepareStatement("""
        INSERT INTO sessions (session_id, pseudo, project, first_seen, last_seen, last_received_at, input_tokens, output_tokens,
          cache_read_tokens, cache_creation_tokens, cost_usd, api_requests, api_errors, compactions, summary)
        SELECT ? || i, false, 'acme', now(), now(), now() - i * interval '1 second', 0, 0, 0, 0, 0, 0, 0, 0,
          jsonb_build_object('sessionId', ? || i, 'padding', repeat('x', ?))
        FROM generate_series(1, ?) i""")) {
      insert.setString(1, prefix);
      insert.setString(2, prefix);
      insert.setInt(3, padding);
      insert.setInt(4, count);
      insert.executeUpdate();
    }
  }
}
