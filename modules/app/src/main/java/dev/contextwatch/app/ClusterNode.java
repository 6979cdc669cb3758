package dev.contextwatch.app;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import dev.contextwatch.core.config.ClusterConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cluster mode: a clustered Vert.x whose cluster manager is Hazelcast, configured in code from the
 * cluster keys (docs/cluster.md). Only this class and {@link HazelcastOwnership} touch Hazelcast,
 * and only when cluster mode is on.
 */
final class ClusterNode {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterNode.class);
  static final String CLUSTER_NAME = "contextwatch";
  /** Hazelcast's failure detection: a member silent this long is removed and its sessions move (Hazelcast's own default is 60). */
  static final String MAX_NO_HEARTBEAT_SECONDS = "15";

  private ClusterNode() {}

  /**
   * Joins the cluster (or forms one alone) and registers this node's {@link HazelcastOwnership}
   * before anything is deployed. The event bus listens on {@code cluster.host()} at a port the
   * system picks, which the cluster manager tells the other members.
   */
  static Future<Vertx> start(ClusterConfig cluster, int shutdownTimeoutMs, VertxOptions options) {
    // also for what Hazelcast logs before it reads its configuration
    if (System.getProperty("hazelcast.logging.type") == null) {
      System.setProperty("hazelcast.logging.type", "slf4j");
    }
    HazelcastClusterManager manager = new HazelcastClusterManager(hazelcastConfig(cluster, shutdownTimeoutMs));
    options.getEventBusOptions().setHost(cluster.host()).setPort(0).setClusterPublicHost(cluster.host());
    return Vertx.builder().with(options).withClusterManager(manager).buildClustered()
        .onSuccess(vertx -> joined(vertx, manager, cluster));
  }

  private static void joined(Vertx vertx, HazelcastClusterManager manager, ClusterConfig cluster) {
    HazelcastOwnership ownership = HazelcastOwnership.register(vertx, manager.getHazelcastInstance(), manager.getNodeId());
    LOG.info("event=cluster_joined node={} host={} port={} event_bus_port={} members={}", manager.getNodeId(), cluster.host(),
        cluster.port(), manager.getNodeInfo().port(), ownership.members());
    String self = cluster.host() + ":" + cluster.port();
    if (ownership.members() == 1 && cluster.members().stream().anyMatch(member -> !member.equals(self))) {
      LOG.warn("event=cluster_alone configured_members=\"{}\" reason=\"no other member answered; this node runs alone and the others"
          + " join it when they start (or merge with it within minutes once they can reach each other)\"", String.join(",", cluster.members()));
    }
  }

  /**
   * vertx-hazelcast's default configuration (which defines the maps Vert.x needs; a cluster.xml on
   * the class path replaces it) with the network of the cluster keys: TCP-IP join only, a fixed
   * member port on this node's address, Hazelcast's shutdown in the pipeline's order (its own JVM
   * hook would leave the cluster before the pipeline stopped), no phone-home, logging through slf4j.
   */
  static Config hazelcastConfig(ClusterConfig cluster, int shutdownTimeoutMs) {
    Config config = ConfigUtil.loadConfig();
    config.setClusterName(CLUSTER_NAME);
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    config.setProperty("hazelcast.local.localAddress", cluster.host());
    config.setProperty("hazelcast.socket.bind.any", "false");
    // leaving hands this node's partitions over first; within the shutdown step's own bound
    config.setProperty("hazelcast.graceful.shutdown.max.wait", String.valueOf(Math.max(1, shutdownTimeoutMs / 2000)));
    if (System.getProperty("hazelcast.max.no.heartbeat.seconds") == null) {
      config.setProperty("hazelcast.max.no.heartbeat.seconds", MAX_NO_HEARTBEAT_SECONDS);
    }
    NetworkConfig network = config.getNetworkConfig();
    network.setPort(cluster.port()).setPortAutoIncrement(false).setPublicAddress(cluster.host() + ":" + cluster.port());
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(cluster.members());
    return config;
  }
}
