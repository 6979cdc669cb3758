package dev.contextwatch.core.cluster;

import dev.contextwatch.core.model.EventRecord;
import dev.contextwatch.core.model.IngestOutcome;
import dev.contextwatch.core.model.MetricPoint;
import dev.contextwatch.core.model.Origin;
import dev.contextwatch.core.model.RecordBatch;
import dev.contextwatch.core.model.SessionDeletion;
import dev.contextwatch.core.model.Signal;
import dev.contextwatch.core.model.SpanRecord;
import dev.contextwatch.core.summary.CloseSession;
import dev.contextwatch.core.summary.SessionSummary;
import dev.contextwatch.core.summary.SummaryCodec;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * The wire codecs of the messages that cross nodes in cluster mode (docs/cluster.md, "Routing by
 * owner"), sent with {@link WireCodec#options()}; in-process messages keep their local codecs.
 */
public final class WireCodecs {
  private static final Set<Vertx> REGISTERED = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

  /** A receiver's part of a request, to its owner's {@code ingestOn(node)}. */
  public static final WireCodec<RecordBatch> RECORD_BATCH =
      new WireCodec<>("wire-record-batch", WireCodecs::writeBatch, WireCodecs::readBatch);

  /** The owner's reply to a part. */
  public static final WireCodec<IngestOutcome> INGEST_OUTCOME = new WireCodec<>("wire-ingest-outcome",
      (w, o) -> {
        w.writeLong(o.refused());
        w.writeText(o.refusalMessage());
      },
      r -> new IngestOutcome(r.readLong(), r.readText()));

  /** A close, to the session's owner's {@code closeOn(node)}. */
  public static final WireCodec<CloseSession> CLOSE_SESSION =
      new WireCodec<>("wire-close-session", (w, c) -> w.writeText(c.sessionId()), r -> new CloseSession(r.readText()));

  /** The reply to a close: the summary in its one JSON form. */
  public static final WireCodec<SessionSummary> SESSION_SUMMARY = new WireCodec<>("wire-session-summary",
      (w, s) -> {
        w.writeText(s.identity().sessionId());
        w.writeValue(SummaryCodec.toJson(s));
      },
      r -> SummaryCodec.fromJson(r.readText(), r.readObject()));

  /** Deleted sessions, published to every node's processor. */
  public static final WireCodec<SessionDeletion> SESSION_DELETION = new WireCodec<>("wire-session-deletion",
      (w, d) -> w.writeList(d.sessionIds(), w::writeText), r -> new SessionDeletion(r.readList(Wire.Reader::readText)));

  private WireCodecs() {}

  /** Registers every wire codec by name, once per Vert.x instance; safe to call from every verticle. */
  public static void registerAll(Vertx vertx) {
    if (REGISTERED.add(vertx)) {
      List.of(RECORD_BATCH, INGEST_OUTCOME, CLOSE_SESSION, SESSION_SUMMARY, SESSION_DELETION)
          .forEach(codec -> vertx.eventBus().registerCodec(codec));
    }
  }

  /**
   * Origins are written once each, records naming theirs by index: a request's records share a
   * handful of them, and decoded records share them again as the decoder's did.
   */
  private static void writeBatch(Wire.Writer w, RecordBatch batch) {
    w.writeByte(batch.signal().ordinal());
    w.writeLong(batch.rejected());
    w.writeText(batch.rejectionMessage());
    Map<Origin, Integer> origins = new IdentityHashMap<>();
    List<Origin> ordered = new ArrayList<>();
    batch.events().forEach(e -> index(e.origin(), origins, ordered));
    batch.points().forEach(p -> index(p.origin(), origins, ordered));
    batch.spans().forEach(s -> index(s.origin(), origins, ordered));
    w.writeList(ordered, o -> {
      w.writeValue(o.resource());
      w.writeText(o.scopeName());
      w.writeText(o.scopeVersion());
    });
    w.writeList(batch.events(), e -> writeEvent(w, e, origins));
    w.writeList(batch.points(), p -> writePoint(w, p, origins));
    w.writeList(batch.spans(), s -> writeSpan(w, s, origins));
  }

  private static RecordBatch readBatch(Wire.Reader r) {
    Signal signal = Signal.values()[r.readByte()];
    long rejected = r.readLong();
    String rejectionMessage = r.readText();
    List<Origin> origins = r.readList(o -> new Origin(o.readObject(), o.readText(), o.readText()));
    List<EventRecord> events = r.readList(e -> readEvent(e, origins));
    List<MetricPoint> points = r.readList(p -> readPoint(p, origins));
    List<SpanRecord> spans = r.readList(s -> readSpan(s, origins));
    return new RecordBatch(signal, events, points, spans, rejected, rejectionMessage);
  }

  private static void index(Origin origin, Map<Origin, Integer> origins, List<Origin> ordered) {
    if (origin != null && !origins.containsKey(origin)) {
      origins.put(origin, ordered.size());
      ordered.add(origin);
    }
  }

  private static void writeOrigin(Wire.Writer w, Origin origin, Map<Origin, Integer> origins) {
    w.writeInt(origin == null ? -1 : origins.get(origin));
  }

  private static Origin readOrigin(Wire.Reader r, List<Origin> origins) {
    int index = r.readInt();
    return index < 0 ? null : origins.get(index);
  }

  private static void writeEvent(Wire.Writer w, EventRecord e, Map<Origin, Integer> origins) {
    w.writeInstant(e.time());
    w.writeInstant(e.observedTime());
    w.writeText(e.sessionId());
    w.writeText(e.eventName());
    w.writeNullableLong(e.eventSequence());
    w.writeText(e.promptId());
    w.writeText(e.model());
    w.writeNullableLong(e.inputTokens());
    w.writeNullableLong(e.outputTokens());
    w.writeNullableLong(e.cacheReadTokens());
    w.writeNullableLong(e.cacheCreationTokens());
    w.writeNullableLong(e.costMicros());
    w.writeNullableDouble(e.durationMs());
    w.writeInt(e.severityNumber());
    w.writeText(e.severityText());
    w.writeText(e.body());
    w.writeText(e.traceId());
    w.writeText(e.spanId());
    writeOrigin(w, e.origin(), origins);
    w.writeValue(e.attributes());
    w.writeText(e.dedupKey());
    w.writeValue(e.sentAttributes());
  }

  private static EventRecord readEvent(Wire.Reader r, List<Origin> origins) {
    return new EventRecord(r.readInstant(), r.readInstant(), r.readText(), r.readText(), r.readNullableLong(), r.readText(),
        r.readText(), r.readNullableLong(), r.readNullableLong(), r.readNullableLong(), r.readNullableLong(),
        r.readNullableLong(), r.readNullableDouble(), r.readInt(), r.readText(), r.readText(), r.readText(), r.readText(),
        readOrigin(r, origins), r.readObject(), r.readText(), r.readObject());
  }

  private static void writePoint(Wire.Writer w, MetricPoint p, Map<Origin, Integer> origins) {
    w.writeInstant(p.time());
    w.writeInstant(p.startTime());
    w.writeText(p.sessionId());
    w.writeText(p.metricName());
    w.writeByte(p.type() == null ? -1 : p.type().ordinal());
    w.writeByte(p.temporality() == null ? -1 : p.temporality().ordinal());
    w.writeValue(p.monotonic());
    w.writeText(p.unit());
    w.writeNullableDouble(p.value());
    w.writeNullableLong(p.count());
    w.writeValue(p.data());
    writeOrigin(w, p.origin(), origins);
    w.writeValue(p.attributes());
    w.writeText(p.dedupKey());
    w.writeNullableDouble(p.delta());
  }

  private static MetricPoint readPoint(Wire.Reader r, List<Origin> origins) {
    return new MetricPoint(r.readInstant(), r.readInstant(), r.readText(), r.readText(),
        nullable(MetricPoint.MetricType.values(), r.readByte()), nullable(MetricPoint.Temporality.values(), r.readByte()),
        (Boolean) r.readValue(), r.readText(), r.readNullableDouble(), r.readNullableLong(), r.readObject(),
        readOrigin(r, origins), r.readObject(), r.readText(), r.readNullableDouble());
  }

  private static void writeSpan(Wire.Writer w, SpanRecord s, Map<Origin, Integer> origins) {
    w.writeInstant(s.startTime());
    w.writeInstant(s.endTime());
    w.writeText(s.traceId());
    w.writeText(s.spanId());
    w.writeText(s.parentSpanId());
    w.writeText(s.sessionId());
    w.writeText(s.name());
    w.writeInt(s.kind());
    w.writeInt(s.statusCode());
    w.writeText(s.statusMessage());
    writeOrigin(w, s.origin(), origins);
    w.writeValue(s.attributes());
    w.writeValue(s.events());
    w.writeValue(s.links());
    w.writeText(s.dedupKey());
  }

  private static SpanRecord readSpan(Wire.Reader r, List<Origin> origins) {
    return new SpanRecord(r.readInstant(), r.readInstant(), r.readText(), r.readText(), r.readText(), r.readText(),
        r.readText(), r.readInt(), r.readInt(), r.readText(), readOrigin(r, origins), r.readObject(), r.readArray(),
        r.readArray(), r.readText());
  }

  private static <E extends Enum<E>> E nullable(E[] values, byte ordinal) {
    return ordinal < 0 ? null : values[ordinal];
  }
}
