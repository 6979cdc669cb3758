package dev.contextwatch.processor;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Order-independent identity of attribute sets: the key of a metric series. The keys are stored
 * (series_key), so their text never changes: an object's canonical text is its fields sorted by
 * name, each value as text (a nested object or array as its own canonical text), encoded as a JSON
 * object of strings, byte for byte as Jackson encoded the sorted map before.
 */
final class Canonical {
  private static final HexFormat HEX = HexFormat.of();

  private Canonical() {}

  /** Resource attributes + metric name + point attributes, hashed (128 bits, hex). */
  static String seriesKey(JsonObject resource, String metricName, JsonObject attributes) {
    return new SeriesKeys().of(resource, metricName, attributes);
  }

  /**
   * The series keys of one batch. Its points share a few resources (every point of a scope block
   * the same instance), so each resource's canonical text is made once, not once per point.
   */
  static final class SeriesKeys {
    private final Map<JsonObject, byte[]> resources = new IdentityHashMap<>();
    private final MessageDigest digest = sha256();

    String of(JsonObject resource, String metricName, JsonObject attributes) {
      digest.update(resources.computeIfAbsent(resource, r -> utf8(text(r))));
      digest.update((byte) 0);
      digest.update(utf8(metricName));
      digest.update((byte) 0);
      digest.update(utf8(text(attributes)));
      return HEX.formatHex(digest.digest(), 0, 16);
    }
  }

  /** The canonical text of an object: {"name":"value",...} sorted by name. */
  static String text(JsonObject object) {
    StringBuilder text = new StringBuilder(64 + 32 * object.size());
    appendObject(text, object);
    return text.toString();
  }

  private static void appendObject(StringBuilder text, JsonObject object) {
    List<String> names = new ArrayList<>(object.fieldNames());
    names.sort(null);
    text.append('{');
    for (int i = 0; i < names.size(); i++) {
      if (i > 0) {
        text.append(',');
      }
      quoted(text, names.get(i));
      text.append(':');
      quoted(text, valueText(object.getValue(names.get(i))));
    }
    text.append('}');
  }

  private static String valueText(Object value) {
    if (value instanceof JsonObject object) {
      return text(object);
    }
    if (value instanceof JsonArray array) {
      StringBuilder text = new StringBuilder().append('[');
      for (int i = 0; i < array.size(); i++) {
        if (i > 0) {
          text.append(',');
        }
        quoted(text, valueText(array.getValue(i)));
      }
      return text.append(']').toString();
    }
    return String.valueOf(value);
  }

  /**
   * A JSON string as Jackson writes it: quote and backslash escaped, a control character as its
   * short escape (backslash-n) or as backslash-u00XX, every other character as it is.
   */
  private static void quoted(StringBuilder text, String value) {
    text.append('"');
    int plain = 0;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '"' || c == '\\' || c < 0x20) {
        text.append(value, plain, i);
        escaped(text, c);
        plain = i + 1;
      }
    }
    text.append(value, plain, value.length()).append('"');
  }

  private static void escaped(StringBuilder text, char c) {
    switch (c) {
      case '"' -> text.append("\\\"");
      case '\\' -> text.append("\\\\");
      case '\b' -> text.append("\\b");
      case '\t' -> text.append("\\t");
      case '\n' -> text.append("\\n");
      case '\f' -> text.append("\\f");
      case '\r' -> text.append("\\r");
      default -> text.append("\\u00").append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
          .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
    }
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every JRE", e);
    }
  }
}
