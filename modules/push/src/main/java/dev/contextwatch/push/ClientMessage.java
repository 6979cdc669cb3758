package dev.contextwatch.push;

import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * A frame a client sent: {@code {"op": "subscribe", "filter": {...}, "resume_from": position,
 * "summary": "full" | "tile"}}, {@code {"op": "unsubscribe"}}, {@code {"op": "ping"}} or
 * {@code {"op": "pong"}}.
 */
record ClientMessage(Op op, Filter filter, Long resumeFrom, SummaryShape shape) {
  enum Op {
    SUBSCRIBE(Set.of("op", "filter", "resume_from", "summary")),
    UNSUBSCRIBE(Set.of("op")),
    PING(Set.of("op")),
    PONG(Set.of("op"));

    private final Set<String> fields;

    Op(Set<String> fields) {
      this.fields = fields;
    }

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Parses one text frame; fails with a sentence saying what is wrong. */
  static ClientMessage parse(String text) {
    JsonObject json = object(text);
    Op op = op(json.getValue("op"));
    for (String field : json.fieldNames()) {
      if (!op.fields.contains(field)) {
        throw new ProtocolException("unknown field '" + field + "' for op '" + op.label() + "'; it takes " + new TreeSet<>(op.fields));
      }
    }
    if (op != Op.SUBSCRIBE) {
      return new ClientMessage(op, null, null, null);
    }
    return new ClientMessage(op, Filter.parse(json.getValue("filter")), position(json.getValue("resume_from")),
        shape(json.getValue("summary")));
  }

  private static JsonObject object(String text) {
    try {
      return new JsonObject(text);
    } catch (RuntimeException e) {
      throw new ProtocolException("a frame must be a JSON object such as {\"op\":\"subscribe\"}");
    }
  }

  private static Op op(Object value) {
    return Arrays.stream(Op.values()).filter(op -> op.label().equals(value)).findFirst()
        .orElseThrow(() -> new ProtocolException("'op' must be one of "
            + Arrays.stream(Op.values()).map(Op::label).collect(Collectors.joining(", ")) + ", got " + value));
  }

  private static SummaryShape shape(Object value) {
    if (value == null) {
      return SummaryShape.FULL;
    }
    return SummaryShape.parse(value).orElseThrow(() -> new ProtocolException("'summary' must be one of "
        + SummaryShape.accepted() + ", got " + value));
  }

  private static Long position(Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof Number n && n.doubleValue() == n.longValue() && n.longValue() >= 0) {
      return n.longValue();
    }
    throw new ProtocolException("'resume_from' must be the position of a frame received earlier (an integer >= 0), got " + value);
  }
}
