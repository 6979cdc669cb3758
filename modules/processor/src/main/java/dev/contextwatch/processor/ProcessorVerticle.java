package dev.contextwatch.processor;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.contextwatch.core.bus.Addresses;
import dev.contextwatch.core.bus.KeySequencer;
import dev.contextwatch.core.bus.LocalCodec;
import dev.contextwatch.core.bus.StoreFailure;
import dev.contextwatch.core.cluster.Ownership;
import dev.contextwatch.core.cluster.WireCodecs;
import dev.contextwatch.core.config.DatabaseConfig;
import dev.contextwatch.core.config.SessionConfig;
import dev.contextwatch.core.db.DatabasePool;
import dev.contextwatch.core.db.Databases;
import dev.contextwatch.core.metrics.Meters;
import dev.contextwatch.core.model.DeletedRows;
import dev.contextwatch.core.model.IngestOutcome;
import dev.contextwatch.core.model.Models;
import dev.contextwatch.core.model.RecordBatch;
import dev.contextwatch.core.model.SessionDeletion;
import dev.contextwatch.core.model.StoreBatch.SeriesState;
import dev.contextwatch.core.model.StoreBatch;
import dev.contextwatch.core.model.StoreOutcome;
import dev.contextwatch.core.summary.CloseSession;
import dev.contextwatch.core.summary.SessionSummary;
import dev.contextwatch.core.summary.SessionsUpdated;
import dev.contextwatch.processor.source.SourceAdapters;
import io.micrometer.core.instrument.Gauge;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.sqlclient.Pool;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Between the receiver and persistence: drops records already stored, converts cumulative sums to
 * deltas, and keeps every session's totals and context. A batch is processed from committed state
 * only (batches touching the same session or series run one after the other), and its state
 * changes are kept only once persistence confirmed the commit; on failure the touched state is
 * dropped from memory and read back from PostgreSQL next time. PostgreSQL has the last word on
 * what is new: when it finds part of a batch already stored, or a session row changed since it was
 * read (a batch answered 503 after a time-out that committed later), the batch is computed again
 * from the state read back, without what is stored, so totals always equal the stored rows.
 */
