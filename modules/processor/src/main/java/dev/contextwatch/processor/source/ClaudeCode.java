package dev.contextwatch.processor.source;

import dev.contextwatch.core.model.ClientJson;
import dev.contextwatch.core.model.EventRecord;
import dev.contextwatch.core.model.MetricPoint;
import dev.contextwatch.core.model.MetricPoint.MetricType;
import dev.contextwatch.core.model.Models;
import dev.contextwatch.core.model.Plausible;
import dev.contextwatch.core.summary.SessionSummary;
import dev.contextwatch.processor.source.UsageFact.MetricTotal;
import dev.contextwatch.processor.source.UsageFact.Thread;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Claude Code's telemetry (docs: the client's events and metrics). Recognised by its
 * instrumentation scopes ({@code com.anthropic.claude_code}, {@code ....events}, {@code ....tracing}),
 * else by its vocabulary: a {@code claude_code.*} metric, an event whose body is
 * {@code claude_code.<name>}, or, from a sender that names no scope, one of the events it maps.
 */
final class ClaudeCode implements SourceAdapter {
  private static final String SCOPE = "com.anthropic.claude_code";
  private static final String PREFIX = "claude_code.";
  private static final String REDACTED = "<REDACTED>";
  private static final Set<String> EVENTS = Set.of("user_prompt", "api_request", "api_error", "assistant_response",
      "tool_decision", "tool_result", "compaction", "subagent_completed", "api_retries_exhausted");
  /** Far beyond any plan's overage: a percentage above it is not one. */
  private static final double MAX_PERCENTAGE = 10_000;
  private static final String PROMPT_TOO_LONG = "prompt is too long";
  private static final String HOOK_SESSION_START = ClientJson.HOOK_EVENT_PREFIX + "SessionStart";
  private static final String HOOK_SESSION_END = ClientJson.HOOK_EVENT_PREFIX + "SessionEnd";
  private static final String HOOK_PRE_COMPACT = ClientJson.HOOK_EVENT_PREFIX + "PreCompact";
  private static final String HOOK_POST_COMPACT = ClientJson.HOOK_EVENT_PREFIX + "PostCompact";
  /** SessionStart sources after which the session goes on with an earlier transcript. */
  private static final Set<String> CONTINUING_SOURCES = Set.of("resume", "compact");
  private static final String TRANSCRIPT_SUFFIX = ".jsonl";
  private static final String TOKEN_USAGE = "claude_code.token.usage";
  private static final String COST_USAGE = "claude_code.cost.usage";
  private static final String SESSION_COUNT = "claude_code.session.count";
  private static final String NOTIFICATION_HOOK = ClientJson.HOOK_EVENT_PREFIX + "Notification";
  private static final String PERMISSION_PROMPT = "permission_prompt";
  /** The Notification hook's notification_type values that say the client waits for a person. */
  private static final Set<String> WAITING_NOTIFICATIONS = Set.of(PERMISSION_PROMPT, "idle_prompt");
  /**
   * The permission dialog opening, one delivery per prompt with the tool's input. The Notification
   * of a second prompt in one turn repeats the first's body exactly, so it is stored once (checked
   * with 2.1.332): this hook is what makes that second wait seen.
   */
  /**
   * The client's telemetry of its own hooks running (2.1.332): not work of the session; the
   * completion of the hook that said the session waits comes after it and must not end the wait.
   */
  private static final Set<String> HOOK_RUNS = Set.of("hook_execution_start", "hook_execution_complete");
  private static final String PERMISSION_REQUEST_HOOK = ClientJson.HOOK_EVENT_PREFIX + "PermissionRequest";
  /** query_source of the main thread's requests: older clients, headless runs, a terminal's REPL (2.1.332). */
  private static final Set<String> MAIN_SOURCES = Set.of("main", "sdk", "repl_main_thread");
  /** query_source of a subagent's request since 2.1.3xx: agent:&lt;source&gt;:&lt;type&gt;, e.g. agent:builtin:general-purpose. */
  private static final String AGENT_PREFIX = "agent:";
  /** The type of a subagent whose client did not name it (query_source subagent, older clients). */
  private static final String UNNAMED_SUBAGENT = "unnamed";
  private static final Map<String, MetricTotal> TOKEN_TYPES = Map.of("input", MetricTotal.INPUT_TOKENS,
      "output", MetricTotal.OUTPUT_TOKENS, "cacheRead", MetricTotal.CACHE_READ_TOKENS,
      "cacheCreation", MetricTotal.CACHE_CREATION_TOKENS);
  private static final Map<String, MetricTotal> LINE_TYPES = Map.of("added", MetricTotal.LINES_ADDED,
      "removed", MetricTotal.LINES_REMOVED);
  private static final Map<String, MetricTotal> COUNTERS = Map.of(
      COST_USAGE, MetricTotal.COST_USD,
      "claude_code.commit.count", MetricTotal.COMMITS,
      "claude_code.pull_request.count", MetricTotal.PULL_REQUESTS,
      "claude_code.active_time.total", MetricTotal.ACTIVE_TIME_SECONDS);

