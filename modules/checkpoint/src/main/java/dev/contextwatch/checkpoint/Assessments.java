package dev.contextwatch.checkpoint;

import dev.contextwatch.checkpoint.CheckpointStore.Change;
import dev.contextwatch.core.config.CheckpointConfig;
import dev.contextwatch.core.db.Databases;
import dev.contextwatch.core.model.SessionStatus;
import dev.contextwatch.core.summary.BudgetCrossed;
import dev.contextwatch.core.summary.SessionSummary;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sessions waiting to be assessed, each with its summaries in the order they came (or the status
 * the lifecycle sweep found), drained in batches: one batch at a time, the oldest summary of up to
 * {@link #BATCH} sessions per transaction, so one session's updates apply in order (a level crossed
 * on the way is announced even when the next summary is already waiting) and a burst of a thousand
 * updates costs a few commits instead of a thousand connections waited for. A batch that fails stays waiting and is
 * tried again after a backoff: a slow or briefly unreachable database delays announcements, it
 * never loses them. A batch the database refuses for its data is applied session by session, and a
 * session refused alone is logged and dropped. Confined to the checkpoint verticle's event loop.
 */
final class Assessments {
  private static final Logger LOG = LoggerFactory.getLogger(Assessments.class);
  static final int BATCH = 200;
  /** Summaries kept per session while the database is behind; beyond it the newest replaces the last one waiting. */
  static final int PER_SESSION = 16;
  private static final long FIRST_BACKOFF_MS = 250;
  private static final long MAX_BACKOFF_MS = 30_000;

  /**
   * What waits for one session: its newest summary, and the status the sweep found with the promise
   * its pass waits on (both null for an update).
   */
  private record Work(SessionSummary summary, SessionStatus sweptStatus, Promise<Void> swept) {
    /** Tells the sweep this work is done with: applied, or given up. */
    void done() {
      if (swept != null) {
        swept.tryComplete();
      }
    }
  }

  private final Vertx vertx;
  private final CheckpointStore store;
  private final CheckpointConfig config;
  /** Publishes a change once committed, with the checkpoints it created. */
  private final BiConsumer<Change, List<JsonObject>> announce;
  private final BudgetLedger budgets;
  /** Publishes the budget crossings once committed. */
  private final Consumer<List<BudgetCrossed>> budgetsCrossed;
  private final Map<String, ArrayDeque<Work>> waiting = new LinkedHashMap<>();
  /** Work that runs on its own between batches (a deletion), before the next batch. */
  private final ArrayDeque<Runnable> between = new ArrayDeque<>();
  private boolean draining;
  private long backoffMs;
  private long retryTimer = -1;
  private Promise<Void> idle;

  Assessments(Vertx vertx, CheckpointStore store, CheckpointConfig config, BiConsumer<Change, List<JsonObject>> announce,
      BudgetLedger budgets, Consumer<List<BudgetCrossed>> budgetsCrossed) {
    this.vertx = vertx;
    this.store = store;
    this.config = config;
    this.announce = announce;
    this.budgets = budgets;
    this.budgetsCrossed = budgetsCrossed;
  }

  /** A new summary, assessed after those already waiting for its session. */
  void updated(SessionSummary summary) {
    ArrayDeque<Work> queue = waiting.computeIfAbsent(summary.sessionId(), id -> new ArrayDeque<>());
    if (queue.size() >= PER_SESSION) {
      queue.pollLast().done();
    }
    queue.addLast(new Work(summary, null, null));
    drain();
  }

  /**
   * Time alone changed a session's status; an update still waiting for it says more and wins.
   * Completes once the change is applied or has nothing left to do.
   */
  Future<Void> swept(SessionSummary summary, SessionStatus status) {
    if (waiting.containsKey(summary.sessionId())) {
      return Future.succeededFuture();
    }
    Work work = new Work(summary, status, Promise.promise());
    waiting.put(summary.sessionId(), new ArrayDeque<>(List.of(work)));
    drain();
    return work.swept().future();
  }

  /**
   * Runs {@code work} on its own between two batches, first dropping what waits for
   * {@code sessionIds}: no assessment of theirs can then write their level back after it.
   */
  <T> Future<T> alone(Collection<String> sessionIds, Supplier<Future<T>> work) {
    sessionIds.forEach(id -> {
      ArrayDeque<Work> dropped = waiting.remove(id);
      if (dropped != null) {
        dropped.forEach(Work::done);
      }
    });
    Promise<T> done = Promise.promise();
    between.addLast(() -> work.get().onComplete(done).onComplete(result -> {
      draining = false;
      drain();
    }));
    drain();
    return done.future();
  }

  /**
   * Completes once nothing waits, for a clean stop. With the database unreachable it completes at
   * once: what still waits is then given up, as on a crash, and logged.
   */
  Future<Void> drained() {
    if (waiting.isEmpty() && !draining) {
      return Future.succeededFuture();
    }
    idle = Promise.promise();
    if (retryTimer >= 0) {
      abandon();
    }
    return idle.future();
  }

