package dev.contextwatch.checkpoint;

import dev.contextwatch.core.bus.Addresses;
import dev.contextwatch.core.bus.LocalCodec;
import dev.contextwatch.core.bus.StoreFailure;
import dev.contextwatch.core.cluster.Ownership;
import dev.contextwatch.core.config.CheckpointConfig;
import dev.contextwatch.core.config.DatabaseConfig;
import dev.contextwatch.core.config.SessionConfig;
import dev.contextwatch.core.db.AdvisoryLocks;
import dev.contextwatch.core.db.DatabasePool;
import dev.contextwatch.core.db.Databases;
import dev.contextwatch.core.metrics.Meters;
import dev.contextwatch.core.model.DeliveryRetry;
import dev.contextwatch.core.model.HookAnswer;
import dev.contextwatch.core.model.HookDelivery;
import dev.contextwatch.core.model.SessionDeletion;
import dev.contextwatch.core.model.SessionStatus;
import dev.contextwatch.core.summary.BudgetCrossed;
import dev.contextwatch.core.summary.ContextLevelChanged;
import dev.contextwatch.core.summary.SessionStatusChanged;
import dev.contextwatch.core.summary.SessionSummary;
import dev.contextwatch.core.summary.SessionsUpdated;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checkpoint bridge. Consumes the processor's session updates, assigns each session a context
 * level (ok, warning, critical, compacted) from its context and prediction, writes a checkpoint on
 * entering warning or critical and on every compaction, tracks the lifecycle (started, idle,
 * stale, closed), and announces all of it through the webhook outbox, written in the same
 * transaction, and on the event bus. Updates wait in {@link Assessments}, which applies them in
 * batches, in order per session, and keeps them through database failures.
 */