  @Override
  public boolean recognises(EventRecord event) {
    String scope = event.origin().scopeName();
    // hooks and the status line: Claude Code is the one client that sends them today
    if (scope != null && scope.startsWith(SCOPE) || startsWith(event.body(), PREFIX) || ClientJson.fromClientJson(event.origin())) {
      return true;
    }
    return scope == null && event.eventName() != null && EVENTS.contains(event.eventName());
  }

  @Override
  public boolean recognises(MetricPoint point) {
    return startsWith(point.origin().scopeName(), SCOPE) || startsWith(point.metricName(), PREFIX);
  }

  /**
   * Every event's usage columns, read tolerantly (int, double or string) from its attributes as
   * sent; refused when one would poison or overflow a total, or not fit its indexed column.
   */
  @Override
  public Reading read(EventRecord event) {
    JsonObject sent = event.attributesAsSent();
    String promptId = SentAttributes.string(sent, "prompt.id");
    String model = SentAttributes.string(sent, "model");
    UsageChecks checks = new UsageChecks().id("prompt.id", promptId).id("model", model);
    Long input = checks.tokens("input_tokens", SentAttributes.number(sent, "input_tokens"));
    Long output = checks.tokens("output_tokens", SentAttributes.number(sent, "output_tokens"));
    Long cacheRead = checks.tokens("cache_read_tokens", SentAttributes.number(sent, "cache_read_tokens"));
    Long cacheCreation = checks.tokens("cache_creation_tokens", SentAttributes.number(sent, "cache_creation_tokens"));
    Long costMicros = checks.costMicros("cost_usd_micros", SentAttributes.number(sent, "cost_usd_micros"),
        "cost_usd", SentAttributes.number(sent, "cost_usd"));
    Double duration = checks.duration("duration_ms", SentAttributes.number(sent, "duration_ms"));
    return checks.failed() ? Reading.refused(checks.problem())
        : Reading.of(event.withUsage(promptId, model, input, output, cacheRead, cacheCreation, costMicros, duration));
  }

  /**
   * Every claude_code.* metric is a counter, so never negative; token and cost usage are held to
   * the per-record bounds of events (for a whole session's running total, more than enough).
   */
  @Override
  public String refusal(MetricPoint point) {
    if (point.value() == null || (point.type() != MetricType.SUM && point.type() != MetricType.GAUGE)) {
      return null;
    }
    String problem = switch (point.metricName()) {
      case TOKEN_USAGE -> Plausible.atMost("value", point.value(), UsageChecks.MAX_TOKENS, "tokens");
      case COST_USAGE -> Plausible.atMost("value", point.value(), UsageChecks.MAX_COST_USD, "USD");
      default -> point.metricName().startsWith(PREFIX) ? Plausible.notNegative("value", point.value()) : null;
    };
    return problem == null ? null : "data point of '" + Plausible.quoted(point.metricName()) + "': " + problem;
  }

  @Override
  public List<UsageFact> facts(EventRecord event) {
    List<UsageFact> facts = new ArrayList<>(2);
    if (event.model() != null) {
      facts.add(new UsageFact.ModelNamed(event.model(), false));
    }
    UsageFact fact = fact(event);
    if (fact != null) {
      facts.add(fact);
    }
    return facts;
  }

  /**
   * A Notification hook of a permission or idle prompt: the session waits for a person. Any other
   * event shows it at work, but for other notifications and the status line, which report on the
   * session without moving it (null). tool.blocked_on_user spans say nothing here: a span is only
   * exported once it ended, when the wait is already over.
   */
  @Override
  public UsageFact attention(EventRecord e) {
    if (PERMISSION_REQUEST_HOOK.equals(e.eventName())) {
      return new UsageFact.WaitingForInput(PERMISSION_PROMPT);
    }
    if (NOTIFICATION_HOOK.equals(e.eventName())) {
      String type = SentAttributes.string(e.attributes(), "notification_type");
      return type != null && WAITING_NOTIFICATIONS.contains(type) ? new UsageFact.WaitingForInput(type) : null;
    }
    return ClientJson.STATUS_LINE_SCOPE.equals(e.origin().scopeName()) || HOOK_RUNS.contains(e.eventName()) ? null
        : new UsageFact.Worked();
  }

