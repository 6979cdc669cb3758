package dev.contextwatch.receiver;

import com.google.protobuf.ByteString;
import dev.contextwatch.core.model.Plausible;
import dev.contextwatch.core.model.RecordChecks;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;

/**
 * Why one record cannot be stored, if it cannot: the first of its fields found that would poison
 * a total, be stored at a wrong time, or not fit an index (wording and bounds in
 * {@link Plausible}). A refused record is counted in the request's partial success with this
 * reason; its neighbours are stored. These checks know no client: a client's own fields (token
 * counts, costs) are checked by its source adapter in the processor.
 *
 * <ul>
 *   <li>Identifiers (session id, event, metric and span names, and the attributes that become a
 *       session's identity) are at most {@value Plausible#MAX_ID_CHARS} characters.</li>
 *   <li>Times lie in [{@link #EARLIEST}, {@link #LATEST}); 0 means unknown, as in OTLP.</li>
 *   <li>A metric's value must be finite, and not negative in a monotonic sum.</li>
 * </ul>
 */
final class Checks extends RecordChecks<Checks> {
  static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");
  static final Instant LATEST = Instant.parse("2100-01-01T00:00:00Z");
  /** The identity attributes every session has; the run attributes are configured. */
  private static final List<String> IDENTITY = List.of("service.name", "service.namespace", "service.instance.id",
      "service.version", "user.id");

  Checks() {
    super(null);
  }

  /** Checks that start out failed, for the records under a resource that is itself refused. */
  Checks(String problem) {
    super(problem);
  }

  /** A binary trace or span id: {@code length} bytes, or none at all unless {@code required}. */
  Checks binaryId(String field, ByteString id, int length, boolean required) {
    return fail(id.size() != length && (required || !id.isEmpty()) ? field + " must be " + length + " bytes" : null);
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
    return fail(time != null && (time.isBefore(EARLIEST) || !time.isBefore(LATEST))
        ? field + " " + time + " is outside the plausible range " + EARLIEST + " to " + LATEST : null);
  }

  private void attribute(String where, JsonObject attributes, String key) {
    Object value = attributes.getValue(key);
    // the attribute is named only for a value that fails: this runs for every record
    if (value != null && Plausible.id(key, value.toString()) != null) {
      id(where + " attribute " + key, value.toString());
    }
  }

  @Override
  protected Checks self() {
    return this;
  }
}
