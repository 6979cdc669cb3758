package dev.contextwatch.core.bus;

/** Event-bus addresses: the only coupling between verticles. */
public final class Addresses {
  /**
   * Decoded OTLP batches ({@link dev.contextwatch.core.model.RecordBatch}) from the receiver to the
   * processor. The reply, an {@link dev.contextwatch.core.model.IngestOutcome}, means committed
   * except for the records it counts as refused; a failure carries a {@link StoreFailure} code.
   */
  public static final String INGEST = "contextwatch.ingest";

  /**
   * Processed batches ({@link dev.contextwatch.core.model.StoreBatch}) to be stored. The reply, a
   * {@link dev.contextwatch.core.model.StoreOutcome}, arrives once the batch's transaction committed
   * or was rolled back because part of it was already stored (or its sessions changed meanwhile);
   * a failure reply carries a {@link StoreFailure} code.
   */
  public static final String STORE = "contextwatch.store";

  /**
   * Published (local, by reference) after each committed batch and each close: a {@link
   * dev.contextwatch.core.summary.SessionsUpdated}, the new {@link
   * dev.contextwatch.core.summary.SessionSummary} of every session it changed and the ids of those
   * seen for the first time (docs/architecture.md lists the summary's fields).
   */
  public static final String SESSION_UPDATED = "contextwatch.session.updated";

  /**
   * Published (local, by reference) after each committed batch: the {@link
   * dev.contextwatch.core.model.RecordBatch} of records it stored, for the live feed's event frames.
   */
  public static final String RECORDS_COMMITTED = "contextwatch.records.committed";

  /**
   * Published (local, by reference) by the checkpoint verticle when a session's status changes: a
   * {@link dev.contextwatch.core.summary.SessionStatusChanged} (from is null for a new session);
   * its JSON, {@code {"sessionId", "project", "runId", "synthetic", "from", "to", "time"}}, is the
   * feed frame's data.
   */
  public static final String SESSION_STATUS = "contextwatch.session.status";

  /**
   * Published (local, by reference) by the checkpoint verticle when a session's context level
   * changes: a {@link dev.contextwatch.core.summary.ContextLevelChanged}; its JSON, {@code
   * {"sessionId", "project", "runId", "synthetic", "from", "to", "epoch", "contextTokens",
   * "percentOfThreshold", "requestsLeft", "minutesLeft", "time"}}, is the feed frame's data; levels
   * are ok, warning, critical and compacted.
   */
  public static final String CONTEXT_LEVEL = "contextwatch.context.level";

  /**
   * Published (local, by reference) by the checkpoint verticle once a budget's use in a period
   * reached its warning share or its limit, after the commit that recorded it: a
   * {@link dev.contextwatch.core.summary.BudgetCrossed}, whose JSON is the feed frame's data.
   */
  public static final String BUDGET_CROSSED = "contextwatch.budget.crossed";

  /** Published by the checkpoint verticle for every checkpoint it wrote: the checkpoint as JSON. */
  public static final String CHECKPOINT_CREATED = "contextwatch.checkpoint.created";

  /**
   * A WebSocket the API accepted on {@code /v1/stream}, handed to the push verticle by reference
   * (codec {@link LocalCodec#WEBSOCKET}); the push verticle owns it from then on.
   */
  public static final String PUSH_CONNECT = "contextwatch.push.connect";

  /**
   * Request for the whole fleet's tile summaries, from the API to the push verticle, with the
   * {@code Synthetic} choice of sessions to show (local codec; none: real sessions only): the reply is the JSON of a tile snapshot ({@code {"position", "sessions", "total", "truncated",
   * "summary": "tile"}}) as a buffer; a failure with code 503 when it could not be read.
   */
  public static final String PUSH_TILES = "contextwatch.push.tiles";

  /**
   * Request (local codec) a {@link dev.contextwatch.core.summary.CloseSession} to mark a session
   * closed; the reply is its new {@link dev.contextwatch.core.summary.SessionSummary}, or a failure
   * with code 404 when the session is unknown.
   */
  public static final String SESSION_CLOSE = "contextwatch.session.close";

