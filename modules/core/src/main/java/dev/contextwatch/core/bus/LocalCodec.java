package dev.contextwatch.core.bus;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * Passes an immutable object through the event bus by reference: batches never leave the process,
 * so they are never serialized.
 */
public final class LocalCodec<T> implements MessageCodec<T, T> {
  private static final Set<Vertx> REGISTERED = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

  /**
   * Codec name for handing an accepted {@link io.vertx.core.http.ServerWebSocket} from the API's
   * listener to the push verticle ({@link Addresses#PUSH_CONNECT}); named, because the socket's
   * class is an implementation class.
   */
  public static final String WEBSOCKET = "local-websocket";

  private final String name;

  private LocalCodec(String name) {
    this.name = name;
  }

  /** Registers the local codecs of every in-process message type; safe to call from every verticle. */
  public static void registerAll(Vertx vertx) {
    if (REGISTERED.add(vertx)) {
      register(vertx, dev.contextwatch.core.model.RecordBatch.class);
      register(vertx, dev.contextwatch.core.model.StoreBatch.class);
      register(vertx, dev.contextwatch.core.model.StoreOutcome.class);
      register(vertx, dev.contextwatch.core.model.IngestOutcome.class);
      register(vertx, dev.contextwatch.core.model.SessionDeletion.class);
      register(vertx, dev.contextwatch.core.model.DeletedRows.class);
      register(vertx, dev.contextwatch.core.model.Synthetic.class);
      register(vertx, dev.contextwatch.core.model.DeliveryRetry.class);
      register(vertx, dev.contextwatch.core.model.WebhookDelivery.class);
      register(vertx, dev.contextwatch.core.model.HookDelivery.class);
      register(vertx, dev.contextwatch.core.model.HookAnswer.class);
      register(vertx, dev.contextwatch.core.summary.SessionsUpdated.class);
      register(vertx, dev.contextwatch.core.summary.CloseSession.class);
      register(vertx, dev.contextwatch.core.summary.SessionSummary.class);
      register(vertx, dev.contextwatch.core.summary.SessionStatusChanged.class);
      register(vertx, dev.contextwatch.core.summary.ContextLevelChanged.class);
      register(vertx, dev.contextwatch.core.summary.BudgetCrossed.class);
      vertx.eventBus().registerCodec(new LocalCodec<io.vertx.core.http.ServerWebSocket>(WEBSOCKET));
    }
  }

  private static <T> void register(Vertx vertx, Class<T> type) {
    vertx.eventBus().registerDefaultCodec(type, new LocalCodec<>("local-" + type.getName()));
  }

  @Override
  public void encodeToWire(Buffer buffer, T value) {
    throw new UnsupportedOperationException(name + " is local only");
  }

  @Override
  public T decodeFromWire(int pos, Buffer buffer) {
    throw new UnsupportedOperationException(name + " is local only");
  }

  @Override
  public T transform(T value) {
    return value;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
