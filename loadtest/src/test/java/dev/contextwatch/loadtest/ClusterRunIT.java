package dev.contextwatch.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18's "done when": the packaged pipeline as several nodes (JVMs of their own, cluster mode,
 * one PostgreSQL), simulated sessions driven at all of them, a node SIGKILLed and started again,
 * or a node joining, during the run. Short runs: 150 sessions for 40 seconds.
 */
class ClusterRunIT {
  private static final int SESSIONS = 150;

  @TempDir
  Path out;

  @Test
  @DisplayName("three nodes, node 2 SIGKILLed a third of the way through and started again at two thirds: nothing lost or stored "
      + "twice, every session's totals equal the ledger, every webhook arrives exactly once, and a subscriber on a surviving "
      + "node sees frames made by every node")
  void aNodeKilledAndRestartedLosesNothing() throws Exception {
    Options options = options("--nodes", "3", "--kill-node", "2", "--kill-at", "33%", "--restart-at", "66%");
    SpawnedNodes nodes = SpawnedNodes.start(options);
    List<Long> pids = nodes.processes().pipelines();
    URI survivor = nodes.api().get(0);
    Result result;
    try {
      assertThat(pids).hasSize(3);
      result = new LoadTest(options, nodes).run();
    } finally {
      nodes.close();
    }

    assertStoredExactlyOnce(result);
    assertThat(result.events).extracting(SpawnedNodes.Event::what)
        .anyMatch(what -> what.startsWith("SIGKILL")).anyMatch(what -> what.startsWith("ready"));
    assertThat(result.events).allMatch(e -> e.node() == 2);
    assertThat(result.nodeLoads).hasSize(3).allSatisfy(n -> assertThat(n.acknowledged()).as("%s", n.otlp()).isPositive());
    assertThat(result.nodeLoads.get(1).failovers()).as("requests of node 2's sessions that went to another node").isPositive();
    assertWebhooksOnce(result);
    Map<String, Long> seen = result.framesByNode.getOrDefault(survivor, Map.of());
    assertThat(seen.keySet()).as("the nodes whose frames a subscriber on node 1 saw").doesNotContain(Subscribers.NO_NODE)
        .hasSizeGreaterThanOrEqualTo(3);
    assertGone(pids);
  }

  @Test
  @DisplayName("two nodes and a third joining early in the run: the sessions spread over it, ownership moves, nothing is lost or "
      + "counted twice and every webhook arrives exactly once")
  void aNodeJoiningLosesNothing() throws Exception {
    // early enough that the third JVM is ready while the others still send, also on a slow machine
    Options options = options("--nodes", "2", "--join-at", "15%");
    SpawnedNodes nodes = SpawnedNodes.start(options);
    List<Long> pids = nodes.processes().pipelines();
    Result result;
    try {
      result = new LoadTest(options, nodes).run();
      pids = nodes.processes().pipelines();
    } finally {
      nodes.close();
    }

    assertStoredExactlyOnce(result);
    assertThat(result.events).extracting(SpawnedNodes.Event::what).anyMatch(what -> what.startsWith("ready"));
    assertThat(result.nodeLoads).hasSize(3);
    assertThat(result.nodeLoads.get(2).acknowledged()).as("requests the joined node acknowledged").isPositive();
    assertWebhooksOnce(result);
    assertThat(pids).hasSize(3);
    assertGone(pids);
  }

  private Options options(String... nodes) throws Exception {
    List<String> args = new java.util.ArrayList<>(List.of("--pipeline-jar", pipelineJar(), "--pipeline-jvm-opts",
        "-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1", "--sessions", Integer.toString(SESSIONS), "--duration", "40s",
        "--logs-interval", "2s", "--metrics-interval", "10s", "--subscribers", "3", "--settle", "30s", "--out", out.toString(),
        "--history", out.resolve("history.jsonl").toString()));
    args.addAll(List.of(nodes));
    return Options.parse(args.toArray(String[]::new));
  }

  private static void assertStoredExactlyOnce(Result result) {
    Verifier.Verification v = result.verification;
    assertThat(v.method()).isEqualTo("database");
    assertThat(v.lost()).as("lost: %s", v.examples()).isZero();
    assertThat(v.duplicated()).as("duplicated: %s", v.examples()).isZero();
    assertThat(v.unexpected()).as("unexpected: %s", v.examples()).isZero();
    assertThat(v.totalsMismatched()).as("sessions whose totals differ from the ledger: %s", v.examples()).isZero();
    assertThat(v.sessionsInDoubt()).as("requests never acknowledged").isZero();
    assertThat(v.sessionsChecked()).isEqualTo(SESSIONS);
    assertThat(v.eventsStored()).isEqualTo(v.eventsExpected()).isPositive();
  }

  private static void assertWebhooksOnce(Result result) {
    WebhookSink.Check w = result.webhooks;
    assertThat(w).as("the webhook sink's check").isNotNull();
    assertThat(w.delivered()).as("deliveries of the synthetic sessions").isPositive();
    assertThat(w.pending()).as("deliveries still pending after the run").isZero();
    assertThat(w.dead()).as("dead deliveries").isZero();
    assertThat(w.receivedTwice()).as("delivery ids received more than once: %s", w.examples()).isZero();
    assertThat(w.missing()).as("deliveries marked delivered that never arrived: %s", w.examples()).isZero();
    assertThat(w.unexpected()).as("deliveries received that the outbox does not hold as delivered: %s", w.examples()).isZero();
    assertThat(w.received()).isEqualTo(w.delivered());
  }

  private static void assertGone(List<Long> pids) {
    Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
        assertThat(pids).allSatisfy(pid ->
            assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).as("node JVM %d", pid).isEqualTo(Optional.empty())));
  }

  private static String pipelineJar() {
    String jar = System.getProperty("contextwatch.pipelineJar");
    assertThat(jar).as("system property contextwatch.pipelineJar (set by failsafe in mvn verify)").isNotNull();
    assertThat(Path.of(jar)).exists();
    return jar;
  }
}
