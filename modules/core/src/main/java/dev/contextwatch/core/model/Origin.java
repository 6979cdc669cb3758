package dev.contextwatch.core.model;

import io.vertx.core.json.JsonObject;

/**
 * Where records came from: the resource attributes and the instrumentation scope. One instance is
 * shared by every record of one OTLP scope block.
 */
public record Origin(JsonObject resource, String scopeName, String scopeVersion) {}
