package dev.contextwatch.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import dev.contextwatch.core.bus.Addresses;
import dev.contextwatch.core.cluster.Ownership;
import dev.contextwatch.core.summary.SessionsUpdated;
import dev.contextwatch.testkit.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.IOException;
import java.time.Duration;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Cluster mode's routing, on two clustered Vert.x nodes in one JVM (Hazelcast on 127.0.0.1, TCP-IP
 * members, no multicast), each running the whole pipeline against one database. A test ownership
 * gives sessions whose id starts with "a" to node 1 and the others to node 2 while it is a member,
 * to node 1 once it left. Which node applied a session is what its processor published locally.
 */
class ClusteredRoutingTest {
  private final String url = TestDatabase.newDatabase();
  private final List<Node> nodes = new ArrayList<>();

  /** One clustered Vert.x instance with its pipeline and the sessions its processor applied. */
  private static final class Node {
    final HazelcastClusterManager manager;
    final Vertx vertx;
    final Set<String> applied = ConcurrentHashMap.newKeySet();
    PipelineHarness pipeline;
    boolean closed;

    Node(HazelcastClusterManager manager, Vertx vertx) {
      this.manager = manager;
      this.vertx = vertx;
    }

    void close() throws Exception {
      if (!closed) {
        closed = true;
        try {
          if (pipeline != null) {
            pipeline.stop();
          }
        } finally {
          vertx.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        }
      }
    }
  }

  /** Sessions starting with "a" are node 1's; the others node 2's while it is a member, node 1's after. */
  private record TestOwnership(HazelcastClusterManager manager, String first, String second) implements Ownership {
    @Override
    public String localNode() {
      return manager.getNodeId();
    }

    @Override
    public String ownerOf(String sessionId) {
      return sessionId.startsWith("a") || !manager.getNodes().contains(second) ? first : second;
    }

    @Override
    public boolean clustered() {
      return true;
    }
  }

  @Test
  @DisplayName("a request holding sessions of two owners is applied by each owner and answered 200 once both committed; a close works from either node; a deletion is forgotten by the owner; when node 2 leaves, node 1 takes its sessions and nothing is lost")
  void routesByOwner() throws Exception {
    try {
      startCluster();
      Node first = nodes.get(0);
      Node second = nodes.get(1);

      assertThat(post(first, OtlpRequests.apiRequestsOfSessions(0, "a-1", "b-1")).status()).isEqualTo(200);
      assertThat(post(first, OtlpRequests.apiRequests("b-2", 0, 2)).status()).as("a request of one remote owner").isEqualTo(200);
      assertThat(post(second, OtlpRequests.apiRequestsOfSessions(1, "a-1", "b-1")).status()).isEqualTo(200);
      assertThat(first.applied).as("sessions node 1 applied").contains("a-1").doesNotContain("b-1", "b-2");
      assertThat(second.applied).as("sessions node 2 applied").contains("b-1", "b-2").doesNotContain("a-1");
      assertThat(first.pipeline.count("select count(*) from events")).isEqualTo(6);
      StoredTotals.assertEqualRows(url, "two owners");

      assertThat(close(first, "b-1").status()).as("a close of node 2's session sent to node 1").isEqualTo(200);
      assertThat(close(second, "a-1").status()).as("a close of node 1's session sent to node 2").isEqualTo(200);
      assertThat(close(second, "a-unknown").status()).as("an unknown session, closed from another node").isEqualTo(404);
      assertThat(first.pipeline.count("select count(*) from sessions where closed_at is not null and session_id in ('a-1', 'b-1')"))
          .isEqualTo(2);

      List<Buffer> doomed = List.of(OtlpRequests.mainRequest("doomed", null, false, "b-doomed", 0, 1_000),
          OtlpRequests.mainRequest("doomed", null, false, "b-doomed", 1, 2_000));
      for (Buffer request : doomed) {
        assertThat(post(first, request).status()).isEqualTo(200);
      }
      assertThat(second.applied).contains("b-doomed");
      assertThat(PipelineHarness.await(first.pipeline.apiRequest(HttpMethod.DELETE, "/api/v1/projects/doomed", Buffer.buffer()))
          .status()).as("a project deleted through node 1").isEqualTo(200);
      // its owner, node 2, forgets its state and dedup keys: the same records sent again are stored again
      Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
        for (Buffer request : doomed) {
          assertThat(post(first, request).status()).isEqualTo(200);
        }
        assertThat(first.pipeline.count("select count(*) from events where session_id = 'b-doomed'")).isEqualTo(2);
      });
      StoredTotals.assertEqualRows(url, "a deleted session sent again");

