package dev.contextwatch.processor;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/** Order-independent identity of attribute sets: the key of a metric series. */
final class Canonical {
  private Canonical() {}

  /** Resource attributes + metric name + point attributes, hashed (128 bits, hex). */
  static String seriesKey(JsonObject resource, String metricName, JsonObject attributes) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update(sorted(resource).toString().getBytes(StandardCharsets.UTF_8));
      digest.update((byte) 0);
      digest.update(metricName.getBytes(StandardCharsets.UTF_8));
      digest.update((byte) 0);
      digest.update(sorted(attributes).toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest.digest(), 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every JRE", e);
    }
  }

  private static Object sorted(Object value) {
    if (value instanceof JsonObject object) {
      Map<String, Object> map = new TreeMap<>();
      object.forEach(e -> map.put(e.getKey(), sorted(e.getValue())));
      return new JsonObject(map).encode();
    }
    if (value instanceof JsonArray array) {
      JsonArray copy = new JsonArray();
      array.forEach(v -> copy.add(sorted(v)));
      return copy.encode();
    }
    return String.valueOf(value);
  }
}
