package dev.contextwatch.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.core.bus.Addresses;
import dev.contextwatch.core.cluster.Ownership;
import dev.contextwatch.core.config.ClusterConfig;
import dev.contextwatch.core.config.ConfigLoader;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Cluster mode's nodes: off, nothing of Hazelcast starts; on, two members in one JVM share the sessions by partition. */
class ClusterModeTest {
  private static final List<String> SESSIONS = IntStream.range(0, 1000).mapToObj(i -> "session-" + i).toList();

  @Test
  @DisplayName("with cluster mode off (the default) Vert.x is not clustered and no Hazelcast thread starts")
  void offStartsNoHazelcast() throws Exception {
    Set<String> before = hazelcastThreads();
    Vertx vertx = await(Main.vertx(ConfigLoader.defaults()));
    try {
      assertThat(vertx.isClustered()).isFalse();
      assertThat(Ownership.of(vertx)).isSameAs(Ownership.SINGLE);
      assertThat(hazelcastThreads()).isEqualTo(before);
    } finally {
      await(vertx.close());
    }
  }

  @Test
  @DisplayName("two nodes agree on the owner of 1,000 sessions and each owns some; when one leaves, the other owns them all and announces the change")
  void ownershipSharedAndMoved() throws Exception {
    int portA = ChildPipeline.freePort();
    int portB = ChildPipeline.freePort();
    List<String> members = List.of("127.0.0.1:" + portA, "127.0.0.1:" + portB);
    Vertx a = null;
    Vertx b = null;
    try {
      a = await(ClusterNode.start(new ClusterConfig(true, "127.0.0.1", portA, members), 4000, new VertxOptions()));
      b = await(ClusterNode.start(new ClusterConfig(true, "127.0.0.1", portB, members), 4000, new VertxOptions()));
      Ownership nodeA = Ownership.of(a);
      Ownership nodeB = Ownership.of(b);
      AtomicInteger announced = new AtomicInteger();
      await(a.eventBus().localConsumer(Addresses.OWNERSHIP_CHANGED, message -> announced.incrementAndGet()).completion());

      Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
        assertThat(nodeA.members()).isEqualTo(2);
        assertThat(SESSIONS).allMatch(id -> nodeA.ownerOf(id).equals(nodeB.ownerOf(id)));
        assertThat(SESSIONS).anyMatch(nodeA::ownsLocally).anyMatch(nodeB::ownsLocally);
      });
      assertThat(SESSIONS.stream().map(nodeA::ownerOf).collect(Collectors.toSet()))
          .containsExactlyInAnyOrder(nodeA.localNode(), nodeB.localNode());
      assertThat(nodeA.clustered()).isTrue();
      assertThat(nodeA.localNode()).isNotEqualTo(nodeB.localNode());

      int announcedBefore = announced.get();
      await(b.close());
      b = null;
      Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
        assertThat(SESSIONS).allMatch(nodeA::ownsLocally);
        assertThat(nodeA.members()).isEqualTo(1);
        assertThat(announced.get()).isGreaterThan(announcedBefore);
      });
    } finally {
      for (Vertx node : new Vertx[] {b, a}) {
        if (node != null) {
          await(node.close());
        }
      }
    }
  }

  private static Set<String> hazelcastThreads() {
    return Thread.getAllStackTraces().keySet().stream().map(Thread::getName).filter(name -> name.startsWith("hz."))
        .collect(Collectors.toSet());
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(90, TimeUnit.SECONDS);
  }
}
