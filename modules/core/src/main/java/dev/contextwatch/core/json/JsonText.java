package dev.contextwatch.core.json;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/**
 * Compact JSON text of a {@link JsonObject} or {@link JsonArray} tree, character for character what
 * {@link JsonObject#encode()} writes, without Jackson databind's serializer lookup per value (the
 * writer encodes every stored record's attributes, which made that lookup a sixth of the event
 * loop). It writes the values the pipeline produces (strings, integral numbers, doubles and floats,
 * big decimals and integers, booleans, null, nested objects, arrays, maps with string keys and
 * lists); a tree holding anything else, or nested deeper than {@value #MAX_DEPTH}, is encoded by
 * {@code encode()} as a whole, so the text never differs. Each thread reuses its own builder.
 */
public final class JsonText {
  private static final int MAX_DEPTH = 100;
  /** A builder grown past this by one huge tree is not kept for the thread's next call. */
  private static final int MAX_KEPT_CAPACITY = 64 * 1024;
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();
  private static final ThreadLocal<StringBuilder> BUILDER = ThreadLocal.withInitial(() -> new StringBuilder(512));

  private JsonText() {}

  /**
   * The text of {@code json}, as {@code json.encode()} writes it. A subclass may write its own text
   * (or count its encodings), so only a plain {@code JsonObject} is written here.
   */
  public static String encode(JsonObject json) {
    if (json.getClass() != JsonObject.class) {
      return json.encode();
    }
    StringBuilder out = builder();
    return writeMap(out, json.getMap(), 0) ? done(out) : json.encode();
  }

  /** The text of {@code json}, as {@code json.encode()} writes it; a subclass's as it writes it. */
  public static String encode(JsonArray json) {
    if (json.getClass() != JsonArray.class) {
      return json.encode();
    }
    StringBuilder out = builder();
    return writeList(out, json.getList(), 0) ? done(out) : json.encode();
  }

  private static StringBuilder builder() {
    StringBuilder out = BUILDER.get();
    out.setLength(0);
    return out;
  }

  private static String done(StringBuilder out) {
    String text = out.toString();
    if (out.capacity() > MAX_KEPT_CAPACITY) {
      BUILDER.remove();
    }
    return text;
  }

  /** Writes {@code value}; false when it (or anything in it) is not a kind this writer knows. */
  private static boolean writeValue(StringBuilder out, Object value, int depth) {
    if (value == null) {
      out.append("null");
    } else if (value instanceof String text) {
      writeString(out, text);
    } else if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
      out.append(((Number) value).longValue());
    } else if (value instanceof Double number) {
      writeDouble(out, number);
    } else if (value instanceof Boolean bool) {
      out.append(bool.booleanValue());
    } else if (value instanceof JsonObject object) {
      return writeMap(out, object.getMap(), depth + 1);
    } else if (value instanceof JsonArray array) {
      return writeList(out, array.getList(), depth + 1);
    } else if (value instanceof Map<?, ?> map) {
      return writeMap(out, map, depth + 1);
    } else if (value instanceof List<?> list) {
      return writeList(out, list, depth + 1);
    } else if (value instanceof Float number) {
      writeFloat(out, number);
    } else if (value instanceof BigDecimal || value instanceof BigInteger) {
      out.append(value);
    } else {
      return false;
    }
    return true;
  }

  private static boolean writeMap(StringBuilder out, Map<?, ?> map, int depth) {
    if (depth > MAX_DEPTH) {
      return false;
    }
    out.append('{');
    boolean first = true;
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      if (!(entry.getKey() instanceof String key)) {
        return false;
      }
      if (!first) {
        out.append(',');
      }
      first = false;
      writeString(out, key);
      out.append(':');
      if (!writeValue(out, entry.getValue(), depth)) {
        return false;
      }
    }
    out.append('}');
    return true;
  }

  private static boolean writeList(StringBuilder out, List<?> list, int depth) {
    if (depth > MAX_DEPTH) {
      return false;
    }
    out.append('[');
    for (int i = 0, n = list.size(); i < n; i++) {
      if (i > 0) {
        out.append(',');
      }
      if (!writeValue(out, list.get(i), depth)) {
        return false;
      }
    }
    out.append(']');
    return true;
  }

  /** Non-finite numbers as Jackson writes them by default: quoted ("NaN", "Infinity", "-Infinity"). */
  private static void writeDouble(StringBuilder out, double number) {
    if (Double.isFinite(number)) {
      out.append(number);
    } else {
      out.append('"').append(number).append('"');
    }
  }

  private static void writeFloat(StringBuilder out, float number) {
    if (Float.isFinite(number)) {
      out.append(number);
    } else {
      out.append('"').append(number).append('"');
    }
  }

  /**
   * Jackson's default escaping: {@code "} and {@code \}, and the control characters below 0x20 as
   * {@code \b \t \n \f \r} or a backslash, u and four hex digits in upper case; every other character (0x7F,
   * non-ASCII, U+2028/U+2029, lone surrogates) as it is.
   */
  private static void writeString(StringBuilder out, String text) {
    out.append('"');
    int plain = 0;
    for (int i = 0, n = text.length(); i < n; i++) {
      char c = text.charAt(i);
      if (c >= 0x20 && c != '"' && c != '\\') {
        continue;
      }
      out.append(text, plain, i);
      plain = i + 1;
      out.append('\\');
      switch (c) {
        case '"', '\\' -> out.append(c);
        case '\b' -> out.append('b');
        case '\t' -> out.append('t');
        case '\n' -> out.append('n');
        case '\f' -> out.append('f');
        case '\r' -> out.append('r');
        default -> out.append("u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
      }
    }
    out.append(text, plain, text.length()).append('"');
  }
}