public final class CheckpointVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointVerticle.class);
  private static final long MAX_POLL_MS = 1000;
  /** Shown instead of an error recorded by an earlier version, which may have named the endpoint's URL. */
  static final String EARLIER_ERROR = "the attempt failed (its reason, recorded by an earlier version, is not shown)";

  private final CheckpointConfig config;
  private final SessionConfig sessions;
  private final DatabaseConfig database;
  private Pool pool;
  private CheckpointStore store;
  private Assessments assessments;
  private List<WebhookDispatcher> dispatchers;
  private MessageConsumer<SessionsUpdated> updates;
  private boolean sweeping;

  public CheckpointVerticle(CheckpointConfig config, SessionConfig sessions, DatabaseConfig database) {
    this.config = config;
    this.sessions = sessions;
    this.database = database;
  }

  /** Applies the checkpoint module's migrations, then starts on its tables. */
  @Override
  public Future<?> start() {
    LocalCodec.registerAll(vertx);
    return vertx.executeBlocking(() -> CheckpointMigrations.apply(Databases.connectOptions(database)))
        .compose(migrated -> startOnTables());
  }

  private Future<Void> startOnTables() {
    pool = Databases.pool(vertx, database, DatabasePool.CHECKPOINT);
    store = new CheckpointStore(pool, config.samples());
    BudgetLedger budgets = new BudgetLedger(pool, config.budgets());
    assessments = new Assessments(vertx, store, config, this::announce, budgets, this::announceBudgets);
    String claimant = Ownership.of(vertx).localNode() + "/" + UUID.randomUUID();
    dispatchers = config.webhooks().stream().map(endpoint -> new WebhookDispatcher(vertx, endpoint, config, store, claimant)).toList();
    // retries come due with time alone; poll at least every second, faster when the backoff is short
    vertx.setPeriodic(Math.max(10, Math.min(MAX_POLL_MS, config.backoffBaseMs())), id -> pollDeliveries());
    vertx.setPeriodic(config.lifecycleSweepSeconds() * 1000L, id -> sweep());
    updates = vertx.eventBus().localConsumer(Addresses.SESSION_UPDATED, this::onUpdate);
    pollDeliveries();
    return updates.completion()
        .compose(v -> vertx.eventBus().<SessionDeletion>localConsumer(Addresses.DELETE_SESSION_CHECKPOINTS, this::delete).completion())
        .compose(v -> vertx.eventBus().<DeliveryRetry>localConsumer(Addresses.RETRY_DELIVERY, this::retry).completion())
        .compose(v -> vertx.eventBus().<HookDelivery>localConsumer(Addresses.HOOK_ANSWER, this::answerHook).completion())
        .compose(v -> hideForeignErrors())
        .compose(v -> budgets.define())
        .onSuccess(v -> LOG.info("event=checkpoint_started webhook_endpoints={}", dispatchers.size()));
  }

  /** Errors recorded by an earlier version may name an endpoint's URL: the deliveries API must never show them. */
  private Future<Void> hideForeignErrors() {
    return store.replaceForeignErrors(WebhookAttempt.FIXED_REASONS, WebhookAttempt.NUMBERED_REASONS, EARLIER_ERROR)
        .onSuccess(replaced -> {
          if (replaced > 0) {
            LOG.info("event=webhook_errors_hidden deliveries={}", replaced);
          }
        })
        .mapEmpty();
  }

  @Override
  public Future<?> stop() {
    return updates.unregister()
        .eventually(() -> assessments.drained())
        .eventually(() -> Future.join(dispatchers.stream().map(WebhookDispatcher::close).toList()))
        .eventually(() -> pool.close());
  }

  private void onUpdate(Message<SessionsUpdated> message) {
    message.body().sessions().forEach(assessments::updated);
  }

  /** Deleted between batches, what waits for the sessions dropped: no update of theirs writes their level back after. */
  private void delete(Message<SessionDeletion> message) {
    List<String> ids = message.body().sessionIds();
    assessments.alone(ids, () -> store.deleteSessions(ids))
        .onSuccess(message::reply)
        .onFailure(error -> {
          LOG.warn("event=checkpoint_delete_failed sessions={} reason=\"{}\"", ids.size(), error.getMessage());
          message.fail(StoreFailure.UNAVAILABLE.code, "the database did not delete the sessions' checkpoints; nothing was deleted");
        });
  }

  /** Puts a delivery back in the outbox's queue and wakes the dispatchers; answers the delivery, or why not. */
  private void retry(Message<DeliveryRetry> message) {
    store.retry(message.body().id())
        .onSuccess(message::reply)
        .onSuccess(delivery -> pollDeliveries())
        .onFailure(error -> {
          if (error instanceof ReplyException refused) {
            message.fail(refused.failureCode(), refused.getMessage());
          } else {
            LOG.warn("event=delivery_retry_failed reason=\"{}\"", error.getMessage());
            message.fail(StoreFailure.UNAVAILABLE.code, "the database did not put the webhook delivery back in the queue; retry later");
          }
        });
  }

  /**
   * Answers a stored hook delivery: a session starting again after a compaction or resume gets
   * the state of its conversation (the session it continues, when it names one); anything else,
   * or a failure to read, gets nothing (the receiver then answers {@code {}}).
   */
  private void answerHook(Message<HookDelivery> message) {
    HookDelivery delivery = message.body();
    if (!ReloadedContext.wanted(delivery)) {
      message.reply(HookAnswer.NONE);
      return;
    }
    String source = delivery.attributes().getString("source");
    store.summary(delivery.sessionId())
        .compose(own -> own == null || own.lifecycle().predecessorId() == null ? Future.succeededFuture(own)
            : store.summary(own.lifecycle().predecessorId()).map(predecessor -> predecessor != null ? predecessor : own))
        .compose(summary -> summary == null ? Future.succeededFuture(HookAnswer.NONE)
            : store.lastCheckpoint(summary.sessionId()).map(checkpoint -> ReloadedContext.answer(source, summary, checkpoint)))
        .onSuccess(message::reply)
        .onFailure(error -> {
          LOG.warn("event=hook_answer_failed session_id={} reason=\"{}\"", delivery.sessionId(), error.getMessage());
          message.reply(HookAnswer.NONE);
        });
  }

  /**
   * Time alone moves active sessions to idle, and idle and waiting ones to stale; the sweep finds
   * them in the database. With several nodes on one database one sweeps at a time: the pass holds
   * {@link AdvisoryLocks#LIFECYCLE_SWEEP} until what it found is applied, and a node that does not
   * get the lock skips its pass. A pass still running when the next is due is not doubled.
   */
  private void sweep() {
    if (sweeping) {
      return;
    }
    sweeping = true;
    AdvisoryLocks.whileHeld(pool, AdvisoryLocks.LIFECYCLE_SWEEP, lock -> sweepPass())
        .onSuccess(pass -> Meters.registry().counter("contextwatch_lifecycle_sweeps_total", "outcome",
            pass.isPresent() ? "ran" : "skipped").increment())
        .onSuccess(pass -> pass.ifPresentOrElse(swept -> LOG.debug("event=lifecycle_sweep_done sessions={}", swept),
            () -> LOG.debug("event=lifecycle_sweep_skipped reason=\"another node holds the sweep lock\"")))
        .onFailure(e -> LOG.warn("event=lifecycle_sweep_failed reason=\"{}\"", e.getMessage()))
        .onComplete(v -> sweeping = false);
  }

  /** Finds the quiet sessions and waits until their changes are applied; answers how many it found. */
  private Future<Integer> sweepPass() {
    Instant now = Instant.now();
    return store.quiet(now.minus(Duration.ofMinutes(sessions.activeMinutes())), now.minus(Duration.ofMinutes(sessions.idleMinutes())))
        .compose(quiet -> Future.join(quiet.stream().map(q -> assessments.swept(q.summary(), statusNow(q.summary(), now))).toList())
            .map(applied -> quiet.size()));
  }

  private SessionStatus statusNow(SessionSummary summary, Instant now) {
    SessionSummary.Waiting waiting = summary.waiting();
    return SessionStatus.of(summary.identity().lastReceivedAt(), null, waiting == null ? null : waiting.since(), now, sessions);
  }

  /** Publishes what a committed change did: status, level changes, checkpoints; and wakes the dispatchers. */
  private void announce(CheckpointStore.Change change, List<JsonObject> checkpoints) {
    Transition t = change.transition();
    SessionSummary summary = change.summary();
    Instant now = Instant.now();
    if (t.statusChanged()) {
      vertx.eventBus().publish(Addresses.SESSION_STATUS, new SessionStatusChanged(summary.sessionId(), summary.project(),
          summary.runId(), summary.synthetic(), t.statusBefore(), t.statusAfter(), now));
    }
    t.changes().forEach(level -> vertx.eventBus().publish(Addresses.CONTEXT_LEVEL,
        ContextLevelChanged.of(summary, level.from().label(), level.to().label(), t.after().epoch(), now)));
    checkpoints.forEach(checkpoint -> vertx.eventBus().publish(Addresses.CHECKPOINT_CREATED, checkpoint));
    if (!change.notifications().isEmpty()) {
      pollDeliveries();
    }
  }

  /** Publishes committed budget crossings for the live feed and wakes the dispatchers for their deliveries. */
  private void announceBudgets(List<BudgetCrossed> crossed) {
    crossed.forEach(crossing -> vertx.eventBus().publish(Addresses.BUDGET_CROSSED, crossing));
    pollDeliveries();
  }

  private void pollDeliveries() {
    dispatchers.forEach(WebhookDispatcher::poll);
  }
}
