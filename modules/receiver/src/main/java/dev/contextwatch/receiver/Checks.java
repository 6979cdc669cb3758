package dev.contextwatch.receiver;

import com.google.protobuf.ByteString;
import dev.contextwatch.core.model.Costs;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;

/**
 * Why one record cannot be stored, if it cannot: the first of its fields found that would poison
 * or overflow a total, be stored at a wrong time, or not fit an index. A refused record is counted
 * in the request's partial success with this reason; its neighbours are stored.
 *
 * <ul>
 *   <li>Identifiers (session id, event, metric and span names, prompt id, model, and the
 *       attributes that become a session's identity) are at most {@value #MAX_ID_CHARS}
 *       characters: they land in indexed columns, and PostgreSQL refuses an index entry over
 *       about 2,700 bytes for the whole transaction (256 characters are at most 768 bytes of UTF-8).</li>
 *   <li>Times lie in [{@link #EARLIEST}, {@link #LATEST}); 0 means unknown, as in OTLP.</li>
 *   <li>Token counts are whole numbers from 0 to {@value #MAX_TOKENS} per record, costs from 0 to
 *       {@value #MAX_COST_USD} USD (in dollars or micro-dollars), durations at least 0, every one finite: NaN poisons a sum for
 *       good, and a few absurd counts overflow it.</li>
 * </ul>
 */
final class Checks {
  static final int MAX_ID_CHARS = 256;
  static final long MAX_TOKENS = 1_000_000_000_000L;
  static final double MAX_COST_USD = 1_000_000;
  static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");
  static final Instant LATEST = Instant.parse("2100-01-01T00:00:00Z");
  /** The identity attributes every session has; the run attributes are configured. */
  private static final List<String> IDENTITY = List.of("service.name", "service.namespace", "service.instance.id",
      "service.version", "user.id");

  private String problem;

  Checks() {}

  /** Checks that start out failed, for the records under a resource that is itself refused. */
  Checks(String problem) {
    this.problem = problem;
  }

  boolean failed() {
    return problem != null;
  }

  String problem() {
    return problem;
  }

  Checks id(String field, String value) {
    if (value != null && value.length() > MAX_ID_CHARS) {
      fail(field + " is " + value.length() + " characters long; at most " + MAX_ID_CHARS);
    }
    return this;
  }

  /** A binary trace or span id: {@code length} bytes, or none at all unless {@code required}. */
  Checks binaryId(String field, ByteString id, int length, boolean required) {
    if (id.size() != length && (required || !id.isEmpty())) {
      fail(field + " must be " + length + " bytes");
    }
    return this;
  }

  /** The identity attributes among {@code attributes} (as stored: what the session will read). */
  Checks identity(String where, JsonObject attributes, List<String> runAttributes) {
    IDENTITY.forEach(key -> attribute(where, attributes, key));
    runAttributes.forEach(key -> attribute(where, attributes, key));
    return this;
  }

  /** A time in Unix nanoseconds; 0 is unknown. */
  Checks time(String field, long unixNanos) {
    return unixNanos == 0 ? this : time(field, OtlpDecoder.instant(unixNanos));
  }

  Checks time(String field, Instant time) {
    if (time != null && (time.isBefore(EARLIEST) || !time.isBefore(LATEST))) {
      fail(field + " " + time + " is outside the plausible range " + EARLIEST + " to " + LATEST);
    }
    return this;
  }

  Checks finite(String field, Double value) {
    if (value != null && !Double.isFinite(value)) {
      fail(field + " must be a finite number, got " + value);
    }
    return this;
  }

  Checks notNegative(String field, Double value) {
    finite(field, value);
    if (value != null && value < 0) {
      fail(field + " must not be negative, got " + text(value));
    }
    return this;
  }

  private void atMost(String field, Double value, double max, String unit) {
    notNegative(field, value);
    if (value != null && value > max) {
      fail(field + " is " + text(value) + "; at most " + text(max) + " " + unit + " per record");
    }
  }

  /** A token count as a whole number, or null when absent or refused. */
  Long tokens(String field, Double value) {
    atMost(field, value, MAX_TOKENS, "tokens");
    return value == null || failed() ? null : Math.round(value);
  }

  Double cost(String field, Double value) {
    atMost(field, value, MAX_COST_USD, "USD");
    return failed() ? null : value;
  }

  /**
   * An event's cost in micro-dollars: {@code cost_usd_micros} when the client sends it (Claude Code
   * 2.1.x sends it beside {@code cost_usd}), else {@code cost_usd} rounded once; null when absent or refused.
   */
  Long costMicros(Double micros, Double usd) {
    if (micros == null) {
      Double dollars = cost("cost_usd", usd);
      return dollars == null ? null : Costs.micros(dollars);
    }
    atMost("cost_usd_micros", micros, MAX_COST_USD * Costs.MICROS_PER_USD, "micro-dollars");
    return failed() ? null : Math.round(micros);
  }

  Double duration(String field, Double value) {
    notNegative(field, value);
    return failed() ? null : value;
  }

  private void attribute(String where, JsonObject attributes, String key) {
    Object value = attributes.getValue(key);
    if (value != null) {
      id(where + " attribute " + key, value.toString());
    }
  }

  /** 1500 rather than 1500.0, 9.0E18 as it is. */
  private static String text(double value) {
    return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
  }

  private void fail(String reason) {
    if (problem == null) {
      problem = reason;
    }
  }
}
