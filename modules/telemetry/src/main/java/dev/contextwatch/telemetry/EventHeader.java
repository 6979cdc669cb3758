package dev.contextwatch.telemetry;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import java.time.Instant;
import java.util.List;

/**
 * What every event of a session carries: its identity attributes (the CLI copies the resource's
 * OTEL_RESOURCE_ATTRIBUTES, the user, the session and the terminal onto every record), its time,
 * its sequence number in the session and the prompt it belongs to (null: none).
 */
public record EventHeader(List<KeyValue> identity, long timeNanos, long sequence, String promptId) {

  /** An event of session {@code sessionId} that carries nothing else of its session, outside any prompt. */
  public static EventHeader of(String sessionId, long timeNanos, long sequence) {
    return new EventHeader(List.of(Otlp.text("session.id", sessionId)), timeNanos, sequence, null);
  }

  /** The record of event {@code name} (body {@code claude_code.<name>}), ready for its own attributes. */
  public LogRecord.Builder record(String name) {
    LogRecord.Builder record = LogRecord.newBuilder()
        .setTimeUnixNano(timeNanos)
        .setObservedTimeUnixNano(timeNanos)
        .setBody(AnyValue.newBuilder().setStringValue("claude_code." + name))
        .addAllAttributes(identity)
        .addAttributes(Otlp.text("event.name", name))
        .addAttributes(Otlp.text("event.timestamp", Instant.ofEpochSecond(0, timeNanos).toString()))
        .addAttributes(Otlp.integer("event.sequence", sequence));
    if (promptId != null) {
      record.addAttributes(Otlp.text("prompt.id", promptId));
    }
    return record;
  }
}
