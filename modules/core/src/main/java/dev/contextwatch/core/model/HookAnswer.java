package dev.contextwatch.core.model;

import io.vertx.core.json.JsonObject;

/**
 * What a hook delivery is answered with: the hook output the client reads (for Claude Code's
 * {@code SessionStart}, {@code {"hookSpecificOutput": {"hookEventName": "SessionStart",
 * "additionalContext": "..."}}}); {@link #NONE} when there is nothing to hand back.
 */
public record HookAnswer(JsonObject output) {
  public static final HookAnswer NONE = new HookAnswer(new JsonObject());

  public HookAnswer {
    output = output.copy();
  }
}
