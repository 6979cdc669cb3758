package dev.contextwatch.receiver;

import dev.contextwatch.core.bus.Addresses;
import dev.contextwatch.core.bus.StoreFailure;
import dev.contextwatch.core.cluster.Ownership;
import dev.contextwatch.core.cluster.WireCodecs;
import dev.contextwatch.core.model.EventRecord;
import dev.contextwatch.core.model.IngestOutcome;
import dev.contextwatch.core.model.MetricPoint;
import dev.contextwatch.core.model.RecordBatch;
import dev.contextwatch.core.model.SpanRecord;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Cluster mode: sends each owner its part of a request (the records of the sessions it owns, in
 * their order) and succeeds only once every part committed, with the refusals of all parts. A part
 * whose owner left (no handler any more) is split again by the ownership of now, once.
 */
final class OwnerRouting {
  private final Vertx vertx;
  private final Ownership ownership;
  private final int storeTimeoutMs;

  OwnerRouting(Vertx vertx, Ownership ownership, int storeTimeoutMs) {
    this.vertx = vertx;
    this.ownership = ownership;
    this.storeTimeoutMs = storeTimeoutMs;
    WireCodecs.registerAll(vertx);
  }

  /** Every part's outcome merged; else the failure of the part that failed most severely. */
  Future<IngestOutcome> send(RecordBatch batch) {
    return send(batch, true);
  }

  private Future<IngestOutcome> send(RecordBatch batch, boolean mayResolveAgain) {
    Map<String, RecordBatch> parts = split(batch);
    List<Future<IngestOutcome>> sent = new ArrayList<>(parts.size());
    parts.forEach((owner, part) -> sent.add(sendPart(owner, part, mayResolveAgain)));
    return sent.size() == 1 ? sent.get(0) : Future.join(sent).transform(all -> merged(sent));
  }

  private Future<IngestOutcome> sendPart(String owner, RecordBatch part, boolean mayResolveAgain) {
    Future<Message<IngestOutcome>> reply = owner.equals(ownership.localNode())
        ? vertx.eventBus().request(Addresses.INGEST, part, new DeliveryOptions().setSendTimeout(storeTimeoutMs))
        : vertx.eventBus().request(Addresses.ingestOn(owner), part, WireCodecs.RECORD_BATCH.options().setSendTimeout(storeTimeoutMs));
    return reply.map(Message::body).recover(error -> mayResolveAgain && ownerGone(error)
        ? send(part, false) : Future.failedFuture(error));
  }

  private static boolean ownerGone(Throwable error) {
    return error instanceof ReplyException reply && reply.failureType() == ReplyFailure.NO_HANDLERS;
  }

  /** The parts by owner; the batch itself when one node owns all of it. */
  private Map<String, RecordBatch> split(RecordBatch batch) {
    Map<String, String> owners = new HashMap<>();
    Function<String, String> ownerOf = session -> owners.computeIfAbsent(session == null ? "" : session, ownership::ownerOf);
    Map<String, Part> parts = new LinkedHashMap<>();
    batch.events().forEach(e -> parts.computeIfAbsent(ownerOf.apply(e.sessionId()), o -> new Part()).events.add(e));
    batch.points().forEach(p -> parts.computeIfAbsent(ownerOf.apply(p.sessionId()), o -> new Part()).points.add(p));
    batch.spans().forEach(s -> parts.computeIfAbsent(ownerOf.apply(s.sessionId()), o -> new Part()).spans.add(s));
    Map<String, RecordBatch> batches = new LinkedHashMap<>();
    if (parts.size() == 1) {
      batches.put(parts.keySet().iterator().next(), batch);
    } else {
      parts.forEach((owner, part) -> batches.put(owner, new RecordBatch(batch.signal(), part.events, part.points, part.spans, 0, null)));
    }
    return batches;
  }

  private static final class Part {
    final List<EventRecord> events = new ArrayList<>();
    final List<MetricPoint> points = new ArrayList<>();
    final List<SpanRecord> spans = new ArrayList<>();
  }

  private static Future<IngestOutcome> merged(List<Future<IngestOutcome>> parts) {
    Throwable worst = null;
    long refused = 0;
    List<String> messages = new ArrayList<>();
    for (Future<IngestOutcome> part : parts) {
      if (part.failed()) {
        worst = worst == null || severity(part.cause()) > severity(worst) ? part.cause() : worst;
      } else if (part.result() != null && part.result().refused() > 0) {
        refused += part.result().refused();
        messages.add(part.result().refusalMessage());
      }
    }
    return worst != null ? Future.failedFuture(worst)
        : Future.succeededFuture(refused == 0 ? IngestOutcome.ALL_STORED : new IngestOutcome(refused, String.join("; ", messages)));
  }

  /**
   * Which failure answers a request whose parts failed differently: one the exporter retries over
   * one it drops (a retry re-sends the committed parts, which are stored as nothing new), and the
   * database being unavailable over a full write queue.
   */
  private static int severity(Throwable error) {
    if (error instanceof ReplyException reply && reply.failureType() == ReplyFailure.RECIPIENT_FAILURE) {
      return switch (StoreFailure.fromCode(reply.failureCode())) {
        case REFUSED -> 1;
        case SATURATED -> 2;
        case UNAVAILABLE -> 3;
      };
    }
    return 3;
  }
}
