package dev.contextwatch.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Nests the sessions of a run by {@code parentSessionId}: each node is the session's JSON with its
 * {@code children}. A session whose parent is not in the run is a root; so is one whose parent
 * link would close a loop, so that every session appears exactly once.
 */
final class RunTree {
  private RunTree() {}

  /** @param sessions the run's session JSON, in the order children should be listed */
  static JsonArray build(List<JsonObject> sessions) {
    Map<String, JsonObject> byId = new LinkedHashMap<>();
    sessions.forEach(s -> byId.put(s.getString("sessionId"), s.put("children", new JsonArray())));
    Map<String, String> parentOf = new HashMap<>();
    JsonArray roots = new JsonArray();
    for (JsonObject session : sessions) {
      String id = session.getString("sessionId");
      String parent = session.getString("parentSessionId");
      if (parent != null && byId.containsKey(parent) && !reaches(parent, id, parentOf)) {
        parentOf.put(id, parent);
        byId.get(parent).getJsonArray("children").add(session);
      } else {
        roots.add(session);
      }
    }
    return roots;
  }

  /** Whether following the links already made from {@code start} arrives at {@code target}. */
  private static boolean reaches(String start, String target, Map<String, String> parentOf) {
    for (String id = start; id != null; id = parentOf.get(id)) {
      if (id.equals(target)) {
        return true;
      }
    }
    return false;
  }
}
