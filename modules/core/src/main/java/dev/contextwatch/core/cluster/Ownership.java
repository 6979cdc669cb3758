package dev.contextwatch.core.cluster;

import io.vertx.core.Vertx;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Which node applies a session's records: the one rule of session affinity. One node (cluster mode
 * off) owns every session; in a cluster the owner comes from the cluster manager's partition table,
 * so ownership moves by itself when a node joins or leaves (docs/cluster.md).
 */
public interface Ownership {
  /** The node id of this process (the cluster manager's node id in a cluster). */
  String localNode();

  /** The node id of the session's owner; never null. */
  String ownerOf(String sessionId);

  /** Whether other nodes may exist: false for a single node, where every session is local. */
  boolean clustered();

  /** The nodes in the cluster now, this one included (for /ready); 1 on a single node. */
  default int members() {
    return 1;
  }

  default boolean ownsLocally(String sessionId) {
    return ownerOf(sessionId).equals(localNode());
  }

  /** A single node: it owns every session. */
  Ownership SINGLE = new Ownership() {
    @Override
    public String localNode() {
      return "local";
    }

    @Override
    public String ownerOf(String sessionId) {
      return "local";
    }

    @Override
    public boolean clustered() {
      return false;
    }
  };

  /** The ownership registered for this Vert.x instance; {@link #SINGLE} unless a cluster set one. */
  static Ownership of(Vertx vertx) {
    return Registry.OWNERSHIPS.getOrDefault(vertx, SINGLE);
  }

  /** Set by the app before it deploys the pipeline on a clustered Vert.x instance. */
  static void register(Vertx vertx, Ownership ownership) {
    Registry.OWNERSHIPS.put(vertx, ownership);
  }

  /** Keyed weakly: a closed Vert.x instance takes its entry with it. */
  final class Registry {
    private static final Map<Vertx, Ownership> OWNERSHIPS = Collections.synchronizedMap(new WeakHashMap<>());

    private Registry() {}
  }
}
