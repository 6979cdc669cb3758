package dev.contextwatch.receiver;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A client's plain JSON (a hook input, a status line) as the attributes of one record, so that it
 * is stored and read as an OTLP log record's would be: nested objects flattened with dotted keys
 * ({@code context_window.used_percentage}), strings, whole numbers, other numbers and booleans kept
 * as such, arrays as their JSON text, nulls dropped. The value of a content key ({@code
 * tool_input}, ...) stays one attribute, its JSON text when structured, so that it is redacted as a
 * whole unless content is stored.
 */
final class FlatJson {
  private FlatJson() {}

  static List<KeyValue> attributes(JsonObject json, Set<String> wholeKeys) {
    List<KeyValue> attributes = new ArrayList<>();
    add(attributes, "", json, wholeKeys);
    return attributes;
  }

  private static void add(List<KeyValue> into, String prefix, JsonObject json, Set<String> wholeKeys) {
    for (Map.Entry<String, Object> entry : json) {
      String key = prefix + entry.getKey();
      Object value = entry.getValue();
      if (value instanceof JsonObject nested && !wholeKeys.contains(key)) {
        add(into, key + ".", nested, wholeKeys);
      } else if (value != null) {
        into.add(KeyValue.newBuilder().setKey(key).setValue(value(value)).build());
      }
    }
  }

  private static AnyValue value(Object value) {
    AnyValue.Builder any = AnyValue.newBuilder();
    if (value instanceof String text) {
      return any.setStringValue(text).build();
    }
    if (value instanceof Boolean bool) {
      return any.setBoolValue(bool).build();
    }
    if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
      return any.setIntValue(((Number) value).longValue()).build();
    }
    if (value instanceof BigInteger || value instanceof BigDecimal) {
      // beyond a long or a double's precision: its exact text, rather than a rounded number
      return any.setStringValue(value.toString()).build();
    }
    if (value instanceof Number number) {
      return any.setDoubleValue(number.doubleValue()).build();
    }
    if (value instanceof JsonObject object) {
      return any.setStringValue(object.encode()).build();
    }
    return any.setStringValue(value instanceof JsonArray array ? array.encode() : value.toString()).build();
  }
}