public final class ProcessorVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ProcessorVerticle.class);
  /** Exporters give up retrying within seconds; keys stored this recently are reloaded at start. */
  private static final int DEDUP_WARM_MINUTES = 10;
  /** Computations of one batch before giving up with 503: each conflict means another commit landed meanwhile. */
  private static final int MAX_ATTEMPTS = 5;

  private final SessionConfig config;
  private final DatabaseConfig database;
  private final KeySequencer sequencer = new KeySequencer();
  private final SourceAdapters adapters = SourceAdapters.known();
  private Pool pool;
  private StateLoader loader;
  private SessionProcessor processor;
  private Cache<String, SessionState> sessions;
  private Cache<String, HeldSeries> series;
  private StoredKeys storedKeys;

  public ProcessorVerticle(SessionConfig config, DatabaseConfig database) {
    this.config = config;
    this.database = database;
  }

  @Override
  public Future<?> start() {
    LocalCodec.registerAll(vertx);
    pool = Databases.pool(vertx, database, DatabasePool.PROCESSOR);
    loader = new StateLoader(pool, config.maxKeysPerSession());
    processor = new SessionProcessor(Models.load(config.modelsFile()),
        new SessionAttributes(config.runIdAttribute(), config.parentSessionAttribute()), config.maxKeysPerSession(),
        config.compactionThresholds());
    sessions = Caffeine.newBuilder().maximumSize(config.maxSessionsInMemory()).build();
    series = Caffeine.newBuilder().maximumSize(config.maxSessionsInMemory() * 20L).build();
    storedKeys = new StoredKeys(config.dedupCacheRecords());
    Gauge.builder("contextwatch_sessions_in_memory", sessions, Cache::estimatedSize).register(Meters.registry());
    return loader.projectCompactions()
        .onSuccess(found -> found.forEach(c -> processor.learn(c.project(), c.model(), c.clientVersion(), c.preTokens())))
        .compose(found -> loader.recentKeys(DEDUP_WARM_MINUTES))
        .onSuccess(storedKeys::addAll)
        .compose(keys -> vertx.eventBus().<RecordBatch>localConsumer(Addresses.INGEST, this::ingest).completion().map(keys.size()))
        .compose(warm -> vertx.eventBus().<CloseSession>localConsumer(Addresses.SESSION_CLOSE, this::close).completion().map(warm))
        .compose(warm -> vertx.eventBus().<SessionDeletion>localConsumer(Addresses.EVICT_SESSIONS, this::evict).completion().map(warm))
        .compose(warm -> vertx.eventBus().localConsumer(Addresses.OWNERSHIP_CHANGED, this::ownershipChanged).completion().map(warm))
        .compose(this::listenAsOwner)
        .onSuccess(warm -> LOG.info("event=processor_started dedup_keys_warmed={} max_sessions={}", warm, config.maxSessionsInMemory()));
  }

  @Override
  public Future<?> stop() {
    return pool.close();
  }

  /**
   * Cluster mode: this node's clustered addresses, where receivers of every node send the parts of
   * requests whose sessions it owns, and closes; and the deletions of any node, whose sessions it
   * forgets (ownership moving is {@link #ownershipChanged}'s, on every node).
   */
  private Future<Integer> listenAsOwner(int warm) {
    Ownership ownership = Ownership.of(vertx);
    if (!ownership.clustered()) {
      return Future.succeededFuture(warm);
    }
    WireCodecs.registerAll(vertx);
    String node = ownership.localNode();
    return Future.all(List.of(
            vertx.eventBus().<RecordBatch>consumer(Addresses.ingestOn(node), this::ingestPart).completion(),
            vertx.eventBus().<CloseSession>consumer(Addresses.closeOn(node), this::closeForNode).completion(),
            vertx.eventBus().<SessionDeletion>consumer(Addresses.SESSIONS_DELETED, this::forgetDeleted).completion()))
        .map(warm);
  }

  private void ingest(Message<RecordBatch> message) {
    apply(message.body())
        .onSuccess(message::reply)
        .onFailure(error -> fail(message, error));
  }

  /**
   * A part of a request another node's receiver sent, applied exactly as a local batch and never
   * sent on: while ownership moves two nodes may apply one session, and the fence (the session row's
   * version, checked in the commit) makes the later one compute again from what the first stored.
   */
  private void ingestPart(Message<RecordBatch> message) {
    apply(message.body())
        .onSuccess(outcome -> message.reply(outcome, WireCodecs.INGEST_OUTCOME.options()))
        .onFailure(error -> fail(message, error));
  }

  private Future<IngestOutcome> apply(RecordBatch batch) {
    BatchRecords records = BatchRecords.of(batch, adapters);
    // what is already stored is decided only once earlier batches on the same keys have committed:
    // a retry sent while its original is still in flight must find the original's keys
    return sequencer.run(records.lockKeys(), () -> storeNew(records, new Attempts()));
  }

  /** What earlier computations of one batch learnt: keys PostgreSQL already had, records that could not be applied. */
  private static final class Attempts {
    final Set<String> alreadyStored = new HashSet<>();
    final Set<String> unappliable = new HashSet<>();
    int made;

    boolean last() {
      return made >= MAX_ATTEMPTS;
    }
  }

  /**
   * Plans, applies and stores the batch from committed state. When a record cannot be applied, or
   * PostgreSQL answers that part of the batch is stored already or its sessions changed since they
   * were read, what was computed is dropped and the batch computed again from the state read back
   * from PostgreSQL, without those records: all within the batch's turn in the sequencer.
   */
  private Future<IngestOutcome> storeNew(BatchRecords batch, Attempts attempts) {
    attempts.made++;
    BatchPlan plan = batch.plan(key -> attempts.alreadyStored.contains(key) || storedKeys.contains(key), attempts.unappliable);
    return load(plan).compose(state -> {
      SessionProcessor.Outcome outcome = processor.apply(plan, state.sessions(), state.series(), Instant.now());
      if (!outcome.failed().isEmpty() && !attempts.last()) {
        forget(outcome);
        attempts.unappliable.addAll(outcome.failed());
        return storeNew(batch, attempts);
      }
      return store(outcome).compose(reply -> reply.committed()
          ? Future.succeededFuture(committed(plan, outcome, state.started()))
          : again(batch, attempts, outcome, reply));
    });
  }

  private Future<IngestOutcome> again(BatchRecords batch, Attempts attempts, SessionProcessor.Outcome outcome,
      StoreOutcome conflict) {
    forget(outcome);
    storedKeys.addStored(conflict.alreadyStored(), batch.source);
    attempts.alreadyStored.addAll(conflict.alreadyStored());
    if (attempts.last()) {
      return Future.failedFuture(unavailable("its sessions changed again each time it was about to be stored"));
    }
    return storeNew(batch, attempts);
  }

  private Future<StoreOutcome> store(SessionProcessor.Outcome outcome) {
    if (outcome.store().size() == 0) {
      return Future.succeededFuture(StoreOutcome.COMMITTED);
    }
    return vertx.eventBus().<StoreOutcome>request(Addresses.STORE, outcome.store(), storeOptions())
        .map(Message::body)
        .onFailure(error -> forget(outcome));
  }

  private IngestOutcome committed(BatchPlan plan, SessionProcessor.Outcome outcome, List<String> started) {
    sessions.invalidateAll(outcome.damaged());
    outcome.sessions().values().forEach(state -> state.version++);
    sessions.putAll(outcome.sessions());
    outcome.series().forEach((key, state) -> series.put(key, held(state)));
    RecordBatch stored = outcome.records();
    storedKeys.addAll(stored, outcome.sessions());
    Meters.registry().counter("contextwatch_records_deduplicated_total", "signal",
        plan.source.signal().name().toLowerCase(Locale.ROOT)).increment(plan.duplicates);
    publish(outcome.summaries(), started);
    outcome.summaries().forEach(processor::learn);
    if (stored.size() > 0) {
      vertx.eventBus().publish(Addresses.RECORDS_COMMITTED, stored);
    }
    Refusals refusals = new Refusals();
    refusals.addAll(plan.refusals);
    refusals.add(Refusals.NOT_APPLICABLE, outcome.unapplied());
    return refusals.outcome();
  }

  /** The commit failed or conflicted: what this batch changed in memory is not true, so read it back next time. */
  private void forget(SessionProcessor.Outcome outcome) {
    sessions.invalidateAll(outcome.sessions().keySet());
    sessions.invalidateAll(outcome.damaged());
    series.invalidateAll(outcome.series().keySet());
  }

  /** The committed state a plan starts from: from memory, else read back from PostgreSQL. */
  private record Loaded(Map<String, SessionState> sessions, Map<String, SeriesState> series, List<String> started) {}

  private Future<Loaded> load(BatchPlan plan) {
    Map<String, SessionState> batchSessions = new HashMap<>();
    Map<String, SeriesState> batchSeries = new HashMap<>();
    return loadInto(plan.sessionIds, sessions, loader::sessions, batchSessions)
        .compose(v -> loadSeries(plan.seriesKeys, batchSessions, batchSeries))
        .map(v -> new Loaded(batchSessions, batchSeries,
            plan.sessionIds.stream().filter(id -> !batchSessions.containsKey(id)).toList()));
  }

  /**
   * A series' state as of the version of its session's row it was committed with. It is true only
   * beside that version: a series changes only in a commit that also writes its session's row (whose
   * version that commit checks), so when the session was read back at another version (another node
   * applied it meanwhile, cluster mode) the series is read back too.
   */
  private record HeldSeries(SeriesState state, long sessionVersion) {}

  private HeldSeries held(SeriesState state) {
    SessionState session = sessions.getIfPresent(state.sessionId());
    return new HeldSeries(state, session == null ? -1 : session.version);
  }

  private Future<Void> loadSeries(Set<String> keys, Map<String, SessionState> batchSessions, Map<String, SeriesState> into) {
    List<String> missing = keys.stream().filter(key -> {
      HeldSeries held = series.getIfPresent(key);
      SessionState session = held == null ? null : batchSessions.get(held.state().sessionId());
      if (session != null && session.version == held.sessionVersion()) {
        into.put(key, held.state());
        return false;
      }
      return true;
    }).toList();
    return loader.series(missing).map(found -> {
      into.putAll(found);
      return null;
    });
  }

  private static <T> Future<Void> loadInto(Set<String> keys, Cache<String, T> cache,
      java.util.function.Function<List<String>, Future<Map<String, T>>> read, Map<String, T> into) {
    List<String> missing = keys.stream().filter(key -> {
      T cached = cache.getIfPresent(key);
      if (cached != null) {
        into.put(key, cached);
      }
      return cached == null;
    }).toList();
    return read.apply(missing).map(found -> {
      into.putAll(found);
      return null;
    });
  }

  private void close(Message<CloseSession> message) {
    close(message, new DeliveryOptions());
  }

  /** A close the API of any node sent to this node, the session's owner. */
  private void closeForNode(Message<CloseSession> message) {
    close(message, WireCodecs.SESSION_SUMMARY.options());
  }

  private void close(Message<CloseSession> message, DeliveryOptions replyOptions) {
    String id = message.body().sessionId();
    if (id == null) {
      message.fail(400, "sessionId missing");
      return;
    }
    sequencer.run(List.of("session:" + id), () -> closeSession(id, 1))
        .onSuccess(summary -> message.reply(summary, replyOptions))
        .onFailure(error -> fail(message, error));
  }

  private Future<SessionSummary> closeSession(String id, int attempt) {
    SessionState cached = sessions.getIfPresent(id);
    Future<SessionState> state = cached != null ? Future.succeededFuture(cached)
        : loader.sessions(List.of(id)).map(found -> found.get(id));
    return state.compose(session -> {
      if (session == null) {
        return Future.failedFuture(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 404, "no session " + id));
      }
      if (session.closedAt == null) {
        session.closedAt = Instant.now();
      }
      SessionSummary summary = processor.summary(session);
      StoreBatch batch = StoreBatch.sessions(List.of(SessionSummaries.toRow(summary, session.version)));
      return vertx.eventBus().<StoreOutcome>request(Addresses.STORE, batch, storeOptions())
          .onFailure(error -> sessions.invalidate(id))
          .compose(reply -> {
            if (!reply.body().committed()) {
              sessions.invalidate(id);
              return attempt < MAX_ATTEMPTS ? closeSession(id, attempt + 1)
                  : Future.failedFuture(unavailable("the session changed again each time it was about to be closed"));
            }
            session.version++;
            sessions.put(id, session);
            publish(List.of(summary), List.of());
            return Future.succeededFuture(summary);
          });
    });
  }

  /**
   * Forgets deleted sessions (their rows are gone already): their state, their metric series and
   * the dedup keys of their records, in the sessions' turn, so no batch of theirs is half-way
   * through meanwhile. A session that sends again starts afresh from PostgreSQL.
   */
  private void evict(Message<SessionDeletion> message) {
    forgetInTurn(message.body())
        .onSuccess(message::reply)
        .onFailure(error -> fail(message, error));
  }

  /** Cluster mode: sessions deleted through any node's API; their owner may be this node. */
  private void forgetDeleted(Message<SessionDeletion> message) {
    forgetInTurn(message.body())
        .onFailure(error -> LOG.warn("event=deleted_sessions_not_forgotten reason=\"{}\"", error.toString()));
  }

  private Future<DeletedRows> forgetInTurn(SessionDeletion deletion) {
    Set<String> ids = Set.copyOf(deletion.sessionIds());
    return sequencer.run(ids.stream().map(id -> "session:" + id).toList(), () -> forgetSessions(ids));
  }

  /** The sessions go at once; their series and keys are found by scanning every one held, off the event loop. */
  private Future<DeletedRows> forgetSessions(Set<String> ids) {
    long inMemory = ids.stream().filter(id -> sessions.getIfPresent(id) != null).count();
    sessions.invalidateAll(ids);
    return vertx.executeBlocking(() -> {
      AtomicLong seriesForgotten = new AtomicLong();
      series.asMap().values().removeIf(s -> ids.contains(s.state().sessionId()) && seriesForgotten.incrementAndGet() > 0);
      Map<String, Long> counts = new LinkedHashMap<>();
      counts.put("sessions", inMemory);
      counts.put("series", seriesForgotten.get());
      counts.put("dedupKeys", storedKeys.forget(ids));
      return new DeletedRows(counts);
    });
  }

  /**
   * Cluster mode: sessions may have moved here from a node whose commits this state does not know,
   * or away and back. Their state and series are read back from PostgreSQL when they next send; the
   * dedup keys stay (each was committed, wherever the session is applied now). A batch in flight
   * meanwhile is fenced by its sessions' versions (docs/architecture.md, "Totals equal rows").
   */
  private void ownershipChanged(Message<Object> message) {
    LOG.info("event=ownership_changed sessions_dropped={} series_dropped={}", sessions.estimatedSize(), series.estimatedSize());
    sessions.invalidateAll();
    series.invalidateAll();
    Meters.registry().counter("contextwatch_ownership_changes_total").increment();
  }

  private DeliveryOptions storeOptions() {
    return new DeliveryOptions().setSendTimeout(config.processorStoreTimeoutMs());
  }

  private void publish(List<SessionSummary> summaries, List<String> started) {
    if (!summaries.isEmpty()) {
      vertx.eventBus().publish(Addresses.SESSION_UPDATED, new SessionsUpdated(List.copyOf(summaries), List.copyOf(started)));
    }
  }

  private static ReplyException unavailable(String why) {
    return new ReplyException(ReplyFailure.RECIPIENT_FAILURE, StoreFailure.UNAVAILABLE.code, why);
  }

  /**
   * Passes persistence's failure code and words on, so the receiver still answers 429 or 503 as
   * appropriate; anything else is said in the client's terms, the details going to the log.
   */
  private void fail(Message<?> message, Throwable error) {
    if (error instanceof ReplyException reply && reply.failureType() == ReplyFailure.RECIPIENT_FAILURE) {
      message.fail(reply.failureCode(), reply.getMessage());
    } else if (error instanceof ReplyException reply && reply.failureType() == ReplyFailure.TIMEOUT) {
      message.fail(StoreFailure.UNAVAILABLE.code,
          "the database did not confirm the commit within " + config.processorStoreTimeoutMs() + " ms");
    } else {
      LOG.warn("event=processing_failed reason=\"{}\"", error.toString());
      message.fail(StoreFailure.UNAVAILABLE.code, "the sessions' state could not be read from the database");
    }
  }
}
