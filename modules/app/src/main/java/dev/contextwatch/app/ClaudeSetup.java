package dev.contextwatch.app;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Merges contextwatch's blocks into a Claude Code settings.json (scripts/claude-setup.sh runs it):
 * the {@code env} block read on standard input (claude-env.sh --json's, plus where the status line
 * finds contextwatch), a hook posting to {@code <otlp>/v1/hooks} for every hook event, and the
 * {@code statusLine} command. Other keys, other env variables and other hooks are kept; a hook
 * group whose hook posts to a {@code /v1/hooks} URL is contextwatch's and is replaced, so a
 * second run gives the same file. Exit 2 for a bad argument, 1 for a file that cannot be merged.
 */
public final class ClaudeSetup {
  /** The hook events contextwatch reads (docs/claude-code-setup.md). */
  static final List<String> HOOK_EVENTS = List.of("SessionStart", "SessionEnd", "UserPromptSubmit", "PreToolUse",
      "PostToolUse", "Notification", "PermissionRequest", "Stop", "SubagentStop", "PreCompact", "PostCompact");
  static final String HOOKS_PATH = "/v1/hooks";
  /** The one event whose hook is a command (see {@link #commandHook}). */
  static final String COMMAND_HOOK_EVENT = "SessionStart";
  /** Seconds Claude Code waits for a hook's answer; contextwatch answers once the delivery is stored. */
  private static final int HOOK_TIMEOUT_SECONDS = 5;
  private static final String USAGE = "usage: claude-setup --settings FILE --statusline COMMAND [--otlp URL] [--api URL] [--token TOKEN]"
      + " (the env block as JSON on standard input)";

  private ClaudeSetup() {}

  /** A refusal with its exit status and a sentence naming what is wrong. */
  static final class SetupException extends Exception {
    final int status;

    SetupException(int status, String message) {
      super(message);
      this.status = status;
    }
  }

  public static void main(String[] args) {
    try {
      Map<String, String> options = options(args);
      JsonObject env = readEnv(new String(System.in.readAllBytes(), StandardCharsets.UTF_8));
      Path file = Path.of(options.get("--settings"));
      write(file, merge(read(file), env, options));
      System.out.println("claude-setup: wrote env, hooks and statusLine into " + file);
    } catch (SetupException e) {
      System.err.println("claude-setup: " + e.getMessage());
      System.exit(e.status);
    } catch (IOException e) {
      System.err.println("claude-setup: " + e.getMessage());
      System.exit(1);
    }
  }

  static Map<String, String> options(String[] args) throws SetupException {
    Map<String, String> options = new LinkedHashMap<>(Map.of("--otlp", "http://localhost:4318", "--api", "http://localhost:8080"));
    for (int i = 0; i < args.length; i += 2) {
      if (!List.of("--settings", "--statusline", "--otlp", "--api", "--token").contains(args[i])) {
        throw new SetupException(2, "unknown argument '" + args[i] + "'; " + USAGE);
      }
      if (i + 1 == args.length || args[i + 1].isEmpty()) {
        throw new SetupException(2, args[i] + " needs a value; " + USAGE);
      }
      options.put(args[i], args[i + 1]);
    }
    for (String required : List.of("--settings", "--statusline")) {
      if (!options.containsKey(required)) {
        throw new SetupException(2, required + " is missing; " + USAGE);
      }
    }
    for (String url : List.of("--otlp", "--api")) {
      String value = options.get(url);
      if (!value.startsWith("http://") && !value.startsWith("https://")) {
        throw new SetupException(2, url + " must start with http:// or https://, got '" + value + "'");
      }
      options.put(url, value.replaceAll("/+$", ""));
    }
    // the SessionStart hook's command quotes them with single quotes
    for (String quoted : List.of("--otlp", "--token")) {
      if (options.containsKey(quoted) && options.get(quoted).contains("'")) {
        throw new SetupException(2, quoted + " must not contain a single quote");
      }
    }
    return options;
  }

  private static JsonObject readEnv(String text) throws SetupException {
    JsonObject json = object(text, "the env block on standard input");
    return json.getValue("env") instanceof JsonObject env ? env : json;
  }

