package dev.contextwatch.persistence;

import dev.contextwatch.core.bus.Addresses;
import dev.contextwatch.core.bus.LocalCodec;
import dev.contextwatch.core.bus.StoreFailure;
import dev.contextwatch.core.config.DatabaseConfig;
import dev.contextwatch.core.config.WriterConfig;
import dev.contextwatch.core.db.DatabasePool;
import dev.contextwatch.core.db.Databases;
import dev.contextwatch.core.model.SessionDeletion;
import dev.contextwatch.core.model.StoreBatch;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the migrations, then consumes {@link Addresses#STORE} and group-commits every batch to
 * PostgreSQL, replying to each only after its transaction committed; deletes the rows of sessions
 * on {@link Addresses#DELETE_SESSION_RECORDS}. On stop it takes no new batches, writes what it
 * accepted, and closes the pool.
 */
public final class PersistenceVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(PersistenceVerticle.class);

  private final DatabaseConfig database;
  private final WriterConfig writerConfig;
  private Pool pool;
  private GroupCommitWriter writer;
  private MessageConsumer<StoreBatch> consumer;
  private SessionRecords sessionRecords;

  public PersistenceVerticle(DatabaseConfig database, WriterConfig writerConfig) {
    this.database = database;
    this.writerConfig = writerConfig;
  }

  @Override
  public Future<?> start() {
    LocalCodec.registerAll(vertx);
    return vertx.executeBlocking(() -> Migrations.apply(Databases.connectOptions(database)))
        .map(migrated -> {
          pool = Databases.pool(vertx, database, DatabasePool.PERSISTENCE);
          writer = new GroupCommitWriter(vertx, pool, writerConfig);
          sessionRecords = new SessionRecords(pool);
          consumer = vertx.eventBus().<StoreBatch>localConsumer(Addresses.STORE, writer::submit);
          return consumer;
        })
        .compose(MessageConsumer::completion)
        .compose(v -> vertx.eventBus().<SessionDeletion>localConsumer(Addresses.DELETE_SESSION_RECORDS, this::delete).completion())
        .onSuccess(v -> LOG.info("event=persistence_started pool_size={} max_batch_records={} flush_interval_ms={}",
            DatabasePool.PERSISTENCE.size(database), writerConfig.maxBatchRecords(), writerConfig.flushIntervalMs()));
  }

  private void delete(Message<SessionDeletion> message) {
    sessionRecords.delete(message.body())
        .onSuccess(message::reply)
        .onSuccess(deleted -> LOG.info("event=session_records_deleted sessions={} rows={}", message.body().sessionIds().size(),
            deleted.counts().values().stream().mapToLong(Long::longValue).sum()))
        .onFailure(error -> {
          LOG.warn("event=session_records_delete_failed reason=\"{}\"", error.getMessage());
          message.fail(StoreFailure.UNAVAILABLE.code, "the database did not delete the sessions' rows; nothing was deleted");
        });
  }

  @Override
  public Future<?> stop() {
    int pending = writer.queuedRecords();
    return writer.drain()
        .compose(v -> consumer.unregister())
        .compose(v -> pool.close())
        .onComplete(v -> LOG.info("event=persistence_stopped flushed_on_stop={}", pending));
  }
}
