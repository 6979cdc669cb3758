package dev.contextwatch.core.summary;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The tile summary of a session (the live feed's and the fleet view's): the part of its summary a fleet's tile shows, in the summary's
 * own shape (so a client reads {@code totals.costUsd} or {@code context.prediction.requestsLeft}
 * from either), a few hundred bytes instead of a few kilobytes. The breakdowns (by model, thread,
 * tool), the metrics and the context samples are left out: a client reads them from the session's
 * own summary when it shows one session. Made from two places with one definition: in PostgreSQL
 * for a snapshot (so whole summaries are never sent for it), and here from a summary the
 * processor published. In PostgreSQL the stored summary is taken apart once per row
 * ({@link #SOURCE}): every {@code ->} on the stored value would decompress it again, which made a
 * snapshot of ten thousand tiles take seconds. It lives beside {@link SummaryCodec}, which writes
 * the summary, because it names the summary's fields too.
 */
public final class SummaryTiles {
  /** How a field is taken from the summary. */
  private enum Kind {
    /** as it is */
    VALUE,
    /** a number rounded to {@link Field#size} decimals (half away from zero, as PostgreSQL): the tile shows no more */
    ROUNDED,
    /** a string cut to {@link Field#size} characters */
    TEXT,
    /** the length of an array */
    COUNT
  }

  /** One field of the tile, at the same path as in the summary. */
  private record Field(List<String> path, Kind kind, int size) {}

  private static final List<Field> FIELDS = List.of(
      value("project"), value("label"), value("runId"), value("parentSessionId"), value("lastReceivedAt"),
      value("closedAt"), value("models"),
      value("totals.inputTokens"), value("totals.outputTokens"), value("totals.cacheReadTokens"),
      value("totals.cacheCreationTokens"), value("totals.costUsd"), value("totals.costMicros"), value("totals.apiRequests"),
      value("context.tokens"), value("context.window"), value("context.threshold"), value("context.model"),
      value("context.compactions"),
      new Field(List.of("context", "percentOfThreshold"), Kind.ROUNDED, 2),
      new Field(List.of("context", "samples"), Kind.COUNT, 0),
      new Field(List.of("context", "prediction", "requestsLeft"), Kind.ROUNDED, 2),
      new Field(List.of("context", "prediction", "minutesLeft"), Kind.ROUNDED, 2),
      value("lastTool"),
      new Field(List.of("lastPrompt"), Kind.TEXT, 160),
      value("waiting"), value("clientVersion"), value("resumed"), value("subagents.runCount"), value("context.thresholdSource"));

  /** The alias of {@link #SOURCE}. */
  private static final String ALIAS = "tile_source";

  /**
   * A FROM item over the {@code summary} column of a row aliased {@code s}: the summary's top-level
   * fields the tile uses, as jsonb, read with one decompression.
   */
  public static final String SOURCE = "jsonb_to_record(s.summary) AS " + ALIAS + "(" + FIELDS.stream().map(f -> f.path().get(0))
      .distinct().map(key -> quoted(key) + " jsonb").collect(Collectors.joining(", ")) + ")";

  /** The tile's JSON (json) as a PostgreSQL expression over {@link #SOURCE}, nulls left out. */
  public static final String SQL = "json_strip_nulls(" + sqlObject(tree(FIELDS)) + ")";

  private SummaryTiles() {}

  private static Field value(String dotted) {
    return new Field(List.of(dotted.split("\\.")), Kind.VALUE, 0);
  }

  /** The tile of a whole summary; its {@code sessionId}, {@code status} and {@code level} are copied as they are. */
  public static JsonObject of(JsonObject summary) {
    JsonObject tile = new JsonObject();
    for (String field : List.of("sessionId", "status", "level")) {
      if (summary.getValue(field) != null) {
        tile.put(field, summary.getValue(field));
      }
    }
    for (Field field : FIELDS) {
      // the objects on the path are made even when the value is missing, as jsonb_build_object makes them
      JsonObject parent = at(tile, field.path());
      Object value = take(summary, field);
      if (value != null) {
        parent.put(field.path().get(field.path().size() - 1), value);
      }
    }
    return tile;
  }

  private static Object take(JsonObject summary, Field field) {
    Object value = summary;
    for (String key : field.path()) {
      value = value instanceof JsonObject object ? object.getValue(key) : null;
    }
    return switch (field.kind()) {
      case VALUE -> value;
      case ROUNDED -> value instanceof Number n && Double.isFinite(n.doubleValue())
          ? BigDecimal.valueOf(n.doubleValue()).setScale(field.size(), RoundingMode.HALF_UP).doubleValue()
          : null;
      case TEXT -> value instanceof String text ? cut(text, field.size()) : null;
      case COUNT -> value instanceof JsonArray array ? array.size() : null;
    };
  }

  /** At most {@code max} characters, never splitting a surrogate pair (PostgreSQL counts code points). */
  private static String cut(String text, int max) {
    if (text.codePointCount(0, text.length()) <= max) {
      return text;
    }
    return text.substring(0, text.offsetByCodePoints(0, max));
  }

  /** The object the field's last key goes into, made along the path as needed. */
  private static JsonObject at(JsonObject tile, List<String> path) {
    JsonObject object = tile;
    for (String key : path.subList(0, path.size() - 1)) {
      JsonObject next = object.getJsonObject(key);
      if (next == null) {
        next = new JsonObject();
        object.put(key, next);
      }
      object = next;
    }
    return object;
  }

  /** The fields nested by path: a key maps to a field or to the map of the keys under it. */
  private static Map<String, Object> tree(List<Field> fields) {
    Map<String, Object> root = new LinkedHashMap<>();
    for (Field field : fields) {
      Map<String, Object> node = root;
      for (String key : field.path().subList(0, field.path().size() - 1)) {
        @SuppressWarnings("unchecked")
        Map<String, Object> next = (Map<String, Object>) node.computeIfAbsent(key, k -> new LinkedHashMap<String, Object>());
        node = next;
      }
      node.put(field.path().get(field.path().size() - 1), field);
    }
    return root;
  }

  @SuppressWarnings("unchecked")
  private static String sqlObject(Map<String, Object> node) {
    List<String> pairs = new ArrayList<>();
    node.forEach((key, child) -> pairs.add("'" + key + "', "
        + (child instanceof Field field ? sqlValue(field) : sqlObject((Map<String, Object>) child))));
    return "json_build_object(" + String.join(", ", pairs) + ")";
  }

  /** Only a value of the expected JSON type is taken, so no stored summary can make the snapshot fail. */
  private static String sqlValue(Field field) {
    String path = ALIAS + "." + quoted(field.path().get(0)) + (field.path().size() == 1 ? ""
        : " #> '{" + String.join(",", field.path().subList(1, field.path().size())) + "}'");
    return switch (field.kind()) {
      case VALUE -> path;
      case ROUNDED -> "CASE WHEN jsonb_typeof(" + path + ") = 'number' THEN round((" + path + ")::numeric, " + field.size() + ") END";
      case TEXT -> "CASE WHEN jsonb_typeof(" + path + ") = 'string' THEN left(" + path + " #>> '{}', " + field.size() + ") END";
      case COUNT -> "CASE WHEN jsonb_typeof(" + path + ") = 'array' THEN jsonb_array_length(" + path + ") END";
    };
  }

  private static String quoted(String identifier) {
    return '"' + identifier + '"';
  }
}
