package dev.contextwatch.core.summary;

import dev.contextwatch.core.model.Costs;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How {@link SummaryCodec} reads a stored summary without trusting it: a value of the wrong type is
 * read as its default (0, null, empty) and noted; {@link #logged()} reports the session's bad fields
 * in one line. Never throws.
 */
final class LenientReader {
  private static final Logger LOG = LoggerFactory.getLogger(LenientReader.class);

  private final String sessionId;
  private final Set<String> unreadable = new TreeSet<>();

  LenientReader(String sessionId) {
    this.sessionId = sessionId;
  }

  long longAt(JsonObject json, String key) {
    Long value = nullableLongAt(json, key);
    return value == null ? 0L : value;
  }

  Long nullableLongAt(JsonObject json, String key) {
    Object value = json.getValue(key);
    if (value == null) {
      return null;
    }
    if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
      return ((Number) value).longValue();
    }
    if (value instanceof Number n && Double.isFinite(n.doubleValue())) {
      // a cast saturates, where BigInteger.longValue() would wrap
      return (long) n.doubleValue();
    }
    unreadable.add(key);
    return 0L;
  }

  double doubleAt(JsonObject json, String key) {
    Object value = json.getValue(key);
    if (value == null) {
      return 0.0;
    }
    if (value instanceof Number n && Double.isFinite(n.doubleValue())) {
      return n.doubleValue();
    }
    unreadable.add(key);
    return 0.0;
  }

  /**
   * A cost in micro-dollars: {@code costMicros}, or in a summary written before costs were added
   * in micro-dollars, {@code costUsd} rounded to the nearest one.
   */
  long costMicrosAt(JsonObject json) {
    Long micros = nullableLongAt(json, "costMicros");
    return micros != null ? micros : Costs.micros(doubleAt(json, "costUsd"));
  }

  /** A number, or null when there is none (or it is not one: then noted). */
  Double nullableDoubleAt(JsonObject json, String key) {
    Object value = json.getValue(key);
    return value == null ? null : numberOrNull(value, key);
  }

  /** A number read as a double, or null when it is not one (then noted). */
  Double numberOrNull(Object value, String key) {
    if (value instanceof Number n && Double.isFinite(n.doubleValue())) {
      return n.doubleValue();
    }
    unreadable.add(key);
    return null;
  }

  int intAt(JsonObject json, String key) {
    return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, longAt(json, key)));
  }

  boolean booleanAt(JsonObject json, String key) {
    Object value = json.getValue(key);
    if (value == null || value instanceof Boolean) {
      return Boolean.TRUE.equals(value);
    }
    unreadable.add(key);
    return false;
  }

  String stringAt(JsonObject json, String key) {
    Object value = json.getValue(key);
    if (value == null || value instanceof String) {
      return (String) value;
    }
    unreadable.add(key);
    return null;
  }

  Instant instantAt(JsonObject json, String key) {
    String text = stringAt(json, key);
    if (text == null) {
      return null;
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      unreadable.add(key);
      return null;
    }
  }

  JsonObject objectAt(JsonObject json, String key) {
    Object value = json.getValue(key);
    if (value instanceof JsonObject object) {
      return object;
    }
    if (value != null) {
      unreadable.add(key);
    }
    return new JsonObject();
  }

  JsonArray arrayAt(JsonObject json, String key) {
    Object value = json.getValue(key);
    if (value instanceof JsonArray array) {
      return array;
    }
    if (value != null) {
      unreadable.add(key);
    }
    return new JsonArray();
  }

  /** An element that should have been an object; null (noted) when it is not. */
  JsonObject asObject(Object value, String key) {
    if (value instanceof JsonObject object) {
      return object;
    }
    unreadable.add(key);
    return null;
  }

  /** An element that should have been a string; null (noted) when it is not. */
  String asString(Object value, String key) {
    if (value instanceof String text) {
      return text;
    }
    unreadable.add(key);
    return null;
  }

  /** Notes a field whose value could not be read. */
  void unreadable(String key) {
    unreadable.add(key);
  }

  /** Logs the fields that could not be read, once for this reading; true when there were any. */
  boolean logged() {
    if (unreadable.isEmpty()) {
      return false;
    }
    LOG.warn("event=session_summary_unreadable session_id={} fields={} action=read_as_zero_or_empty", sessionId, unreadable);
    return true;
  }
}
