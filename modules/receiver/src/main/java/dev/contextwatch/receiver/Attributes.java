package dev.contextwatch.receiver;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Base64;
import java.util.List;

/**
 * OTLP attributes as JSON, and tolerant readers for the numbers inside them: Claude Code sends a
 * number as int, double or string depending on version and value.
 */
final class Attributes {
  private Attributes() {}

  static JsonObject toJson(List<KeyValue> attributes) {
    JsonObject json = new JsonObject();
    for (KeyValue kv : attributes) {
      json.put(Text.clean(kv.getKey()), toJava(kv.getValue()));
    }
    return json;
  }

  static Object toJava(AnyValue value) {
    return switch (value.getValueCase()) {
      case STRING_VALUE -> Text.clean(value.getStringValue());
      case BOOL_VALUE -> value.getBoolValue();
      case INT_VALUE -> value.getIntValue();
      // jsonb has no NaN or Infinity: keep them as text rather than fail the whole batch
      case DOUBLE_VALUE -> Double.isFinite(value.getDoubleValue()) ? value.getDoubleValue() : Double.toString(value.getDoubleValue());
      case ARRAY_VALUE -> new JsonArray(value.getArrayValue().getValuesList().stream().map(Attributes::toJava).toList());
      case KVLIST_VALUE -> toJson(value.getKvlistValue().getValuesList());
      case BYTES_VALUE -> Base64.getEncoder().encodeToString(value.getBytesValue().toByteArray());
      case VALUE_NOT_SET -> null;
    };
  }

  /** The value of {@code key} in the record's attributes, else in the resource's, as text. */
  static String string(JsonObject attributes, JsonObject resource, String key) {
    Object value = attributes.getValue(key);
    if (value == null) {
      value = resource.getValue(key);
    }
    return value == null ? null : value.toString();
  }

  static Long wholeNumber(JsonObject attributes, String key) {
    Double number = number(attributes, key);
    return number == null ? null : Math.round(number);
  }

  static Double number(JsonObject attributes, String key) {
    Object value = attributes.getValue(key);
    if (value instanceof Number n) {
      return n.doubleValue();
    }
    if (value instanceof String s) {
      try {
        return Double.parseDouble(s.trim());
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }
}
