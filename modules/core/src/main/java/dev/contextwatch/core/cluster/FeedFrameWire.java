package dev.contextwatch.core.cluster;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageCodec;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * A live feed frame as it crosses to the other nodes of a cluster ({@link
 * dev.contextwatch.core.bus.Addresses#FEED_FRAMES}): the node that made it, its type, what the
 * feed's filters route it by (session, project, run, synthetic), and its payload as the UTF-8 JSON
 * bytes of the frame's {@code data}, encoded once on the node that made it; {@code tileData} is the
 * tile summary's for a {@code session.updated} frame, else null. A receiving node wraps the bytes in
 * its own envelope (its position, its connections' seq) without parsing them.
 */
public record FeedFrameWire(String node, String type, String sessionId, String project, String runId, boolean synthetic,
    Buffer data, Buffer tileData) {

  /** Publish options that send it through {@link Codec}. */
  public static final DeliveryOptions DELIVERY = new DeliveryOptions().setCodecName(Codec.NAME);

  private static final Set<Vertx> REGISTERED = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

  /** Registers {@link Codec} on this Vert.x instance once; safe to call from every verticle. */
  public static void register(Vertx vertx) {
    if (REGISTERED.add(vertx)) {
      vertx.eventBus().registerCodec(new Codec());
    }
  }

  /** The wire form: each string as its UTF-8 length (-1: null) and bytes, the flag as a byte, each buffer as its length (-1: null) and bytes. */
  public static final class Codec implements MessageCodec<FeedFrameWire, FeedFrameWire> {
    public static final String NAME = "wire-feed-frame";

    @Override
    public void encodeToWire(Buffer buffer, FeedFrameWire frame) {
      writeString(buffer, frame.node());
      writeString(buffer, frame.type());
      writeString(buffer, frame.sessionId());
      writeString(buffer, frame.project());
      writeString(buffer, frame.runId());
      buffer.appendByte((byte) (frame.synthetic() ? 1 : 0));
      writeBuffer(buffer, frame.data());
      writeBuffer(buffer, frame.tileData());
    }

    @Override
    public FeedFrameWire decodeFromWire(int pos, Buffer buffer) {
      Reader in = new Reader(buffer, pos);
      return new FeedFrameWire(in.string(), in.string(), in.string(), in.string(), in.string(), in.flag(), in.buffer(),
          in.buffer());
    }

    @Override
    public FeedFrameWire transform(FeedFrameWire frame) {
      return frame;
    }

    @Override
    public String name() {
      return NAME;
    }

    @Override
    public byte systemCodecID() {
      return -1;
    }

    private static void writeString(Buffer buffer, String value) {
      writeBuffer(buffer, value == null ? null : Buffer.buffer(value.getBytes(StandardCharsets.UTF_8)));
    }

    private static void writeBuffer(Buffer buffer, Buffer value) {
      if (value == null) {
        buffer.appendInt(-1);
      } else {
        buffer.appendInt(value.length()).appendBuffer(value);
      }
    }
  }

  /** Reads the fields back in the order {@link Codec#encodeToWire} wrote them. */
  private static final class Reader {
    private final Buffer buffer;
    private int pos;

    Reader(Buffer buffer, int pos) {
      this.buffer = buffer;
      this.pos = pos;
    }

    String string() {
      Buffer bytes = buffer();
      return bytes == null ? null : bytes.toString(StandardCharsets.UTF_8);
    }

    boolean flag() {
      return buffer.getByte(pos++) != 0;
    }

    Buffer buffer() {
      int length = buffer.getInt(pos);
      pos += 4;
      if (length < 0) {
        return null;
      }
      Buffer bytes = buffer.getBuffer(pos, pos + length);
      pos += length;
      return bytes;
    }
  }
}
