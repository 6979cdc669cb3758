package dev.contextwatch.app;

import static dev.contextwatch.app.PushClient.filter;
import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import dev.contextwatch.core.bus.Addresses;
import dev.contextwatch.core.cluster.FeedFrameWire;
import dev.contextwatch.core.cluster.Ownership;
import dev.contextwatch.testkit.Fixtures;
import dev.contextwatch.testkit.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The live feed of a cluster: two nodes, each a clustered Vert.x (Hazelcast, members on 127.0.0.1)
 * with a whole pipeline, sharing one database. Records are sent to node 1 only, so node 1 applies
 * them and makes their frames; clients on node 2 must get them through the cluster. In order: the
 * first test needs a cluster where no connection asked for event frames yet. The last checks that
 * a single node (a plain Vert.x) is as before.
 */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterFeedTest {
  /** Project acme, label term-1, run run-42. */
  private static final Fixtures.Folder ACME = Fixtures.folder("tool-loop-delta-protobuf");
  /** Another project's session. */
  private static final Fixtures.Folder SINGLE = Fixtures.folder("single-prompt-delta-protobuf");

  private final List<Vertx> nodes = new ArrayList<>();
  private PipelineHarness one;
  private PipelineHarness two;

  @BeforeAll
  void startCluster() throws Exception {
    String database = TestDatabase.newDatabase();
    String cluster = "contextwatch-test-" + UUID.randomUUID();
    int port1 = freePort();
    int port2 = freePort();
    one = PipelineHarness.start(node(cluster, port1, port2), database, UnaryOperator.identity());
    two = PipelineHarness.start(node(cluster, port2, port1), database, UnaryOperator.identity());
  }

  @AfterAll
  void stopCluster() throws Exception {
    try {
      one.stop();
      two.stop();
    } finally {
      for (Vertx node : nodes) {
        PipelineHarness.await(node.close());
      }
    }
  }

  @Test
  @Order(1)
  @DisplayName("a client on node 2 gets the frames node 1 made, named with node 1, filtered as on node 1, in order, with its own seq and node 2's positions")
  void framesCrossNodes() throws Exception {
    PushClient remote = PushClient.connect(two);
    remote.subscribe(filter("projects", "acme"));
    PushClient local = PushClient.connect(one);
    local.subscribe(filter("projects", "acme"));
    String node1 = local.next("snapshot").getString("node");
    String node2 = remote.next("snapshot").getString("node");
    assertThat(node1).isNotEqualTo(node2).isEqualTo(Ownership.of(one.vertx).localNode());
    List<String> crossed = new CopyOnWriteArrayList<>();
    MessageConsumer<FeedFrameWire> wire = two.vertx.eventBus().consumer(Addresses.FEED_FRAMES, m -> crossed.add(m.body().type()));

    PushLoad.replay(one, SINGLE);
    PushLoad.replay(one, ACME);
    List<JsonObject> remoteFrames = liveFramesUntilLast(remote, ACME);
    List<JsonObject> localFrames = liveFramesUntilLast(local, ACME);
    PipelineHarness.await(wire.unregister());
    // no connection anywhere asked for events: none was made, none crossed
    assertThat(crossed).contains("session.updated").doesNotContain("event");

    assertThat(remoteFrames).isNotEmpty().allSatisfy(frame -> {
      assertThat(frame.getString("node")).isEqualTo(node1);
      assertThat(frame.getString("position")).startsWith(node2 + ":");
      assertThat(frame.getString("project")).isEqualTo("acme");
    });
    // the same frames, in the same order, as a client of node 1 got
    assertThat(remoteFrames).extracting(ClusterFeedTest::content).containsExactlyElementsOf(localFrames.stream()
        .map(ClusterFeedTest::content).toList());
    assertThat(localFrames).allSatisfy(frame -> assertThat(frame.getString("position")).startsWith(node1 + ":"));
    List<Long> requests = remoteFrames.stream().filter(frame -> frame.getString("type").equals("session.updated"))
        .map(frame -> frame.getJsonObject("data").getJsonObject("totals").getLong("apiRequests")).toList();
    assertThat(requests).isSorted().last().isEqualTo(ACME.cliResult().getLong("num_turns"));
    List<JsonObject> stream = remote.frames();
    for (int i = 0; i < stream.size(); i++) {
      assertThat(stream.get(i).getLong("seq")).isEqualTo(i + 1L);
      if (i > 0) {
        assertThat(number(stream.get(i))).isGreaterThanOrEqualTo(number(stream.get(i - 1)));
      }
    }
  }

  @Test
  @Order(2)
  @DisplayName("a client that resumes on node 2 from a position of node 1 gets a fresh snapshot saying so; from node 2's own it resumes")
  void resumeOnAnotherNode() throws Exception {
    PushClient first = PushClient.connect(one);
    first.subscribe(new JsonObject());
    String position1 = first.next("snapshot").getString("position");
    PushLoad.replay(one, SINGLE);
    first.socket.close();

    PushClient moved = PushClient.connect(two);
    moved.resume(new JsonObject(), position1);
    JsonObject snapshot = moved.next("snapshot");
    assertThat(snapshot.getString("reason")).isEqualTo("resume_other_node");
    assertThat(snapshot.getJsonArray("sessions").stream().map(s -> ((JsonObject) s).getString("sessionId")))
        .contains(SINGLE.sessionId());
    String position2 = snapshot.getString("position");
    moved.socket.close();

    PushClient back = PushClient.connect(two);
    back.resume(new JsonObject(), position2);
    assertThat(back.next(frame -> frame.getString("type").equals("resumed") || frame.getString("type").equals("snapshot"),
        "the answer to the resume").getString("type")).isEqualTo("resumed");
  }

  @Test
  @Order(3)
  @DisplayName("event frames of records node 1 stored reach a client on node 2 that asks for them, once node 1 heard that it does")
  void eventFramesOnRequest() throws Exception {
    PushLoad.Session session = new PushLoad.Session("cluster-events", "acme", "events", "claude-sonnet-4-5", 20_000, 1_000,
        Instant.now().minusSeconds(600));
    CompletableFuture<String> heard = new CompletableFuture<>();
    MessageConsumer<String> listener = one.vertx.eventBus().consumer(Addresses.FEED_EVENTS_WANTED, m -> heard.complete(m.body()));
    try {
      PipelineHarness.await(listener.completion());
      PushClient events = PushClient.connect(two);
      events.subscribe(filter("sessions", session.id()).put("types", new JsonArray().add("event")));
      String node2 = events.next("snapshot").getString("node");
      // node 1's feed heard it too: it was handed the same message before this listener
      assertThat(heard.get(PushClient.WAIT_MS, TimeUnit.MILLISECONDS)).isEqualTo(node2);

      PushLoad.post(one, session, 0, 3);
      long stored = one.count("select count(*) from events where session_id = '" + session.id() + "'");
      assertThat(stored).isPositive();
      for (long i = 0; i < stored; i++) {
        JsonObject event = events.next("event");
        assertThat(event.getString("sessionId")).isEqualTo(session.id());
        assertThat(event.getString("node")).isEqualTo(Ownership.of(one.vertx).localNode());
        assertThat(event.getJsonObject("data").getString("sessionId")).isEqualTo(session.id());
      }
    } finally {
      PipelineHarness.await(listener.unregister());
    }
  }

  @Test
  @Order(4)
  @DisplayName("a single node publishes no frame to a cluster and sends frames without node, with numeric positions, as before")
  void singleNodeUnchanged(Vertx vertx) throws Exception {
    List<Object> published = new CopyOnWriteArrayList<>();
    MessageConsumer<Object> wire = vertx.eventBus().localConsumer(Addresses.FEED_FRAMES, m -> published.add(m.body()));
    PipelineHarness single = PipelineHarness.start(vertx);
    try {
      PushClient client = PushClient.connect(single);
      client.subscribe(filter("projects", "acme"));
      assertThat(client.next("snapshot").getValue("position")).isInstanceOf(Number.class);
      PushLoad.replay(single, ACME);
      List<JsonObject> frames = liveFramesUntilLast(client, ACME);
      assertThat(frames).isNotEmpty().allSatisfy(frame -> {
        assertThat(frame.containsKey("node")).isFalse();
        assertThat(frame.getValue("position")).isInstanceOf(Number.class);
      });
      assertThat(published).isEmpty();
    } finally {
      PipelineHarness.await(wire.unregister());
      single.stop();
    }
  }

  private Vertx node(String cluster, int port, int peerPort) throws Exception {
    Config config = ConfigUtil.loadConfig().setClusterName(cluster).setProperty("hazelcast.phone.home.enabled", "false")
        .setProperty("hazelcast.wait.seconds.before.join", "0");
    config.getNetworkConfig().setPort(port).setPortAutoIncrement(false);
    config.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    JoinConfig join = config.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).addMember("127.0.0.1:" + port).addMember("127.0.0.1:" + peerPort);
    HazelcastClusterManager manager = new HazelcastClusterManager(config);
    Vertx vertx = PipelineHarness.await(Vertx.builder()
        .with(new VertxOptions().setEventBusOptions(new EventBusOptions().setHost("127.0.0.1").setPort(0)))
        .withClusterManager(manager).buildClustered());
    nodes.add(vertx);
    Ownership.register(vertx, new NodeOwnsWhatItReceives(manager.getNodeId()));
    return vertx;
  }

  /** Each node applies the records sent to it (splitting requests by owner is not what this test is about). */
  private record NodeOwnsWhatItReceives(String localNode) implements Ownership {
    @Override
    public String ownerOf(String sessionId) {
      return localNode;
    }

    @Override
    public boolean clustered() {
      return true;
    }
  }

  /** The live frames up to and including the session.updated frame that carries the fixture's final totals. */
  private static List<JsonObject> liveFramesUntilLast(PushClient client, Fixtures.Folder folder) throws Exception {
    long turns = folder.cliResult().getLong("num_turns");
    JsonObject last = client.next(frame -> frame.getString("type").equals("session.updated")
        && frame.getString("sessionId").equals(folder.sessionId())
        && frame.getJsonObject("data").getJsonObject("totals").getLong("apiRequests") == turns, "the last update");
    return client.frames().stream()
        .filter(frame -> frame.getLong("seq") <= last.getLong("seq") && frame.containsKey("sessionId"))
        .toList();
  }

  /** What a frame says, without where it was read (seq, position, time). */
  private static JsonObject content(JsonObject frame) {
    JsonObject content = frame.copy();
    content.remove("seq");
    content.remove("position");
    content.remove("time");
    content.remove("coalesced");
    return content;
  }

  private static long number(JsonObject frame) {
    String position = frame.getString("position");
    return Long.parseLong(position.substring(position.lastIndexOf(':') + 1));
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