  private static UsageFact fact(EventRecord e) {
    return switch (e.eventName() == null ? "" : e.eventName()) {
      case "user_prompt" -> new UsageFact.Prompt(e.promptId(),
          e.attributes().getValue("prompt") instanceof String p && !p.equals(REDACTED) ? p : null);
      case "api_request" -> request(e);
      case "api_error" -> requestError(e.attributes());
      case "api_retries_exhausted" -> new UsageFact.RetriesExhausted(thread(e.attributes()),
          SentAttributes.string(e.attributes(), "error"), count(e.attributes(), "total_attempts"));
      case "tool_result" -> new UsageFact.ToolResult(e.attributes().getString("tool_name", "unknown"),
          isTrue(e.attributes().getValue("success")));
      case "compaction" -> new UsageFact.Compaction(whole(e.attributes(), "post_tokens"),
          SentAttributes.string(e.attributes(), "trigger"), !isFalse(e.attributes().getValue("success")),
          whole(e.attributes(), "pre_tokens"));
      case "subagent_completed" -> subagentRun(e.attributes());
      case HOOK_SESSION_START -> sessionOpened(e);
      case HOOK_SESSION_END -> new UsageFact.SessionEnded(SentAttributes.string(e.attributes(), "reason"));
      case HOOK_PRE_COMPACT -> new UsageFact.CompactionStarting(SentAttributes.string(e.attributes(), "trigger"));
      case HOOK_POST_COMPACT -> new UsageFact.CompactionSummarized(SentAttributes.string(e.attributes(), "trigger"),
          e.attributes().getValue("compact_summary") instanceof String summary ? summary : null);
      case ClientJson.STATUS_LINE_EVENT -> statusLine(e.attributes());
      default -> null;
    };
  }

  /**
   * A resumed or compacted session continues the conversation of its transcript: the transcript's
   * file is named after the session that wrote it, which on {@code --resume} may be another one.
   */
  private static UsageFact.SessionOpened sessionOpened(EventRecord e) {
    String source = SentAttributes.string(e.attributes(), "source");
    String transcript = SentAttributes.string(e.attributes(), "transcript_path");
    String predecessor = null;
    if (transcript != null && CONTINUING_SOURCES.contains(source)) {
      String file = transcript.substring(Math.max(transcript.lastIndexOf('/'), transcript.lastIndexOf('\\')) + 1);
      String id = file.endsWith(TRANSCRIPT_SUFFIX) ? file.substring(0, file.length() - TRANSCRIPT_SUFFIX.length()) : file;
      predecessor = id.isBlank() || id.equals(e.sessionId()) || id.length() > Plausible.MAX_ID_CHARS ? null : id;
    }
    return new UsageFact.SessionOpened(source, predecessor);
  }

  private static UsageFact.Request request(EventRecord e) {
    Thread thread = thread(e.attributes());
    return new UsageFact.Request(thread, e.model(), e.promptId(), orZero(e.inputTokens()), orZero(e.outputTokens()),
        orZero(e.cacheReadTokens()), orZero(e.cacheCreationTokens()), orZero(e.costMicros()),
        thread == Thread.SUBAGENT ? subagentType(e.attributes()) : null);
  }

  /** Numbers read tolerantly (int, double or string); one that is not a whole, non-negative count is left out (null). */
  private static UsageFact.SubagentRun subagentRun(JsonObject attributes) {
    Double duration = SentAttributes.number(attributes, "duration_ms");
    return new UsageFact.SubagentRun(named(SentAttributes.string(attributes, "agent_type")),
        SentAttributes.string(attributes, "agent_id"), whole(attributes, "total_tokens"), whole(attributes, "total_tool_uses"),
        duration != null && Double.isFinite(duration) && duration >= 0 ? duration : null,
        SentAttributes.string(attributes, "model"));
  }

  /**
   * The status-line JSON as the receiver flattened it (docs: the client's status line): a window
   * size that is not a whole count within bounds, a percentage that is not a finite number from 0,
   * a reset time that is not epoch seconds, are left out.
   */
  private static UsageFact.StatusLine statusLine(JsonObject a) {
    Long input = whole(a, "context_window.current_usage.input_tokens");
    Long cacheRead = whole(a, "context_window.current_usage.cache_read_input_tokens");
    Long cacheCreation = whole(a, "context_window.current_usage.cache_creation_input_tokens");
    Long current = input == null ? null : input + orZero(cacheRead) + orZero(cacheCreation);
    Long window = whole(a, "context_window.context_window_size");
    Double cost = SentAttributes.number(a, "cost.total_cost_usd");
    return new UsageFact.StatusLine(SentAttributes.string(a, "model.id"), SentAttributes.string(a, "version"),
        window == null || window == 0 ? null : window, percentage(a, "context_window.used_percentage"), current,
        cost == null || !Double.isFinite(cost) || cost < 0 || cost > UsageChecks.MAX_COST_USD ? null : cost,
        rateLimit(a, "rate_limits.five_hour."), rateLimit(a, "rate_limits.seven_day."));
  }

