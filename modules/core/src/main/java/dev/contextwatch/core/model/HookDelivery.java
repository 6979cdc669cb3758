package dev.contextwatch.core.model;

import io.vertx.core.json.JsonObject;

/**
 * A hook delivery the receiver stored, sent on {@code contextwatch.hooks.answer} (local codec) to
 * ask what to answer it with: its session, event name ({@code hook.<hook_event_name>}) and stored
 * attributes (the hook input flattened, content redacted unless {@code storeContent}). The reply is
 * a {@link HookAnswer}.
 */
public record HookDelivery(String sessionId, String eventName, JsonObject attributes) {}
