package dev.contextwatch.receiver;

import dev.contextwatch.core.model.Costs;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.util.List;

/**
 * Tolerant readers for the typed fields, over the attributes as they came over the wire: neither
 * content redaction nor the attribute limits change a typed field or a dedup key. Claude Code sends
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

  /** Null unless the value fits a long: rounding 1e30 to Long.MAX_VALUE would poison every sum it joins. */
  static Long wholeNumber(List<KeyValue> attributes, String key) {
    Double number = number(attributes, key);
    return number == null || Math.abs(number) >= LONG_LIMIT ? null : Math.round(number);
  }

  /**
   * The cost in micro-dollars: {@code cost_usd_micros} when the client sends it (Claude Code 2.1.x
   * sends it beside {@code cost_usd}), else {@code cost_usd} rounded once to the micro-dollar.
   */
  static Long costMicros(List<KeyValue> attributes) {
    Long micros = wholeNumber(attributes, "cost_usd_micros");
    if (micros != null) {
      return micros;
    }
    Double usd = number(attributes, "cost_usd");
    return usd == null ? null : Costs.micros(usd);
  }

  /** Null unless finite: one NaN or Infinity would poison a session's totals for good. */
  static Double number(List<KeyValue> attributes, String key) {
    AnyValue value = find(attributes, key);
    Double number = switch (value.getValueCase()) {
      case INT_VALUE -> (double) value.getIntValue();
      case DOUBLE_VALUE -> value.getDoubleValue();
      case STRING_VALUE -> parse(value.getStringValue());
      default -> null;
    };
    return number != null && Double.isFinite(number) ? number : null;
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
