package dev.contextwatch.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** One page of a list: its bounds, and the response that carries it. */
record Page(int limit, int offset) {
  JsonObject json(JsonArray items, long total) {
    return new JsonObject().put("items", items).put("total", total).put("limit", limit).put("offset", offset);
  }
}