  /** The file's settings; none when it does not exist; refused when it is not a JSON object (it is left as it is). */
  static JsonObject read(Path file) throws IOException, SetupException {
    if (!Files.exists(file)) {
      return new JsonObject();
    }
    String text = Files.readString(file, StandardCharsets.UTF_8);
    return text.isBlank() ? new JsonObject() : object(text, file.toString());
  }

  private static JsonObject object(String text, String what) throws SetupException {
    try {
      return new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      throw new SetupException(1, what + " is not a JSON object; left unchanged");
    }
  }

  /** {@code settings} with contextwatch's env variables, hooks and status line. */
  static JsonObject merge(JsonObject settings, JsonObject envBlock, Map<String, String> options) throws SetupException {
    JsonObject merged = settings.copy();
    JsonObject env = section(merged, "env");
    envBlock.forEach(e -> env.put(e.getKey(), String.valueOf(e.getValue())));
    env.put("CONTEXTWATCH_OTLP", options.get("--otlp")).put("CONTEXTWATCH_API", options.get("--api"));
    if (options.containsKey("--token")) {
      env.put("CONTEXTWATCH_TOKEN", options.get("--token"));
    }
    JsonObject hooks = section(merged, "hooks");
    for (String event : HOOK_EVENTS) {
      JsonObject hook = event.equals(COMMAND_HOOK_EVENT) ? commandHook(options) : httpHook(options);
      JsonArray groups = hooks.getValue(event) instanceof JsonArray existing ? existing : new JsonArray();
      JsonArray kept = new JsonArray();
      groups.forEach(group -> {
        if (!ours(group)) {
          kept.add(group);
        }
      });
      hooks.put(event, kept.add(new JsonObject().put("hooks", new JsonArray().add(hook))));
    }
    merged.put("statusLine", new JsonObject().put("type", "command").put("command", options.get("--statusline")));
    return merged;
  }

  private static JsonObject httpHook(Map<String, String> options) {
    JsonObject hook = new JsonObject().put("type", "http").put("url", options.get("--otlp") + HOOKS_PATH)
        .put("timeout", HOOK_TIMEOUT_SECONDS);
    if (options.containsKey("--token")) {
      hook.put("headers", new JsonObject().put("Authorization", "Bearer " + options.get("--token")));
    }
    return hook;
  }

  /**
   * Claude Code (2.1.332) sends no http hook for SessionStart, only command ones: curl posts the
   * input, and its output, contextwatch's answer (with any additionalContext), is the hook's; when
   * contextwatch cannot be reached the hook answers {@code {}} rather than fail the session's start.
   */
  private static JsonObject commandHook(Map<String, String> options) {
    String auth = options.containsKey("--token") ? " -H 'Authorization: Bearer " + options.get("--token") + "'" : "";
    return new JsonObject().put("type", "command").put("command", "curl -s --max-time " + HOOK_TIMEOUT_SECONDS
        + " -H 'Content-Type: application/json'" + auth + " --data-binary @- '" + options.get("--otlp") + HOOKS_PATH
        + "' || echo '{}'").put("timeout", HOOK_TIMEOUT_SECONDS);
  }

  /** A matcher group with a hook posting to a /v1/hooks URL: contextwatch's, from an earlier run. */
  private static boolean ours(Object group) {
    return group instanceof JsonObject g && g.getValue("hooks") instanceof JsonArray hooks && hooks.stream()
        .anyMatch(h -> h instanceof JsonObject o && (o.getValue("url") instanceof String url && url.endsWith(HOOKS_PATH)
            || o.getValue("command") instanceof String command && command.contains(HOOKS_PATH + "'")));
  }

  /** The object under {@code key}, created when missing; refused when something else is there. */
  private static JsonObject section(JsonObject settings, String key) throws SetupException {
    Object value = settings.getValue(key);
    if (value == null) {
      JsonObject created = new JsonObject();
      settings.put(key, created);
      return created;
    }
    if (value instanceof JsonObject object) {
      return object;
    }
    throw new SetupException(1, "the settings' '" + key + "' is not a JSON object; left unchanged");
  }

  /** Written whole or not at all: to a file beside it, then moved over it. */
  private static void write(Path file, JsonObject settings) throws IOException {
    Path absolute = file.toAbsolutePath();
    Files.createDirectories(absolute.getParent());
    Path temporary = Files.createTempFile(absolute.getParent(), ".settings", ".json");
    Files.writeString(temporary, settings.encodePrettily() + "\n", StandardCharsets.UTF_8);
    Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
