package dev.contextwatch.receiver;

import dev.contextwatch.core.model.ClientJson;
import io.vertx.core.json.JsonObject;

/**
 * A channel on which a client POSTs plain JSON beside its OTLP: its hook deliveries and its status
 * line. The receiver knows only how each names its records ({@link ClientJson}); what a hook or a
 * status line means is its client's source adapter's to say.
 */
enum ClientChannel {
  HOOKS("/v1/hooks", ClientJson.HOOKS_SCOPE) {
    @Override
    String eventName(JsonObject json) {
      if (!(json.getValue(HOOK_EVENT_NAME) instanceof String name) || name.isBlank()) {
        throw new OtlpException(400, "hook input has no " + HOOK_EVENT_NAME + " string");
      }
      return ClientJson.HOOK_EVENT_PREFIX + name;
    }
  },
  STATUS_LINE("/v1/statusline", ClientJson.STATUS_LINE_SCOPE) {
    @Override
    String eventName(JsonObject json) {
      return ClientJson.STATUS_LINE_EVENT;
    }
  };

  static final String SESSION_ID = "session_id";
  static final String HOOK_EVENT_NAME = "hook_event_name";

  /** The HTTP path on the OTLP/HTTP port. */
  final String path;
  /** The scope name its records are stored under. */
  final String scope;

  ClientChannel(String path, String scope) {
    this.path = path;
    this.scope = scope;
  }

  /** The event name of one delivery; a 400 when the JSON does not say what the channel needs. */
  abstract String eventName(JsonObject json);
}
