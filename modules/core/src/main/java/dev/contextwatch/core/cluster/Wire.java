package dev.contextwatch.core.cluster;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The binary form of what crosses nodes: nullable scalars, instants, and JSON values with their
 * Java types kept (a long stays a long, a key order stays the order), so that a record decoded on
 * another node is equal to the one sent, field for field.
 */
final class Wire {
  private static final byte NULL = 0;
  private static final byte TEXT = 1;
  private static final byte TRUE = 2;
  private static final byte FALSE = 3;
  private static final byte INT = 4;
  private static final byte LONG = 5;
  private static final byte DOUBLE = 6;
  private static final byte OBJECT = 7;
  private static final byte ARRAY = 8;
  /** Any other value, as its JSON text: a type the decoders never make, kept rather than refused. */
  private static final byte JSON = 9;

  private Wire() {}

  /** Appends to one message's buffer. */
  static final class Writer {
    final Buffer buffer;

    Writer(Buffer buffer) {
      this.buffer = buffer;
    }

    void writeByte(int value) {
      buffer.appendByte((byte) value);
    }

    void writeInt(int value) {
      buffer.appendInt(value);
    }

    void writeLong(long value) {
      buffer.appendLong(value);
    }

    void writeBoolean(boolean value) {
      writeByte(value ? 1 : 0);
    }

    /** A string, -1 for null. */
    void writeText(String value) {
      if (value == null) {
        writeInt(-1);
        return;
      }
      byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
      writeInt(bytes.length);
      buffer.appendBytes(bytes);
    }

    void writeNullableLong(Long value) {
      writeValue(value);
    }

    void writeNullableDouble(Double value) {
      writeValue(value);
    }

    void writeInstant(Instant value) {
      writeBoolean(value != null);
      if (value != null) {
        writeLong(value.getEpochSecond());
        writeInt(value.getNano());
      }
    }

    <T> void writeList(List<T> values, Consumer<T> each) {
      writeInt(values.size());
      values.forEach(each);
    }

    /** A JSON value (object, array, scalar or null) with its Java type. */
    void writeValue(Object value) {
      if (value == null) {
        writeByte(NULL);
      } else if (value instanceof String text) {
        writeByte(TEXT);
        writeText(text);
      } else if (value instanceof Boolean bool) {
        writeByte(bool ? TRUE : FALSE);
      } else if (value instanceof Integer number) {
        writeByte(INT);
        writeInt(number);
      } else if (value instanceof Long number) {
        writeByte(LONG);
        writeLong(number);
      } else if (value instanceof Double number) {
        writeByte(DOUBLE);
        buffer.appendDouble(number);
      } else if (value instanceof JsonObject object) {
        writeByte(OBJECT);
        writeInt(object.size());
        object.forEach(entry -> {
          writeText(entry.getKey());
          writeValue(entry.getValue());
        });
      } else if (value instanceof JsonArray array) {
        writeByte(ARRAY);
        writeInt(array.size());
        array.forEach(this::writeValue);
      } else {
        writeByte(JSON);
        writeText(Json.encode(value));
      }
    }
  }

  /** Reads one message's buffer from where its body starts. */
  static final class Reader {
    private final Buffer buffer;
    private int position;

    Reader(Buffer buffer, int position) {
      this.buffer = buffer;
      this.position = position;
    }

    byte readByte() {
      return buffer.getByte(position++);
    }

    int readInt() {
      int value = buffer.getInt(position);
      position += Integer.BYTES;
      return value;
    }

    long readLong() {
      long value = buffer.getLong(position);
      position += Long.BYTES;
      return value;
    }

    boolean readBoolean() {
      return readByte() != 0;
    }

    String readText() {
      int length = readInt();
      if (length < 0) {
        return null;
      }
      String value = buffer.getString(position, position + length, StandardCharsets.UTF_8.name());
      position += length;
      return value;
    }

    Long readNullableLong() {
      return (Long) readValue();
    }

    Double readNullableDouble() {
      return (Double) readValue();
    }

    Instant readInstant() {
      return readBoolean() ? Instant.ofEpochSecond(readLong(), readInt()) : null;
    }

    <T> List<T> readList(Function<Reader, T> each) {
      int size = readInt();
      List<T> values = new ArrayList<>(size);
      for (int i = 0; i < size; i++) {
        values.add(each.apply(this));
      }
      return values;
    }

    JsonObject readObject() {
      return (JsonObject) readValue();
    }

    JsonArray readArray() {
      return (JsonArray) readValue();
    }

    Object readValue() {
      byte type = readByte();
      return switch (type) {
        case NULL -> null;
        case TEXT -> readText();
        case TRUE -> Boolean.TRUE;
        case FALSE -> Boolean.FALSE;
        case INT -> readInt();
        case LONG -> readLong();
        case DOUBLE -> {
          double value = buffer.getDouble(position);
          position += Double.BYTES;
          yield value;
        }
        case OBJECT -> readObjectEntries();
        case ARRAY -> new JsonArray(readList(Reader::readValue));
        case JSON -> Json.decodeValue(readText());
        default -> throw new IllegalStateException("unknown wire value type " + type);
      };
    }

    private JsonObject readObjectEntries() {
      int size = readInt();
      Map<String, Object> entries = new LinkedHashMap<>(size * 4 / 3 + 1);
      for (int i = 0; i < size; i++) {
        entries.put(readText(), readValue());
      }
      return new JsonObject(entries);
    }
  }
}
