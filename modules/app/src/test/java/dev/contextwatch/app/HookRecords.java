package dev.contextwatch.app;

import static dev.contextwatch.telemetry.Otlp.flag;
import static dev.contextwatch.telemetry.Otlp.integer;
import static dev.contextwatch.telemetry.Otlp.real;
import static dev.contextwatch.telemetry.Otlp.text;

import dev.contextwatch.core.model.ClientJson;
import dev.contextwatch.telemetry.ClaudeCode;
import dev.contextwatch.telemetry.EventHeader;
import dev.contextwatch.telemetry.Otlp;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.resource.v1.Resource;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Claude Code's hook deliveries as the receiver stores them (the issue 15 contract: scope {@code
 * contextwatch.hooks}, event {@code hook.<hook_event_name>}, the session from {@code session_id},
 * the input flattened into dotted attributes, the time of arrival), posted as the OTLP log records
 * they become; and the client's own events around them, at chosen times.
 */
final class HookRecords {
  private static final InstrumentationScope HOOKS = InstrumentationScope.newBuilder().setName(ClientJson.HOOKS_SCOPE).build();
  private static final Resource CLAUDE_CODE = Resource.newBuilder().addAttributes(text("service.name", ClaudeCode.SERVICE_NAME))
      .build();

  private HookRecords() {}

  /** A recorded hook input (test resource {@code /hooks/<name>.json}, copied from the real client) for {@code session}. */
  static JsonObject recorded(String name, String session) throws Exception {
    try (InputStream in = HookRecords.class.getResourceAsStream("/hooks/" + name + ".json")) {
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8)).put("session_id", session);
    }
  }

  /**
   * The permission prompt of the recorded Notification: the client's documented {@code
   * permission_prompt}, whose message names the tool waiting to be allowed.
   */
  static JsonObject permissionPrompt(String session) throws Exception {
    return recorded("notification-idle-prompt", session).put("notification_type", "permission_prompt")
        .put("message", "Claude needs your permission to use Bash");
  }

  /** The hook delivery {@code input} as stored when it arrived at {@code time}. */
  static Buffer hook(JsonObject input, Instant time) {
    List<KeyValue> attributes = new ArrayList<>();
    attributes.add(text("event.name", ClientJson.HOOK_EVENT_PREFIX + input.getString("hook_event_name")));
    attributes.add(text("session.id", input.getString("session_id")));
    flatten("", input, attributes);
    LogRecord record = LogRecord.newBuilder().setTimeUnixNano(nanos(time)).setObservedTimeUnixNano(nanos(time))
        .addAllAttributes(attributes).build();
    return Buffer.buffer(Otlp.logs(CLAUDE_CODE, HOOKS, List.of(record)).toByteArray());
  }

  /** A Claude Code event {@code name} of {@code session} in {@code project} at {@code time}. */
  static Buffer event(String project, String session, String name, Instant time, long sequence, KeyValue... attributes) {
    Resource resource = Resource.newBuilder().addAttributes(text("service.name", ClaudeCode.SERVICE_NAME))
        .addAttributes(text("service.namespace", project)).build();
    LogRecord record = EventHeader.of(session, nanos(time), sequence).record(name).addAllAttributes(List.of(attributes)).build();
    return Buffer.buffer(Otlp.logs(resource, ClaudeCode.EVENTS, List.of(record)).toByteArray());
  }

  /** Strings, numbers and booleans as such, arrays as JSON text, nulls dropped, objects by dotted keys. */
  private static void flatten(String prefix, JsonObject json, List<KeyValue> attributes) {
    json.forEach(entry -> {
      String key = prefix + entry.getKey();
      Object value = entry.getValue();
      if (value instanceof JsonObject object) {
        flatten(key + ".", object, attributes);
      } else if (value instanceof JsonArray array) {
        attributes.add(text(key, array.encode()));
      } else if (value instanceof String string) {
        attributes.add(text(key, string));
      } else if (value instanceof Boolean bool) {
        attributes.add(flag(key, bool));
      } else if (value instanceof Integer || value instanceof Long) {
        attributes.add(integer(key, ((Number) value).longValue()));
      } else if (value instanceof Number number) {
        attributes.add(real(key, number.doubleValue()));
      }
    });
  }

  private static long nanos(Instant time) {
    return time.getEpochSecond() * 1_000_000_000L + time.getNano();
  }
}
