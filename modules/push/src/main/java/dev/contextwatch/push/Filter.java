package dev.contextwatch.push;

import dev.contextwatch.core.model.Synthetic;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a client subscribed to: sessions, projects, runs and frame types, and whether synthetic
 * sessions (simulated by a load test) are shown. A field left empty matches everything; the fields
 * given must all match. Empty {@code types} means every live type but {@code event}, which is per
 * record and comes only to clients that name it. Synthetic sessions are left out unless {@code
 * synthetic} is include or only.
 */
record Filter(Set<String> sessions, Set<String> projects, Set<String> runs, Set<String> types, Synthetic synthetic) {
  static final Filter EVERYTHING = fleet(Synthetic.EXCLUDE);
  private static final Set<String> FIELDS = Set.of("sessions", "projects", "runs", "types", "synthetic");

  /** Every session that {@code synthetic} shows, and every live type but events. */
  static Filter fleet(Synthetic synthetic) {
    return new Filter(Set.of(), Set.of(), Set.of(), Set.of(), synthetic);
  }

  /** The filter of a subscribe frame (absent: everything); fails naming the field that is wrong. */
  static Filter parse(Object json) {
    if (json == null) {
      return EVERYTHING;
    }
    if (!(json instanceof JsonObject filter)) {
      throw new ProtocolException("'filter' must be an object with any of " + new TreeSet<>(FIELDS));
    }
    for (String field : filter.fieldNames()) {
      if (!FIELDS.contains(field)) {
        throw new ProtocolException("unknown filter field '" + field + "'; use " + new TreeSet<>(FIELDS));
      }
    }
    Set<String> types = strings(filter, "types");
    for (String type : types) {
      if (!Frame.LIVE_TYPES.contains(type)) {
        throw new ProtocolException("unknown frame type '" + type + "' in filter.types; use " + new TreeSet<>(Frame.LIVE_TYPES));
      }
    }
    return new Filter(strings(filter, "sessions"), strings(filter, "projects"), strings(filter, "runs"), types,
        synthetic(filter.getValue("synthetic")));
  }

  private static Synthetic synthetic(Object value) {
    if (value == null) {
      return Synthetic.EXCLUDE;
    }
    return (value instanceof String label ? Synthetic.parse(label) : Optional.<Synthetic>empty()).orElseThrow(() ->
        new ProtocolException("filter.synthetic must be one of " + Synthetic.accepted() + ", got " + value));
  }

  private static Set<String> strings(JsonObject filter, String field) {
    Object value = filter.getValue(field);
    if (value == null) {
      return Set.of();
    }
    if (!(value instanceof JsonArray array)) {
      throw new ProtocolException("filter." + field + " must be an array of strings");
    }
    Set<String> strings = new LinkedHashSet<>();
    for (Object item : array) {
      if (!(item instanceof String text)) {
        throw new ProtocolException("filter." + field + " must be an array of strings, got " + item);
      }
      strings.add(text);
    }
    return Set.copyOf(strings);
  }

  /** Event frames come only to a client that names the type. */
  boolean namesEvents() {
    return types.contains(Frame.EVENT);
  }

  boolean matches(Frame frame) {
    return matches(frame.type, frame.sessionId, frame.project, frame.runId, frame.synthetic);
  }

  /** Whether a frame routed so would match, before it is made. */
  boolean matches(String type, String sessionId, String project, String runId, boolean syntheticSession) {
    return (types.isEmpty() ? !Frame.EVENT.equals(type) : types.contains(type))
        && matches(sessions, sessionId) && matches(projects, project) && matches(runs, runId)
        && synthetic.admits(syntheticSession);
  }

  /** A session without a project (or run) matches only a filter that names none. */
  private static boolean matches(Set<String> wanted, String value) {
    return wanted.isEmpty() || value != null && wanted.contains(value);
  }

  JsonObject toJson() {
    return new JsonObject()
        .put("sessions", new JsonArray(sessions.stream().sorted().toList()))
        .put("projects", new JsonArray(projects.stream().sorted().toList()))
        .put("runs", new JsonArray(runs.stream().sorted().toList()))
        .put("types", new JsonArray(types.stream().sorted().toList()))
        .put("synthetic", synthetic.label());
  }
}
