package dev.contextwatch.processor;

import dev.contextwatch.core.model.Costs;
import dev.contextwatch.core.model.Models;
import dev.contextwatch.core.model.StoreBatch.ContextSample;
import dev.contextwatch.core.model.Synthetic;
import dev.contextwatch.core.summary.SessionSummary;
import dev.contextwatch.processor.source.UsageFact;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What one session's records add up to: identity, times, usage by thread, model and subagent type,
 * subagent runs, start types, tools, metric totals and its {@link ContextWindow}. {@link
 * SessionSummaries} stores and reads it back. Its size is bounded whatever the records name: at
 * most {@code maxKeys} distinct tools, models, models' usage, subagent types and start types (each
 * name cut to {@value #MAX_KEY_CHARS} characters), the rest counted under {@value #OTHER}, and the
 * latest {@code maxKeys} subagent runs; the other maps have fixed keys and the samples a fixed count.
 */
final class SessionState {
  private static final int PROMPT_PREVIEW_CHARS = 200;
  /** Where tools and models beyond the per-session cap are counted. */
  static final String OTHER = "other";
  static final int MAX_KEY_CHARS = 128;
  /**
   * The metrics' cost: the cost.usage deltas (each a sum the client made over an interval) added as
   * dollars; the summary shows it rounded to the micro-dollar, beside its micro-dollars.
   */
  static final String METRIC_COST = UsageFact.MetricTotal.COST_USD.key();

  final String sessionId;
  final boolean pseudo;
  private final int maxKeys;
  /** The version of the stored row this state is (0: no row yet); see StoreBatch.SessionRow. */
  long version;
  String serviceName;
  String project;
  String label;
  String userId;
  String clientVersion;
  String runId;
  String parentSessionId;
  /** Simulated by a load test: once any record says so, the session stays synthetic. */
  boolean synthetic;
  Instant firstSeen;
  Instant lastSeen;
  Instant lastReceivedAt;
  Instant closedAt;
  long prompts;
  String lastTool;
  String lastPromptId;
  String lastPrompt;
  final Map<String, Usage> byThread = new TreeMap<>();
  final Map<String, Usage> byModel = new TreeMap<>();
  final Map<String, ToolStats> tools = new TreeMap<>();
  final Map<String, Double> metrics = new TreeMap<>();
  final Set<String> models = new TreeSet<>();
  final Set<String> oneMillionModels = new TreeSet<>();
  final ContextWindow context = new ContextWindow();
  final Map<String, Usage> bySubagentType = new TreeMap<>();
  /** The latest subagent runs, oldest first; {@code subagentRunCount} counts them all. */
  final Deque<SessionSummary.SubagentRun> subagentRuns = new ArrayDeque<>();
  long subagentRunCount;
  final Set<String> startTypes = new TreeSet<>();
  final RequestErrors errors = new RequestErrors();
  /** What the client's hooks said of the session's life (see SessionSummary.Lifecycle). */
  String startSource;
  Instant startedAt;
  String endReason;
  String predecessorId;
  Instant lastCompactionAt;
  String lastCompactionTrigger;
  String compactSummary;
  /** Since when and why the session waits for a person; null while it does not. */
  Instant waitingSince;
  String waitingReason;
  /** The client's last status line (null until one). */
  SessionSummary.StatusLine statusLine;

  SessionState(String sessionId, boolean pseudo, int maxKeys) {
    this.sessionId = sessionId;
    this.pseudo = pseudo;
    this.maxKeys = maxKeys;
  }

  /** Calls, successes and failures of one tool. */
  static final class ToolStats {
    long calls;
    long successes;
    long failures;

    static ToolStats of(SessionSummary.ToolCalls calls) {
      ToolStats stats = new ToolStats();
      stats.calls = calls.calls();
      stats.successes = calls.successes();
      stats.failures = calls.failures();
      return stats;
    }

    void add(ToolStats other) {
      calls = Saturating.plus(calls, other.calls);
      successes = Saturating.plus(successes, other.successes);
      failures = Saturating.plus(failures, other.failures);
    }
  }

  // ---- applying records ----

  /**
   * What a resource says of its sessions' identity, read once per resource (not per record: every
   * record under one resource reads the same); null where it says nothing.
   */
  record ResourceIdentity(String serviceName, String project, String label, String userId, String clientVersion,
      String runId, String parentSessionId, boolean synthetic) {
    static ResourceIdentity of(JsonObject resource, SessionAttributes names) {
      return new ResourceIdentity(text(resource, "service.name"), text(resource, "service.namespace"),
          text(resource, "service.instance.id"), text(resource, "user.id"), text(resource, "service.version"),
          text(resource, names.runId()), text(resource, names.parentSession()),
          Synthetic.marks(resource.getValue(Synthetic.ATTRIBUTE)));
    }
  }

  /** A record's identity: its resource's word first, else its own attributes' (its own user.id first). */
  void identify(ResourceIdentity resource, JsonObject attributes, SessionAttributes names) {
    serviceName = orOwn(resource.serviceName(), attributes, "service.name", serviceName);
    project = orOwn(resource.project(), attributes, "service.namespace", project);
    label = orOwn(resource.label(), attributes, "service.instance.id", label);
    userId = first(attributes, "user.id", resource.userId() != null ? resource.userId() : userId);
    clientVersion = orOwn(resource.clientVersion(), attributes, "service.version", clientVersion);
    runId = orOwn(resource.runId(), attributes, names.runId(), runId);
    parentSessionId = orOwn(resource.parentSessionId(), attributes, names.parentSession(), parentSessionId);
    synthetic = synthetic || resource.synthetic() || Synthetic.marks(attributes.getValue(Synthetic.ATTRIBUTE));
  }

  private static String orOwn(String fromResource, JsonObject attributes, String key, String current) {
    return fromResource != null ? fromResource : first(attributes, key, current);
  }

  void seen(Instant time, Instant receivedAt) {
    firstSeen = firstSeen == null || time.isBefore(firstSeen) ? time : firstSeen;
    lastSeen = lastSeen == null || time.isAfter(lastSeen) ? time : lastSeen;
    lastReceivedAt = receivedAt;
  }

  /**
   * Adds one fact a record of this session stated; returns the context sample of a main-thread
   * request (at {@code time}, from the record keyed {@code recordKey}), else null.
   */
  ContextSample apply(UsageFact fact, Instant time, String recordKey) {
    if (fact instanceof UsageFact.Request r) {
      return request(r, time, recordKey);
    }
    if (fact instanceof UsageFact.ModelNamed m) {
      addCapped(models, Models.baseName(m.model()));
      if (m.oneMillion()) {
        addCapped(oneMillionModels, Models.baseName(m.model()));
      }
    } else if (fact instanceof UsageFact.Prompt p) {
      prompts++;
      lastPromptId = p.promptId();
      lastPrompt = p.text() == null || p.text().length() <= PROMPT_PREVIEW_CHARS ? p.text() : p.text().substring(0, PROMPT_PREVIEW_CHARS);
    } else if (fact instanceof UsageFact.RequestError e) {
      thread(e.thread()).apiErrors++;
      errors.failed(e, time);
    } else if (fact instanceof UsageFact.RetriesExhausted e) {
      errors.exhausted(e, time);
    } else if (fact instanceof UsageFact.ToolResult t) {
      tool(t);
    } else if (fact instanceof UsageFact.Compaction c) {
      context.compaction(c, hooked());
    } else if (fact instanceof UsageFact.MetricDelta d) {
      metrics.merge(d.total().key(), d.delta(), Saturating::plus);
    } else if (fact instanceof UsageFact.SubagentRun run) {
      subagentRun(run, time);
    } else if (fact instanceof UsageFact.SessionStart start) {
      addCapped(startTypes, start.startType());
    } else if (fact instanceof UsageFact.WaitingForInput w) {
      waitFor(w.reason(), time);
    } else if (fact instanceof UsageFact.Worked) {
      worked(time);
    } else if (fact instanceof UsageFact.StatusLine line) {
      context.statusLine(line);
      statusLine = StatusLines.next(statusLine, line, time);
    } else {
      lifecycle(fact, time);
    }
    return null;
  }

  /**
   * A hook's word on the session's life. An end closes the session at that time; a start after an
   * end (a resume of the same session) opens it again. A compaction the telemetry reports too is
   * counted once ({@link ContextWindow#hookCompaction}).
   */
  private void lifecycle(UsageFact fact, Instant time) {
    if (fact instanceof UsageFact.SessionOpened opened) {
      startSource = opened.source() == null ? null : shortened(opened.source());
      startedAt = time;
      endReason = null;
      closedAt = null;
      predecessorId = opened.predecessorId() != null ? opened.predecessorId() : predecessorId;
    } else if (fact instanceof UsageFact.SessionEnded ended) {
      endReason = ended.reason() == null ? null : shortened(ended.reason());
      closedAt = closedAt == null ? time : closedAt;
    } else if (fact instanceof UsageFact.CompactionStarting starting) {
      lastCompactionAt = time;
      lastCompactionTrigger = starting.trigger() == null ? null : shortened(starting.trigger());
      context.hookCompaction(lastCompactionTrigger);
    } else if (fact instanceof UsageFact.CompactionSummarized summarized) {
      lastCompactionAt = lastCompactionAt == null ? time : lastCompactionAt;
      compactSummary = summarized.summary() != null ? summarized.summary() : compactSummary;
    }
  }

  /** Whether the client's lifecycle hooks report on this session, so its compactions come twice. */
  boolean hooked() {
    return startSource != null || lastCompactionAt != null;
  }

  /**
   * The session waits for a person from {@code time} on; a closed one waits for nobody, and one
   * already waiting keeps the wait it began with (a repeated prompt is the same wait).
   */
  private void waitFor(String reason, Instant time) {
    if (closedAt == null && waitingSince == null) {
      waitingSince = time;
      waitingReason = reason == null ? null : shortened(reason);
    }
  }

  /**
   * Work after the wait began ends it; work from before (an OTLP export arrives seconds after the
   * hook that said the session waits) does not.
   */
  private void worked(Instant time) {
    if (waitingSince != null && time != null && time.isAfter(waitingSince)) {
      waitingSince = null;
      waitingReason = null;
    }
  }

  private ContextSample request(UsageFact.Request r, Instant time, String recordKey) {
    thread(r.thread()).addRequest(r.inputTokens(), r.outputTokens(), r.cacheReadTokens(), r.cacheCreationTokens(), r.costMicros());
    byModel.computeIfAbsent(keyIn(byModel, r.model() == null ? "unknown" : Models.baseName(r.model())), m -> new Usage())
        .addRequest(r.inputTokens(), r.outputTokens(), r.cacheReadTokens(), r.cacheCreationTokens(), r.costMicros());
    if (r.subagentType() != null) {
      bySubagentType.computeIfAbsent(keyIn(bySubagentType, r.subagentType()), t -> new Usage())
          .addRequest(r.inputTokens(), r.outputTokens(), r.cacheReadTokens(), r.cacheCreationTokens(), r.costMicros());
    }
    if (r.thread() != UsageFact.Thread.MAIN) {
      return null;
    }
    long promptTokens = Saturating.plus(Saturating.plus(r.inputTokens(), r.cacheReadTokens()), r.cacheCreationTokens());
    boolean compacted = context.request(time, promptTokens, r.model() == null ? null : Models.baseName(r.model()));
    return new ContextSample(time, sessionId, promptTokens, context.model, r.promptId(), compacted, recordKey);
  }

  private void subagentRun(UsageFact.SubagentRun run, Instant time) {
    addSubagentRun(new SessionSummary.SubagentRun(time, shortened(run.agentType()),
        run.agentId() == null ? null : shortened(run.agentId()), run.totalTokens(), run.totalToolUses(), run.durationMs(),
        run.model() == null ? null : shortened(run.model())));
    subagentRunCount = Saturating.plus(subagentRunCount, 1);
  }

  /** Keeps the latest maxKeys runs. */
  void addSubagentRun(SessionSummary.SubagentRun run) {
    subagentRuns.addLast(run);
    while (subagentRuns.size() > maxKeys) {
      subagentRuns.removeFirst();
    }
  }

  private void tool(UsageFact.ToolResult result) {
    ToolStats stats = tools.computeIfAbsent(keyIn(tools, result.tool()), t -> new ToolStats());
    stats.calls++;
    if (result.success()) {
      stats.successes++;
    } else {
      stats.failures++;
    }
    lastTool = shortened(result.tool());
  }

  /** The key a client-named tool or model is counted under: its (shortened) name while there is room, else other. */
  String keyIn(Map<String, ?> map, String name) {
    String key = shortened(name);
    return map.containsKey(key) || map.size() < maxKeys ? key : OTHER;
  }

  void addCapped(Set<String> names, String name) {
    String key = shortened(name);
    names.add(names.contains(key) || names.size() < maxKeys ? key : OTHER);
  }

  /** At most MAX_KEY_CHARS characters, never ending in half a surrogate pair. */
  private static String shortened(String name) {
    return cut(name, MAX_KEY_CHARS);
  }

  /** At most {@code chars} characters, never ending in half a surrogate pair. */
  static String cut(String text, int chars) {
    if (text.length() <= chars) {
      return text;
    }
    int end = Character.isHighSurrogate(text.charAt(chars - 1)) ? chars - 1 : chars;
    return text.substring(0, end);
  }

  private Usage thread(UsageFact.Thread thread) {
    return byThread.computeIfAbsent(thread.key(), t -> new Usage());
  }

  // ---- derived views ----

  /** Events give exact per-request totals; a session that sent none is counted from its metrics. */
  boolean totalsFromEvents() {
    return byThread.values().stream().anyMatch(u -> u.apiRequests > 0 || u.apiErrors > 0) || metrics.isEmpty();
  }

  Usage totals() {
    Usage total = new Usage();
    if (totalsFromEvents()) {
      byThread.values().forEach(total::add);
    } else {
      total.inputTokens = Math.round(metrics.getOrDefault("inputTokens", 0.0));
      total.outputTokens = Math.round(metrics.getOrDefault("outputTokens", 0.0));
      total.cacheReadTokens = Math.round(metrics.getOrDefault("cacheReadTokens", 0.0));
      total.cacheCreationTokens = Math.round(metrics.getOrDefault("cacheCreationTokens", 0.0));
      total.costMicros = Costs.micros(metrics.getOrDefault(METRIC_COST, 0.0));
    }
    return total;
  }

  /** The value of attribute {@code key} in {@code primary}, else in {@code secondary}, as text; else {@code current}. */
  static String first(JsonObject primary, JsonObject secondary, String key, String current) {
    return first(primary, key, first(secondary, key, current));
  }

  /** The value of attribute {@code key} as text; else {@code current}. */
  private static String first(JsonObject attributes, String key, String current) {
    Object value = attributes.getValue(key);
    return value == null ? current : value.toString();
  }

  private static String text(JsonObject attributes, String key) {
    return first(attributes, key, null);
  }
}
