package dev.contextwatch.receiver;

import dev.contextwatch.core.config.ReceiverConfig;
import dev.contextwatch.core.model.EventRecord;
import dev.contextwatch.core.model.Origin;
import dev.contextwatch.core.model.RecordBatch;
import dev.contextwatch.core.model.Signal;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;

/**
 * Turns one delivery of a {@link ClientChannel} (a JSON object) into one event, stored as an OTLP
 * log record would be: scope {@link ClientChannel#scope}, the session from {@code session_id}, the
 * JSON flattened into attributes ({@link FlatJson}) under the same content and size rules
 * ({@link StoredValues}), dated by its arrival. Its dedup key hashes the channel and the JSON as
 * sent, so a delivery the client repeats is stored once. A body that is not such a JSON object is
 * a 400 saying what is wrong.
 */
final class ClientJsonDecoder {
  private final ReceiverConfig config;

  ClientJsonDecoder(ReceiverConfig config) {
    this.config = config;
  }

  RecordBatch decode(ClientChannel channel, Buffer body, Instant arrival) {
    JsonObject json = object(body);
    String sessionId = json.getValue(ClientChannel.SESSION_ID) instanceof String id ? id : null;
    if (sessionId == null || sessionId.isBlank()) {
      throw new OtlpException(400, "body has no " + ClientChannel.SESSION_ID + " string");
    }
    String eventName = channel.eventName(json);
    Checks checks = new Checks().id(ClientChannel.SESSION_ID, sessionId).id(ClientChannel.HOOK_EVENT_NAME, eventName);
    StoredValues stored = new StoredValues(config);
    List<KeyValue> wire = FlatJson.attributes(json, StoredValues.CONTENT_KEYS);
    JsonObject attributes = stored.attributes(wire);
    JsonObject sent = stored.cutAnything() ? stored.unlimited().attributes(wire) : null;
    checks.identity("body", attributes, config.runAttributes());
    if (checks.failed()) {
      throw new OtlpException(400, checks.problem());
    }
    String key = DedupKeys.of("client-json").text(channel.scope).bytes(body.getBytes()).key();
    EventRecord event = new EventRecord(arrival, arrival, Text.clean(sessionId), Text.clean(eventName), null,
        null, null, null, null, null, null, null, null, 0, null, null, null, null,
        new Origin(new JsonObject(), channel.scope, null), attributes, key, sent);
    return new RecordBatch(Signal.LOGS, List.of(event), List.of(), List.of(), 0, null);
  }

  private static JsonObject object(Buffer body) {
    Object parsed;
    try {
      parsed = Json.decodeValue(body);
    } catch (DecodeException e) {
      throw new OtlpException(400, "body is not valid JSON: " + Refusal.detail(e, "cannot be parsed"));
    }
    if (!(parsed instanceof JsonObject json)) {
      throw new OtlpException(400, "body must be a JSON object");
    }
    return json;
  }
}
