package dev.contextwatch.app;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.partition.MigrationListener;
import com.hazelcast.partition.MigrationState;
import com.hazelcast.partition.ReplicaMigrationEvent;
import dev.contextwatch.core.bus.Addresses;
import dev.contextwatch.core.cluster.Ownership;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ownership from Hazelcast's partition table: a session belongs to the member that owns the
 * partition of its id, so it moves by itself when a member joins or leaves. Each change of
 * membership or finished migration is announced on {@link Addresses#OWNERSHIP_CHANGED}, a burst
 * of them (a member joining moves partitions for a while) at most once per {@link #COALESCE_MS}.
 */
final class HazelcastOwnership implements Ownership, MembershipListener, MigrationListener {
  private static final Logger LOG = LoggerFactory.getLogger(HazelcastOwnership.class);
  /** A migration finishes many partitions in a row; the processor needs to drop its state once per burst, not per partition. */
  static final long COALESCE_MS = 200;
  /** Where vertx-hazelcast keeps a member's Vert.x node id (its HazelcastClusterManager's constant is private). */
  private static final String NODE_ID_ATTRIBUTE = "__vertx.nodeId";

  private final Vertx vertx;
  private final HazelcastInstance hazelcast;
  private final String localNode;
  private final AtomicBoolean announcing = new AtomicBoolean();

  private HazelcastOwnership(Vertx vertx, HazelcastInstance hazelcast, String localNode) {
    this.vertx = vertx;
    this.hazelcast = hazelcast;
    this.localNode = localNode;
  }

  /** Registers the ownership of a Vert.x instance that joined the cluster through {@code hazelcast}, and its listeners. */
  static HazelcastOwnership register(Vertx vertx, HazelcastInstance hazelcast, String localNode) {
    HazelcastOwnership ownership = new HazelcastOwnership(vertx, hazelcast, localNode);
    hazelcast.getCluster().addMembershipListener(ownership);
    hazelcast.getPartitionService().addMigrationListener(ownership);
    Ownership.register(vertx, ownership);
    return ownership;
  }

  @Override
  public String localNode() {
    return localNode;
  }

  /**
   * The node id of the member that owns the id's partition; this node while the partition has no
   * owner yet (the cluster is still forming) or the owner has not published its node id.
   */
  @Override
  public String ownerOf(String sessionId) {
    String owner = nodeId(hazelcast.getPartitionService().getPartition(sessionId == null ? "" : sessionId).getOwner());
    return owner == null ? localNode : owner;
  }

  /** Vert.x's node id of a member: not Hazelcast's member UUID but an attribute each member's cluster manager sets. */
  private static String nodeId(Member member) {
    return member == null ? null : member.getAttribute(NODE_ID_ATTRIBUTE);
  }

  @Override
  public boolean clustered() {
    return true;
  }

  @Override
  public int members() {
    return hazelcast.getCluster().getMembers().size();
  }

  @Override
  public void memberAdded(MembershipEvent event) {
    logMember("cluster_member_added", event);
    announce();
  }

  @Override
  public void memberRemoved(MembershipEvent event) {
    logMember("cluster_member_removed", event);
    announce();
  }

  private static void logMember(String what, MembershipEvent event) {
    LOG.info("event={} node={} address={} members={}", what, nodeId(event.getMember()), event.getMember().getAddress(),
        event.getMembers().size());
  }

  @Override
  public void migrationStarted(MigrationState state) {
    // ownership moves only as replicas complete; announced once the migration finished
  }

  @Override
  public void migrationFinished(MigrationState state) {
    announce();
  }

  @Override
  public void replicaMigrationCompleted(ReplicaMigrationEvent event) {
    // covered by migrationFinished, once for the whole migration
  }

  @Override
  public void replicaMigrationFailed(ReplicaMigrationEvent event) {
    announce();
  }

  /** One local publish for every change seen until it goes out; a change after that schedules the next. */
  private void announce() {
    if (announcing.compareAndSet(false, true)) {
      vertx.setTimer(COALESCE_MS, id -> {
        announcing.set(false);
        vertx.eventBus().publish(Addresses.OWNERSHIP_CHANGED, null, new DeliveryOptions().setLocalOnly(true));
      });
    }
  }
}