      List<Future<PipelineHarness.Response>> inFlight = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        inFlight.add(storedThrough(first, OtlpRequests.apiRequestsOfSessions(10 + i, "a-3", "b-3"),
            System.nanoTime() + TimeUnit.SECONDS.toNanos(90)));
      }
      second.close();
      PipelineHarness.await(Future.all(inFlight));
      first.applied.clear();
      assertThat(post(first, OtlpRequests.apiRequestsOfSessions(40, "a-3", "b-3")).status()).isEqualTo(200);
      assertThat(first.applied).as("node 1 took node 2's sessions").contains("a-3", "b-3");
      assertThat(first.pipeline.count("select count(*) from events where session_id = 'b-3'")).isEqualTo(21);
      assertThat(first.pipeline.count("select count(*) from events where session_id = 'a-3'")).isEqualTo(21);
      StoredTotals.assertEqualRows(url, "after node 2 left");
    } finally {
      for (Node node : nodes) {
        node.close();
      }
    }
  }

  private void startCluster() throws Exception {
    String cluster = "contextwatch-routing-" + UUID.randomUUID();
    List<Integer> ports = List.of(freePort(), freePort());
    for (int port : ports) {
      HazelcastClusterManager manager = new HazelcastClusterManager(hazelcast(cluster, port, ports));
      Vertx vertx = PipelineHarness.await(Vertx.builder()
          .with(new VertxOptions().setEventBusOptions(new EventBusOptions().setHost("127.0.0.1").setPort(0)))
          .withClusterManager(manager)
          .buildClustered());
      nodes.add(new Node(manager, vertx));
    }
    String firstId = nodes.get(0).manager.getNodeId();
    String secondId = nodes.get(1).manager.getNodeId();
    for (Node node : nodes) {
      Ownership.register(node.vertx, new TestOwnership(node.manager, firstId, secondId));
      PipelineHarness.await(node.vertx.eventBus().<SessionsUpdated>localConsumer(Addresses.SESSION_UPDATED,
          message -> message.body().sessions().forEach(s -> node.applied.add(s.identity().sessionId()))).completion());
      node.pipeline = PipelineHarness.start(node.vertx, url, UnaryOperator.identity());
    }
  }

  /** Vert.x's own Hazelcast configuration, on 127.0.0.1 with a member list and nothing sent outside. */
  private static Config hazelcast(String cluster, int port, List<Integer> members) {
    Config config = ConfigUtil.loadConfig().setClusterName(cluster)
        .setProperty("hazelcast.phone.home.enabled", "false")
        .setProperty("hazelcast.logging.type", "slf4j")
        .setProperty("hazelcast.shutdownhook.enabled", "false")
        .setProperty("hazelcast.wait.seconds.before.join", "0");
    config.getNetworkConfig().setPort(port).setPortAutoIncrement(false);
    config.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    JoinConfig join = config.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true);
    members.forEach(member -> join.getTcpIpConfig().addMember("127.0.0.1:" + member));
    return config;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static PipelineHarness.Response post(Node node, Buffer body) throws Exception {
    return node.pipeline.postAndWait("/v1/logs", OtlpRequests.PROTOBUF, body, Map.of());
  }

  private static PipelineHarness.Response close(Node node, String session) throws Exception {
    return PipelineHarness.await(node.pipeline.apiRequest(HttpMethod.POST, "/api/v1/sessions/" + session + "/close", Buffer.buffer()));
  }

  /** Sent until answered 200, as an exporter retries a 503 (an owner leaving), until a deadline. */
  private static Future<PipelineHarness.Response> storedThrough(Node node, Buffer body, long deadline) {
    return node.pipeline.post("/v1/logs", OtlpRequests.PROTOBUF, body, Map.of()).compose(response ->
        response.status() == 503 && System.nanoTime() < deadline ? storedThrough(node, body, deadline)
            : response.status() == 200 ? Future.succeededFuture(response)
            : Future.failedFuture(new AssertionError("answered " + response.status() + ": " + response.body())));
  }
}
