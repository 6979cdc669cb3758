package dev.contextwatch.receiver;

import dev.contextwatch.core.model.EventRecord;
import io.opentelemetry.proto.common.v1.AnyValue;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The few attributes the decoder reads a record's fields from (session, event name, time and
 * sequence, and the attributes in an event's dedup key), picked up while its stored attributes are
 * built ({@link StoredValues#attributes(List, Attributes)}): one pass over the attributes as they
 * came over the wire, so neither content redaction nor the attribute limits change such a field or
 * a dedup key. A repeated key reads as its last value, as in the stored JSON. Clients send a number
 * as int, double or string depending on version and value: the readers are tolerant.
 */
final class Attributes {
  static final String SESSION_ID = "session.id";
  static final String EVENT_NAME = "event.name";
  /** The event's time as an attribute: what a record without times of its own is dated by. */
  static final String EVENT_TIMESTAMP = "event.timestamp";
  static final String EVENT_SEQUENCE = "event.sequence";
  private static final List<String> READ = Stream.concat(Stream.of(SESSION_ID, EVENT_NAME, EVENT_TIMESTAMP, EVENT_SEQUENCE),
      EventRecord.SEQUENCED_KEY_ATTRIBUTES.stream()).distinct().toList();
  private static final Map<String, Integer> SLOTS = slots();
  /** 2^63: the first double a long cannot hold. */
  private static final double LONG_LIMIT = 0x1p63;

  private final AnyValue[] values = new AnyValue[READ.size()];

  /** Keeps {@code value} if {@code key} (as sent) is one the decoder reads. */
  void offer(String key, AnyValue value) {
    Integer slot = SLOTS.get(key);
    if (slot != null) {
      values[slot] = value;
    }
  }

  /** The scalar value of {@code key} as text; null when absent or structured. */
  String string(String key) {
    AnyValue value = value(key);
    return switch (value.getValueCase()) {
      case STRING_VALUE -> Text.clean(value.getStringValue());
      case INT_VALUE -> Long.toString(value.getIntValue());
      case DOUBLE_VALUE -> Double.toString(value.getDoubleValue());
      case BOOL_VALUE -> Boolean.toString(value.getBoolValue());
      case ARRAY_VALUE, KVLIST_VALUE, BYTES_VALUE, VALUE_NOT_SET -> null;
    };
  }

  /** Null unless the value is finite and fits a long: rounding 1e30 to Long.MAX_VALUE would make a wrong id. */
  Long wholeNumber(String key) {
    Double number = number(value(key));
    return number == null || !Double.isFinite(number) || Math.abs(number) >= LONG_LIMIT ? null : Math.round(number);
  }

  private AnyValue value(String key) {
    Integer slot = SLOTS.get(key);
    if (slot == null) {
      throw new IllegalArgumentException(key + " is not an attribute the decoder reads");
    }
    return values[slot] == null ? AnyValue.getDefaultInstance() : values[slot];
  }

  /** The value as a number, NaN and the infinities included; null when absent or not a number. */
  private static Double number(AnyValue value) {
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

  private static Map<String, Integer> slots() {
    Map<String, Integer> slots = new HashMap<>();
    for (int i = 0; i < READ.size(); i++) {
      slots.put(READ.get(i), i);
    }
    return Map.copyOf(slots);
  }
}