  private void drain() {
    if (draining) {
      return;
    }
    Runnable next = between.pollFirst();
    if (next != null) {
      draining = true;
      next.run();
      return;
    }
    if (retryTimer >= 0) {
      return;
    }
    if (waiting.isEmpty()) {
      if (idle != null) {
        idle.tryComplete();
      }
      return;
    }
    Map<String, Work> batch = take();
    draining = true;
    assess(batch).onComplete(done -> {
      draining = false;
      if (done.succeeded()) {
        backoffMs = 0;
        batch.values().forEach(Work::done);
      } else {
        putBack(batch);
        retryLater(done.cause());
        if (idle != null) {
          abandon();
        }
      }
      drain();
    });
  }

  private void abandon() {
    LOG.warn("event=checkpoint_assessments_abandoned sessions={}", waiting.size());
    waiting.values().forEach(queue -> queue.forEach(Work::done));
    idle.tryComplete();
  }

  /** The oldest work of up to {@link #BATCH} sessions. */
  private Map<String, Work> take() {
    Map<String, Work> batch = new LinkedHashMap<>();
    Iterator<Map.Entry<String, ArrayDeque<Work>>> it = waiting.entrySet().iterator();
    while (it.hasNext() && batch.size() < BATCH) {
      Map.Entry<String, ArrayDeque<Work>> next = it.next();
      batch.put(next.getKey(), next.getValue().pollFirst());
      if (next.getValue().isEmpty()) {
        it.remove();
      }
    }
    return batch;
  }

  /** A failed batch goes back in front of what arrived for its sessions meanwhile. */
  private void putBack(Map<String, Work> batch) {
    batch.forEach((id, work) -> waiting.computeIfAbsent(id, key -> new ArrayDeque<>()).addFirst(work));
  }

  private void retryLater(Throwable cause) {
    if (backoffMs == 0) {
      LOG.warn("event=checkpoint_failed sessions_waiting={} reason=\"{}\"", waiting.size(), cause.getMessage());
    }
    backoffMs = backoffMs == 0 ? FIRST_BACKOFF_MS : Math.min(MAX_BACKOFF_MS, backoffMs * 2);
    retryTimer = vertx.setTimer(backoffMs, id -> {
      retryTimer = -1;
      drain();
    });
  }

  /**
   * Levels first, then budgets, each in its own transaction: a batch tried again after the budgets
   * failed finds its levels already written (nothing changes, nothing is announced twice), and the
   * budgets count only what they have not counted.
   */
  private Future<Void> assess(Map<String, Work> batch) {
    return store.levels(batch.keySet())
        .compose(levels -> applyLevels(changes(batch, levels)))
        .compose(v -> countBudgets(batch));
  }

  private Future<Void> applyLevels(List<Change> changes) {
    if (changes.isEmpty()) {
      return Future.succeededFuture();
    }
    return store.apply(changes, config.webhooks())
        .map(created -> announceAll(changes, created))
        .recover(error -> Databases.refusedData(error) && changes.size() > 1 ? oneByOne(changes) : Future.failedFuture(error));
  }

  private Future<Void> countBudgets(Map<String, Work> batch) {
    List<SessionSummary> updates = batch.values().stream().filter(work -> work.sweptStatus() == null).map(Work::summary).toList();
    return budgets.count(updates, config.webhooks())
        .map(crossed -> {
          if (!crossed.isEmpty()) {
            budgetsCrossed.accept(crossed);
          }
          return null;
        });
  }

  private List<Change> changes(Map<String, Work> batch, Map<String, LevelState> levels) {
    Instant now = Instant.now();
    List<Change> changes = new ArrayList<>();
    batch.forEach((id, work) -> {
      LevelState before = levels.get(id);
      Transition t = work.sweptStatus() == null
          ? Transition.of(before, work.summary(), config.levelsFor(work.summary().project()))
          : before == null ? null : Transition.status(before, work.sweptStatus());
      List<Notification> quota = t == null || work.sweptStatus() != null ? List.of()
          : Notification.quota(t, work.summary(), config.quotaWarningPercent(), now);
      if (t != null && (t.changesAnything() || !quota.isEmpty())) {
        List<Notification> notifications = new ArrayList<>(Notification.of(t, work.summary(), now));
        notifications.addAll(quota);
        changes.add(new Change(t, work.summary(), notifications));
      }
    });
    return changes;
  }

  private Void announceAll(List<Change> changes, List<List<JsonObject>> created) {
    for (int i = 0; i < changes.size(); i++) {
      announce.accept(changes.get(i), created.get(i));
    }
    return null;
  }

  /** The database refused the batch's data: each session alone, so one bad session holds back no other. */
  private Future<Void> oneByOne(List<Change> changes) {
    Future<Void> chain = Future.succeededFuture();
    for (Change change : changes) {
      chain = chain.compose(v -> store.apply(List.of(change), config.webhooks())
          .map(created -> announceAll(List.of(change), created))
          .recover(error -> dropIfRefused(change, error)));
    }
    return chain;
  }

  private static Future<Void> dropIfRefused(Change change, Throwable error) {
    if (!Databases.refusedData(error)) {
      return Future.failedFuture(error);
    }
    LOG.warn("event=checkpoint_refused session={} reason=\"{}\"", change.transition().after().sessionId(), error.getMessage());
    return Future.succeededFuture();
  }
}
