package dev.contextwatch.api;

import dev.contextwatch.core.bus.Addresses;
import dev.contextwatch.core.cluster.WireCodecs;
import dev.contextwatch.core.model.DeletedRows;
import dev.contextwatch.core.model.SessionDeletion;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Deletes sessions (a project's or a run's) without touching any table itself: each owner deletes
 * its own rows, persistence its records and sessions and the checkpoint verticle its levels,
 * checkpoints and pending deliveries; once both confirmed, the processor forgets the sessions'
 * state and dedup keys (earlier, a batch could have read the rows back into memory). Answers the
 * counts each reported. In cluster mode every node's processor is then told to forget them too
 * (a publish, no reply): any node may have held their state.
 */
final class Deletions {
  /** A project of millions of rows is deleted in one transaction: give it time. */
  static final int TIMEOUT_MS = 120_000;

  private final EventBus bus;
  private final boolean clustered;

  Deletions(EventBus bus, boolean clustered) {
    this.bus = bus;
    this.clustered = clustered;
  }

  /** {@code {"sessions": n, "deleted": {table: rows, ...}, "evicted": {map: entries, ...}}}. */
  Future<JsonObject> delete(List<String> sessionIds, String what) {
    SessionDeletion deletion = new SessionDeletion(sessionIds);
    Future<DeletedRows> records = request(Addresses.DELETE_SESSION_RECORDS, deletion, "persistence verticle", what);
    Future<DeletedRows> checkpoints = request(Addresses.DELETE_SESSION_CHECKPOINTS, deletion, "checkpoint verticle", what);
    return Future.all(records, checkpoints)
        .compose(both -> request(Addresses.EVICT_SESSIONS, deletion, "session processor", what))
        .onSuccess(evicted -> forgetOnEveryNode(deletion))
        .map(evicted -> new JsonObject()
            .put("sessions", sessionIds.size())
            .put("deleted", json(records.result()).mergeIn(json(checkpoints.result())))
            .put("evicted", json(evicted)));
  }

  private void forgetOnEveryNode(SessionDeletion deletion) {
    if (clustered) {
      bus.publish(Addresses.SESSIONS_DELETED, deletion, WireCodecs.SESSION_DELETION.options());
    }
  }

  private Future<DeletedRows> request(String address, SessionDeletion deletion, String recipient, String what) {
    return bus.<DeletedRows>request(address, deletion, new DeliveryOptions().setSendTimeout(TIMEOUT_MS))
        .map(Message::body)
        .recover(error -> Future.failedFuture(ApiException.ofReply(error, recipient, "delete " + what, TIMEOUT_MS)));
  }

  private static JsonObject json(DeletedRows rows) {
    JsonObject json = new JsonObject();
    rows.counts().forEach(json::put);
    return json;
  }
}
