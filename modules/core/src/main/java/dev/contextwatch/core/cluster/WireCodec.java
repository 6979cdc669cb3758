package dev.contextwatch.core.cluster;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageCodec;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * A named codec for a message that crosses nodes: a real binary form on the wire, the immutable
 * object itself by reference when sender and consumer share a node. Each message starts with its
 * format's version, so a node of another version fails it by name instead of misreading it.
 */
public final class WireCodec<T> implements MessageCodec<T, T> {
  private static final byte FORMAT = 1;
  private final String name;
  private final BiConsumer<Wire.Writer, T> write;
  private final Function<Wire.Reader, T> read;

  WireCodec(String name, BiConsumer<Wire.Writer, T> write, Function<Wire.Reader, T> read) {
    this.name = name;
    this.write = write;
    this.read = read;
  }

  /** Delivery options that send (or reply with) this codec. */
  public DeliveryOptions options() {
    return new DeliveryOptions().setCodecName(name);
  }

  @Override
  public void encodeToWire(Buffer buffer, T value) {
    buffer.appendByte(FORMAT);
    write.accept(new Wire.Writer(buffer), value);
  }

  @Override
  public T decodeFromWire(int pos, Buffer buffer) {
    byte format = buffer.getByte(pos);
    if (format != FORMAT) {
      throw new IllegalStateException(name + ": wire format " + format + " from another version; this node reads " + FORMAT);
    }
    return read.apply(new Wire.Reader(buffer, pos + 1));
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
