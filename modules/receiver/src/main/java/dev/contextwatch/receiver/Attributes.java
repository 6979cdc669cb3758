package dev.contextwatch.receiver;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.util.List;

/**
 * Tolerant readers for the fields every record has (session, event name and sequence), over the
 * attributes as they came over the wire: neither content redaction nor the attribute limits change
 * such a field or a dedup key. Clients send
 * a number as int, double or string depending on version and value. A repeated key reads as its
 * last value, as in the stored JSON.
 */
final class Attributes {
  /** 2^63: the first double a long cannot hold. */
  private static final double LONG_LIMIT = 0x1p63;

  private Attributes() {}

  /** The scalar value of {@code key} as text; null when absent or structured. */
  static String string(List<KeyValue> attributes, String key) {
    AnyValue value = find(attributes, key);
    return switch (value.getValueCase()) {
      case STRING_VALUE -> Text.clean(value.getStringValue());
      case INT_VALUE -> Long.toString(value.getIntValue());
      case DOUBLE_VALUE -> Double.toString(value.getDoubleValue());
      case BOOL_VALUE -> Boolean.toString(value.getBoolValue());
      case ARRAY_VALUE, KVLIST_VALUE, BYTES_VALUE, VALUE_NOT_SET -> null;
    };
  }

  /** Null unless the value is finite and fits a long: rounding 1e30 to Long.MAX_VALUE would make a wrong id. */
  static Long wholeNumber(List<KeyValue> attributes, String key) {
    Double number = number(attributes, key);
    return number == null || !Double.isFinite(number) || Math.abs(number) >= LONG_LIMIT ? null : Math.round(number);
  }

  /**
   * The value as a number, NaN and the infinities included (the caller decides what they mean);
   * null when absent or not a number.
   */
  static Double number(List<KeyValue> attributes, String key) {
    AnyValue value = find(attributes, key);
    return switch (value.getValueCase()) {
      case INT_VALUE -> (double) value.getIntValue();
      case DOUBLE_VALUE -> value.getDoubleValue();
      case STRING_VALUE -> parse(value.getStringValue());
      default -> null;
    };
  }

  private static Double parse(String text) {
    try {
      return Double.parseDouble(text.trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static AnyValue find(List<KeyValue> attributes, String key) {
    for (int i = attributes.size() - 1; i >= 0; i--) {
      if (attributes.get(i).getKey().equals(key)) {
        return attributes.get(i).getValue();
      }
    }
    return AnyValue.getDefaultInstance();
  }
}