  /**
   * A {@link dev.contextwatch.core.model.SessionDeletion} to persistence, by reference: deletes
   * every row of those sessions from the tables it owns (events, metric_points, spans,
   * context_samples, metric_series, sessions) in one transaction; the reply, a {@link
   * dev.contextwatch.core.model.DeletedRows}, counts them per table.
   */
  public static final String DELETE_SESSION_RECORDS = "contextwatch.sessions.delete.records";

  /**
   * A {@link dev.contextwatch.core.model.SessionDeletion} to the checkpoint verticle: deletes those
   * sessions' levels, checkpoints and pending webhook deliveries (delivered and dead ones stay, the
   * record of what was sent); the reply counts them per table.
   */
  public static final String DELETE_SESSION_CHECKPOINTS = "contextwatch.sessions.delete.checkpoints";

  /**
   * A {@link dev.contextwatch.core.model.SessionDeletion} to the processor once the rows are gone:
   * forgets those sessions' state, their metric series and the dedup keys of their records; the
   * reply counts the entries per in-memory map (sessions, series, dedupKeys).
   */
  public static final String EVICT_SESSIONS = "contextwatch.sessions.evict";

  /**
   * A {@link dev.contextwatch.core.model.DeliveryRetry} to the checkpoint verticle, the owner of the
   * webhook outbox: puts the delivery back in the queue for one more attempt now. The reply is the
   * {@link dev.contextwatch.core.model.WebhookDelivery} as it then is; a failure with code 404 when
   * no delivery has that id, 409 when it was already delivered, 2 ({@code UNAVAILABLE}) when the
   * database did not take the change.
   */
  public static final String RETRY_DELIVERY = "contextwatch.webhooks.retry";

  /**
   * A {@link dev.contextwatch.core.model.HookDelivery} from the receiver (with {@code
   * contextReloading} on) to the checkpoint verticle, the owner of checkpoints, once the delivery is
   * stored: the reply is the {@link dev.contextwatch.core.model.HookAnswer} to send back to the
   * client (a {@code SessionStart} after a compaction or resume gets the last checkpoint as
   * additional context). The receiver waits briefly and answers {@code {}} without a reply.
   */
  public static final String HOOK_ANSWER = "contextwatch.hooks.answer";

  /**
   * Published locally (no body) when the cluster's partition table or membership changed: sessions
   * may have a new owner, so cached session state is dropped and read back from PostgreSQL.
   */
  public static final String OWNERSHIP_CHANGED = "contextwatch.cluster.ownership.changed";

  /**
   * Cluster mode: the clustered address of one node's processor. A receiver sends each owner its
   * part of a request (a {@link dev.contextwatch.core.model.RecordBatch} through its wire codec);
   * the reply is that part's {@link dev.contextwatch.core.model.IngestOutcome}, as on {@link #INGEST}.
   */
  public static String ingestOn(String node) {
    return INGEST + ".node." + node;
  }

  /** Cluster mode: the clustered address of one node's {@link #SESSION_CLOSE}, for the session's owner. */
  public static String closeOn(String node) {
    return SESSION_CLOSE + ".node." + node;
  }

  /**
   * Cluster mode: published to every node (clustered, wire codec) by the push verticle of the node
   * that made a feed frame, so that a WebSocket client on any node gets every matching frame.
   */
  public static final String FEED_FRAMES = "contextwatch.cluster.feed";

  /**
   * Cluster mode: published to every node's processor (clustered, wire codec) by the API once a
   * deletion's rows are gone and its own node's processor forgot them: a {@link
   * dev.contextwatch.core.model.SessionDeletion} whose sessions every node forgets (state, series,
   * dedup keys), whichever owned them. No reply.
   */
  public static final String SESSIONS_DELETED = "contextwatch.cluster.sessions.deleted";

  /**
   * Cluster mode: published to every node (clustered; the body is a node id, a string) by the push
   * verticle of a node whose connections ask for event frames, when the first one does and every
   * {@code streamPingSeconds} while any does: the other nodes make event frames of their records
   * and publish them on {@link #FEED_FRAMES} until three periods pass without one (docs/websocket.md).
   */
  public static final String FEED_EVENTS_WANTED = "contextwatch.cluster.feed.events";

  private Addresses() {}
}
