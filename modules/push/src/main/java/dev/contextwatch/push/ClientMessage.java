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
 * {@code {"op": "pong"}}. A position is a number, or {@code "node:number"} from a node of a cluster:
 * {@code resumeNode} is then the node it names (else null).
 */
record ClientMessage(Op op, Filter filter, Long resumeFrom, SummaryShape shape, String resumeNode) {
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
      return new ClientMessage(op, null, null, null, null);
    }
    Position resumeFrom = position(json.getValue("resume_from"));
    return new ClientMessage(op, Filter.parse(json.getValue("filter")), resumeFrom.number(), shape(json.getValue("summary")),
        resumeFrom.node());
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

  /** A position as a frame carried it; both null when there is none. */
  private record Position(String node, Long number) {}

  private static Position position(Object value) {
    if (value == null) {
      return new Position(null, null);
    }
    if (value instanceof Number n && n.doubleValue() == n.longValue() && n.longValue() >= 0) {
      return new Position(null, n.longValue());
    }
    if (value instanceof String text && text.lastIndexOf(':') > 0) {
      int colon = text.lastIndexOf(':');
      String digits = text.substring(colon + 1);
      if (!digits.isEmpty() && digits.length() < 19 && digits.chars().allMatch(Character::isDigit)) {
        return new Position(text.substring(0, colon), Long.parseLong(digits));
      }
    }
    throw new ProtocolException("'resume_from' must be the position of a frame received earlier (an integer >= 0, or"
        + " \"node:integer\" from a node of a cluster), got " + value);
  }
}