  /** A plan limit: {@code used_percentage} and {@code resets_at} (epoch seconds); null unless both are readable. */
  private static SessionSummary.RateLimit rateLimit(JsonObject attributes, String prefix) {
    Double used = percentage(attributes, prefix + "used_percentage");
    Long resetsAt = whole(attributes, prefix + "resets_at");
    return used == null || resetsAt == null ? null : new SessionSummary.RateLimit(used, Instant.ofEpochSecond(resetsAt));
  }

  /** A finite percentage from 0 (a plan's may pass 100 once over its limit); null otherwise. */
  private static Double percentage(JsonObject attributes, String key) {
    Double value = SentAttributes.number(attributes, key);
    return value == null || !Double.isFinite(value) || value < 0 || value > MAX_PERCENTAGE ? null : value;
  }

  @Override
  public List<UsageFact> facts(MetricPoint point) {
    List<UsageFact> facts = new ArrayList<>(2);
    if (point.attributes().getValue("model") instanceof String model) {
      facts.add(new UsageFact.ModelNamed(model, model.endsWith(Models.ONE_MILLION_SUFFIX)));
    }
    MetricTotal total = point.delta() == null ? null : total(point);
    if (total != null) {
      facts.add(new UsageFact.MetricDelta(total, point.delta()));
    }
    if (SESSION_COUNT.equals(point.metricName()) && point.attributes().getValue("start_type") instanceof String start) {
      facts.add(new UsageFact.SessionStart(start));
    }
    return facts;
  }

  private static MetricTotal total(MetricPoint point) {
    String type = point.attributes().getValue("type") instanceof String t ? t : "";
    return switch (point.metricName()) {
      case TOKEN_USAGE -> TOKEN_TYPES.get(type);
      case "claude_code.lines_of_code.count" -> LINE_TYPES.get(type);
      default -> COUNTERS.get(point.metricName());
    };
  }

  /** The API refused a request as longer than the window: 2.1.332 then compacts and sends it again. */
  private static UsageFact.RequestError requestError(JsonObject attributes) {
    String message = SentAttributes.string(attributes, "error");
    return new UsageFact.RequestError(thread(attributes), count(attributes, "status_code"), message,
        count(attributes, "attempt"), message != null && message.toLowerCase(Locale.ROOT).contains(PROMPT_TOO_LONG));
  }

  /** A count (tokens, tool uses) sent as a number or a string; null when absent or not a whole count within bounds. */
  private static Long whole(JsonObject attributes, String key) {
    Double value = SentAttributes.number(attributes, key);
    return value == null || value < 0 || value > UsageChecks.MAX_TOKENS || value != Math.rint(value) ? null : value.longValue();
  }

  /** A small count (status, attempt) sent as a number or a string; null when absent or out of range. */
  private static Integer count(JsonObject attributes, String key) {
    Long value = whole(attributes, key);
    return value == null || value > Integer.MAX_VALUE ? null : value.intValue();
  }

  /**
   * By query_source: main (main; sdk in a headless run; repl_main_thread in a terminal, 2.1.332;
   * or none given); subagent (agent:... since 2.1.3xx, subagent before); auxiliary for everything
   * else (compact, titles, checks, ...).
   */
  private static Thread thread(JsonObject attributes) {
    Object source = attributes.getValue("query_source");
    if (source == null || MAIN_SOURCES.contains(source)) {
      return Thread.MAIN;
    }
    return "subagent".equals(source) || startsWith(source, AGENT_PREFIX) ? Thread.SUBAGENT : Thread.AUXILIARY;
  }

  /** agent.name, else the last part of agent:&lt;source&gt;:&lt;type&gt;, else unnamed. */
  private static String subagentType(JsonObject attributes) {
    String name = SentAttributes.string(attributes, "agent.name");
    if (name == null && attributes.getValue("query_source") instanceof String source && source.startsWith(AGENT_PREFIX)) {
      name = source.substring(source.lastIndexOf(':') + 1);
    }
    return named(name);
  }

  private static String named(String name) {
    return name == null || name.isBlank() ? UNNAMED_SUBAGENT : name;
  }

  private static boolean isTrue(Object value) {
    return Boolean.TRUE.equals(value) || "true".equals(value);
  }

  private static boolean isFalse(Object value) {
    return Boolean.FALSE.equals(value) || "false".equals(value);
  }

  private static boolean startsWith(Object text, String prefix) {
    return text instanceof String s && s.startsWith(prefix);
  }

  private static long orZero(Long value) {
    return value == null ? 0 : value;
  }
}
