package dev.contextwatch.core.config;

import java.util.List;

/**
 * Cluster mode (docs/cluster.md). Off, this process is the only node and no cluster manager
 * starts. On, it is a Hazelcast member listening on {@code host:port} (the address other members
 * reach it at) that joins the members listed in {@code members} ({@code host:port} each; none:
 * a cluster of itself, which others may join).
 */
public record ClusterConfig(boolean enabled, String host, int port, List<String> members) {
  public ClusterConfig {
    members = List.copyOf(members);
  }
}
