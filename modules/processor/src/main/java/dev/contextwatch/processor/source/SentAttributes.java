package dev.contextwatch.processor.source;

import io.vertx.core.json.JsonObject;

/**
 * Tolerant readers over a record's attributes as sent ({@link
 * dev.contextwatch.core.model.EventRecord#attributesAsSent()}), reading them as the receiver reads
 * the wire: a number may come as int, double or string, depending on the client's version and the
 * value.
 */
final class SentAttributes {
  private SentAttributes() {}

  /** The scalar value of {@code key} as text; null when absent or structured. */
  static String string(JsonObject attributes, String key) {
    Object value = attributes.getValue(key);
    return value instanceof String || value instanceof Number || value instanceof Boolean ? value.toString() : null;
  }

  /** The value as a number, NaN and the infinities included; null when absent or not a number. */
  static Double number(JsonObject attributes, String key) {
    Object value = attributes.getValue(key);
    if (value instanceof Number number) {
      return number.doubleValue();
    }
    return value instanceof String text ? parse(text) : null;
  }

  private static Double parse(String text) {
    try {
      return Double.parseDouble(text.trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
