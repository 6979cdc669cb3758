package dev.contextwatch.core.model;

/**
 * What a client POSTs as plain JSON beside its OTLP: its hook deliveries and its status line. The
 * receiver stores each delivery as one event, as if it were an OTLP log record: scope
 * {@link #HOOKS_SCOPE} or {@link #STATUS_LINE_SCOPE}, event name {@code hook.<hook_event_name>} or
 * {@link #STATUS_LINE_EVENT}, the session from {@code session_id}, and the JSON flattened into
 * attributes with dotted keys. What it means is the client's source adapter's to say.
 */
public final class ClientJson {
  public static final String HOOKS_SCOPE = "contextwatch.hooks";
  public static final String STATUS_LINE_SCOPE = "contextwatch.statusline";
  public static final String HOOK_EVENT_PREFIX = "hook.";
  public static final String STATUS_LINE_EVENT = "statusline";

  private ClientJson() {}

  public static boolean fromClientJson(Origin origin) {
    return HOOKS_SCOPE.equals(origin.scopeName()) || STATUS_LINE_SCOPE.equals(origin.scopeName());
  }
}
