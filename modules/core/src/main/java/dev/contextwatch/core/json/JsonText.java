package dev.contextwatch.core.json;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Compact JSON text of a {@link JsonObject} or {@link JsonArray} tree, character for character what
 * {@link JsonObject#encode()} writes, without Jackson databind's serializer lookup per value (the
 * group-commit writer encodes every stored record's attributes, which made that a sixth of the
 * event loop). It writes the values the pipeline produces (strings, integral numbers, doubles and floats,
 * big decimals and integers, booleans, null, nested objects, arrays, maps with string keys and
 * lists); a tree holding anything else, or nested deeper than {@value #MAX_DEPTH}, is encoded by
 * {@code encode()} as a whole, so the text never differs. Each thread reuses its own buffer.
 */
public final class JsonText {
  private static final int MAX_DEPTH = 100;
  /** A buffer grown past this many chars by one huge tree is not kept for the thread's next call. */
  private static final int MAX_KEPT_CHARS = 64 * 1024;
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();
  private static final ThreadLocal<Out> BUFFER = ThreadLocal.withInitial(Out::new);

  private JsonText() {}

  /**
   * The text of {@code json}, as {@code json.encode()} writes it. A subclass may write its own text
   * (or count its encodings), so only a plain {@code JsonObject} is written here.
   */
  public static String encode(JsonObject json) {
    if (json.getClass() != JsonObject.class) {
      return json.encode();
    }
    Out out = out();
    return writeMap(out, json.getMap(), 0) ? done(out) : json.encode();
  }

  /** The text of {@code json}, as {@code json.encode()} writes it; a subclass's as it writes it. */
  public static String encode(JsonArray json) {
    if (json.getClass() != JsonArray.class) {
      return json.encode();
    }
    Out out = out();
    return writeList(out, json.getList(), 0) ? done(out) : json.encode();
  }

  private static Out out() {
    Out out = BUFFER.get();
    out.length = 0;
    return out;
  }

  private static String done(Out out) {
    String text = new String(out.chars, 0, out.length);
    if (out.chars.length > MAX_KEPT_CHARS) {
      BUFFER.remove();
    }
    return text;
  }

  /** Writes {@code value}; false when it (or anything in it) is not a kind this writer knows. */
  private static boolean writeValue(Out out, Object value, int depth) {
    if (value == null) {
      out.append("null");
    } else if (value instanceof String text) {
      writeString(out, text);
    } else if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
      out.append(((Number) value).longValue());
    } else if (value instanceof Double number) {
      writeNumber(out, Double.isFinite(number), number.toString());
    } else if (value instanceof Boolean bool) {
      out.append(bool ? "true" : "false");
    } else if (value instanceof JsonObject object) {
      return writeMap(out, object.getMap(), depth + 1);
    } else if (value instanceof JsonArray array) {
      return writeList(out, array.getList(), depth + 1);
    } else if (value instanceof Map<?, ?> map) {
      return writeMap(out, map, depth + 1);
    } else if (value instanceof List<?> list) {
      return writeList(out, list, depth + 1);
    } else if (value instanceof Float number) {
      writeNumber(out, Float.isFinite(number), number.toString());
    } else if (value instanceof BigDecimal || value instanceof BigInteger) {
      out.append(value.toString());
    } else {
      return false;
    }
    return true;
  }

  private static boolean writeMap(Out out, Map<?, ?> map, int depth) {
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

  private static boolean writeList(Out out, List<?> list, int depth) {
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
  private static void writeNumber(Out out, boolean finite, String text) {
    if (finite) {
      out.append(text);
    } else {
      out.append('"');
      out.append(text);
      out.append('"');
    }
  }

  /**
   * Jackson's default escaping: {@code "} and {@code \}, and the control characters below 0x20 as
   * {@code \b \t \n \f \r} or a backslash, u and four hex digits in upper case; every other
   * character (0x7F, non-ASCII, U+2028/U+2029, lone surrogates) as it is. The string is copied in
   * bulk first (most need no escape) and written again from its first escape when it has one.
   */
  private static void writeString(Out out, String text) {
    out.append('"');
    int start = out.length;
    out.append(text);
    char[] chars = out.chars;
    for (int i = start, end = out.length; i < end; i++) {
      char c = chars[i];
      if (c < 0x20 || c == '"' || c == '\\') {
        out.length = i;
        writeEscaped(out, text, i - start);
        break;
      }
    }
    out.append('"');
  }

  private static void writeEscaped(Out out, String text, int from) {
    for (int i = from, n = text.length(); i < n; i++) {
      char c = text.charAt(i);
      if (c >= 0x20 && c != '"' && c != '\\') {
        out.append(c);
        continue;
      }
      out.append('\\');
      switch (c) {
        case '"', '\\' -> out.append(c);
        case '\b' -> out.append('b');
        case '\t' -> out.append('t');
        case '\n' -> out.append('n');
        case '\f' -> out.append('f');
        case '\r' -> out.append('r');
        default -> {
          out.append("u00");
          out.append(HEX[c >> 4]);
          out.append(HEX[c & 0xF]);
        }
      }
    }
  }

  /** A growable char buffer: unlike a StringBuilder it copies a string in bulk and checks no coder per char. */
  private static final class Out {
    char[] chars = new char[1024];
    int length;

    void append(char c) {
      if (length == chars.length) {
        grow(1);
      }
      chars[length++] = c;
    }

    void append(String text) {
      int n = text.length();
      if (length + n > chars.length) {
        grow(n);
      }
      text.getChars(0, n, chars, length);
      length += n;
    }

    /** Digits written in place, as {@code Long.toString} writes them, without a string per number. */
    void append(long value) {
      if (value == Long.MIN_VALUE) {
        append("-9223372036854775808");
        return;
      }
      if (length + 20 > chars.length) {
        grow(20);
      }
      if (value < 0) {
        chars[length++] = '-';
        value = -value;
      }
      int end = length + digits(value);
      for (int i = end - 1; i >= length; i--) {
        chars[i] = (char) ('0' + value % 10);
        value /= 10;
      }
      length = end;
    }

    private static int digits(long value) {
      int digits = 1;
      for (long bound = 10; digits < 19 && value >= bound; bound *= 10) {
        digits++;
      }
      return digits;
    }

    private void grow(int needed) {
      chars = Arrays.copyOf(chars, Math.max(chars.length * 2, length + needed));
    }
  }
}
