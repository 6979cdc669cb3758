package dev.contextwatch.processor;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.contextwatch.core.bus.Addresses;
import dev.contextwatch.core.bus.LocalCodec;
import dev.contextwatch.core.bus.StoreFailure;
import dev.contextwatch.core.config.DatabaseConfig;
import dev.contextwatch.core.bus.KeySequencer;
import dev.contextwatch.core.config.SessionConfig;
import dev.contextwatch.core.db.Databases;
import dev.contextwatch.core.metrics.Meters;
import io.micrometer.core.instrument.Gauge;
import dev.contextwatch.core.model.Models;
import dev.contextwatch.core.model.RecordBatch;
import dev.contextwatch.core.model.Signal;
import dev.contextwatch.core.model.StoreBatch;
import dev.contextwatch.core.model.StoreBatch.SeriesState;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Between the receiver and persistence: drops records already stored, converts cumulative sums to
 * deltas, and keeps every session's totals and context. A batch is processed from committed state
 * only (batches touching the same session or series run one after the other), and its state
 * changes are kept only once persistence confirmed the commit; on failure the touched state is
 * dropped from memory and read back from PostgreSQL next time.
 */
public final class ProcessorVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ProcessorVerticle.class);
  /** Exporters give up retrying within seconds; keys stored this recently are reloaded at start. */
  private static final int DEDUP_WARM_MINUTES = 10;

  private final SessionConfig config;
  private final DatabaseConfig database;
  private final KeySequencer sequencer = new KeySequencer();
  private Pool pool;
  private StateLoader loader;
  private SessionProcessor processor;
  private Cache<String, SessionState> sessions;
  private Cache<String, SeriesState> series;
  private Cache<String, Boolean> storedKeys;

  public ProcessorVerticle(SessionConfig config, DatabaseConfig database) {
    this.config = config;
    this.database = database;
  }

  @Override
  public Future<?> start() {
    LocalCodec.registerAll(vertx);
    pool = Databases.pool(vertx, database, 2);
    loader = new StateLoader(pool);
    processor = new SessionProcessor(Models.load(config.modelsFile()),
        new SessionAttributes(config.runIdAttribute(), config.parentSessionAttribute()));
    sessions = Caffeine.newBuilder().maximumSize(config.maxSessionsInMemory()).build();
    series = Caffeine.newBuilder().maximumSize(config.maxSessionsInMemory() * 20L).build();
    storedKeys = Caffeine.newBuilder().maximumSize(config.dedupCacheRecords()).expireAfterWrite(Duration.ofHours(1)).build();
    Gauge.builder("contextwatch_sessions_in_memory", sessions, Cache::estimatedSize).register(Meters.registry());
    return loader.recentKeys(DEDUP_WARM_MINUTES)
        .onSuccess(keys -> keys.forEach(key -> storedKeys.put(key, Boolean.TRUE)))
        .compose(keys -> vertx.eventBus().<RecordBatch>consumer(Addresses.INGEST, this::ingest).completion().map(keys.size()))
        .compose(warm -> vertx.eventBus().<JsonObject>consumer(Addresses.SESSION_CLOSE, this::close).completion().map(warm))
        .onSuccess(warm -> LOG.info("event=processor_started dedup_keys_warmed={} max_sessions={}", warm, config.maxSessionsInMemory()));
  }

  @Override
  public Future<?> stop() {
    return pool.close();
  }

  private void ingest(Message<RecordBatch> message) {
    RecordBatch batch = message.body();
    // what is already stored is decided only once earlier batches on the same keys have committed:
    // a retry sent while its original is still in flight must find the original's keys
    sequencer.run(BatchPlan.of(batch, key -> false).lockKeys(), () -> process(deduplicated(batch)))
        .onSuccess(v -> message.reply(null))
        .onFailure(error -> fail(message, error));
  }

  private BatchPlan deduplicated(RecordBatch batch) {
    BatchPlan plan = BatchPlan.of(batch, key -> storedKeys.getIfPresent(key) != null);
    Meters.registry().counter("contextwatch_records_deduplicated_total", "signal",
        batch.signal().name().toLowerCase(Locale.ROOT)).increment(plan.duplicates);
    return plan;
  }

  private Future<Void> process(BatchPlan plan) {
    Map<String, SessionState> batchSessions = new HashMap<>();
    Map<String, SeriesState> batchSeries = new HashMap<>();
    return loadSessions(plan, batchSessions)
        .compose(v -> loadSeries(plan, batchSeries))
        .compose(v -> {
          List<String> started = plan.sessionIds.stream().filter(id -> !batchSessions.containsKey(id)).toList();
          return store(plan, processor.apply(plan, batchSessions, batchSeries, Instant.now()), started);
        });
  }

  private Future<Void> store(BatchPlan plan, SessionProcessor.Outcome outcome, List<String> started) {
    if (outcome.store().size() == 0) {
      return Future.succeededFuture();
    }
    return vertx.eventBus().request(Addresses.STORE, outcome.store(), storeOptions())
        .onSuccess(reply -> committed(plan, outcome, started))
        .onFailure(error -> forget(outcome))
        .mapEmpty();
  }

  private void committed(BatchPlan plan, SessionProcessor.Outcome outcome, List<String> started) {
    sessions.putAll(outcome.sessions());
    series.putAll(outcome.series());
    plan.storedKeys().forEach(key -> storedKeys.put(key, Boolean.TRUE));
    // the rows already carry each summary: publish those instead of building every summary again
    publish(outcome.store().sessions().stream().map(StoreBatch.SessionRow::summary).toList(), started);
    vertx.eventBus().publish(Addresses.RECORDS_COMMITTED, outcome.store().records());
  }

  /** The commit failed: what this batch changed in memory is not true, so read it back next time. */
  private void forget(SessionProcessor.Outcome outcome) {
    sessions.invalidateAll(outcome.sessions().keySet());
    series.invalidateAll(outcome.series().keySet());
  }

  private Future<Void> loadSessions(BatchPlan plan, Map<String, SessionState> into) {
    List<String> missing = plan.sessionIds.stream().filter(id -> {
      SessionState cached = sessions.getIfPresent(id);
      if (cached != null) {
        into.put(id, cached);
      }
      return cached == null;
    }).toList();
    return loader.sessions(missing).map(found -> {
      into.putAll(found);
      return null;
    });
  }

  private Future<Void> loadSeries(BatchPlan plan, Map<String, SeriesState> into) {
    List<String> missing = plan.seriesKeys.stream().filter(key -> {
      SeriesState cached = series.getIfPresent(key);
      if (cached != null) {
        into.put(key, cached);
      }
      return cached == null;
    }).toList();
    return loader.series(missing).map(found -> {
      into.putAll(found);
      return null;
    });
  }

  private void close(Message<JsonObject> message) {
    String id = message.body().getString("sessionId");
    if (id == null) {
      message.fail(400, "sessionId missing");
      return;
    }
    sequencer.run(List.of("session:" + id), () -> closeSession(id))
        .onSuccess(message::reply)
        .onFailure(error -> fail(message, error));
  }

  private Future<JsonObject> closeSession(String id) {
    SessionState cached = sessions.getIfPresent(id);
    Future<SessionState> state = cached != null ? Future.succeededFuture(cached)
        : loader.sessions(List.of(id)).map(found -> found.get(id));
    return state.compose(session -> {
      if (session == null) {
        return Future.failedFuture(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 404,
            "no session " + id));
      }
      if (session.closedAt == null) {
        session.closedAt = Instant.now();
      }
      StoreBatch batch = new StoreBatch(new RecordBatch(Signal.LOGS, List.of(), List.of(),
          List.of(), 0, null), List.of(), List.of(session.toRow(processor.models())), List.of());
      return vertx.eventBus().request(Addresses.STORE, batch, storeOptions())
          .onFailure(error -> sessions.invalidate(id))
          .map(reply -> {
            sessions.put(id, session);
            JsonObject summary = processor.summary(session);
            publish(List.of(summary), List.of());
            return summary;
          });
    });
  }

  private DeliveryOptions storeOptions() {
    return new DeliveryOptions().setSendTimeout(config.processorStoreTimeoutMs());
  }

  private void publish(List<JsonObject> summaries, List<String> started) {
    if (!summaries.isEmpty()) {
      vertx.eventBus().publish(Addresses.SESSION_UPDATED, new JsonObject()
          .put("sessions", new JsonArray(summaries)).put("started", new JsonArray(started)));
    }
  }

  /** Passes persistence's failure code on, so the receiver still answers 429 or 503 as appropriate. */
  private static void fail(Message<?> message, Throwable error) {
    if (error instanceof ReplyException reply && reply.failureType() == ReplyFailure.RECIPIENT_FAILURE) {
      message.fail(reply.failureCode(), reply.getMessage());
    } else {
      LOG.warn("event=processing_failed reason=\"{}\"", error.getMessage());
      message.fail(StoreFailure.UNAVAILABLE.code, String.valueOf(error.getMessage()));
    }
  }

}
