package dev.contextwatch.processor;

import dev.contextwatch.core.model.ContextPrediction;
import dev.contextwatch.core.model.Costs;
import dev.contextwatch.core.model.Models;
import dev.contextwatch.core.model.StoreBatch.ContextSample;
import dev.contextwatch.core.model.StoreBatch.SessionRow;
import dev.contextwatch.core.model.Synthetic;
import dev.contextwatch.processor.source.UsageFact;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Everything known about one session, built from its records. Its JSON summary is the whole state:
 * stored in the sessions table, published on every change, and read back after a restart. Its size
 * is bounded whatever the records name: at most {@code maxKeys} distinct tools, models and models'
 * usage (each name cut to {@value #MAX_KEY_CHARS} characters), the rest counted under
 * {@value #OTHER}; the other maps have fixed keys and the samples a fixed count.
 */
final class SessionState {
  private static final int RECENT_SAMPLES = 20;
  private static final int PROMPT_PREVIEW_CHARS = 200;
  /** Where tools and models beyond the per-session cap are counted. */
  static final String OTHER = "other";
  static final int MAX_KEY_CHARS = 128;
  /**
   * The metrics' cost: the cost.usage deltas (each a sum the client made over an interval) added as
   * dollars; the summary shows it rounded to the micro-dollar, beside its micro-dollars.
   */
  private static final String METRIC_COST = UsageFact.MetricTotal.COST_USD.key();
  private static final String METRIC_COST_MICROS = "costMicros";

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
  final Context context = new Context();

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

    void add(ToolStats other) {
      calls = Saturating.plus(calls, other.calls);
      successes = Saturating.plus(successes, other.successes);
      failures = Saturating.plus(failures, other.failures);
    }
  }

  /** The main thread's context window: current size, peak, compactions and recent samples. */
  static final class Context {
    Long tokens;
    long peak;
    String model;
    int compactions;
    boolean compactionSeen;
    final ArrayDeque<ContextPrediction.Sample> recent = new ArrayDeque<>();
  }

  // ---- applying records ----

  void identify(JsonObject resource, JsonObject attributes, SessionAttributes names) {
    serviceName = first(resource, attributes, "service.name", serviceName);
    project = first(resource, attributes, "service.namespace", project);
    label = first(resource, attributes, "service.instance.id", label);
    userId = first(attributes, resource, "user.id", userId);
    clientVersion = first(resource, attributes, "service.version", clientVersion);
    runId = first(resource, attributes, names.runId(), runId);
    parentSessionId = first(resource, attributes, names.parentSession(), parentSessionId);
    synthetic = synthetic || Synthetic.marks(resource.getValue(Synthetic.ATTRIBUTE))
        || Synthetic.marks(attributes.getValue(Synthetic.ATTRIBUTE));
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
    } else if (fact instanceof UsageFact.ToolResult t) {
      tool(t);
    } else if (fact instanceof UsageFact.Compaction c) {
      compaction(c);
    } else if (fact instanceof UsageFact.MetricDelta d) {
      metrics.merge(d.total().key(), d.delta(), Saturating::plus);
    }
    return null;
  }

  private void compaction(UsageFact.Compaction compaction) {
    context.compactions++;
    context.compactionSeen = true;
    context.recent.clear();
    if (compaction.postTokens() != null) {
      context.tokens = compaction.postTokens();
    }
  }

  private ContextSample request(UsageFact.Request r, Instant time, String recordKey) {
    thread(r.thread()).addRequest(r.inputTokens(), r.outputTokens(), r.cacheReadTokens(), r.cacheCreationTokens(), r.costMicros());
    byModel.computeIfAbsent(keyIn(byModel, r.model() == null ? "unknown" : Models.baseName(r.model())), m -> new Usage())
        .addRequest(r.inputTokens(), r.outputTokens(), r.cacheReadTokens(), r.cacheCreationTokens(), r.costMicros());
    if (r.thread() != UsageFact.Thread.MAIN) {
      return null;
    }
    long promptTokens = Saturating.plus(Saturating.plus(r.inputTokens(), r.cacheReadTokens()), r.cacheCreationTokens());
    boolean dropped = context.tokens != null && promptTokens < context.tokens / 2;
    boolean compacted = context.compactionSeen || dropped;
    if (dropped && !context.compactionSeen) {
      context.compactions++;
      context.recent.clear();
    }
    context.compactionSeen = false;
    context.tokens = promptTokens;
    context.peak = Math.max(context.peak, promptTokens);
    context.model = r.model() == null ? context.model : Models.baseName(r.model());
    context.recent.addLast(new ContextPrediction.Sample(time, promptTokens));
    while (context.recent.size() > RECENT_SAMPLES) {
      context.recent.removeFirst();
    }
    return new ContextSample(time, sessionId, promptTokens, context.model, r.promptId(), compacted, recordKey);
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
  private String keyIn(Map<String, ?> map, String name) {
    String key = shortened(name);
    return map.containsKey(key) || map.size() < maxKeys ? key : OTHER;
  }

  private void addCapped(Set<String> names, String name) {
    String key = shortened(name);
    names.add(names.contains(key) || names.size() < maxKeys ? key : OTHER);
  }

  /** At most MAX_KEY_CHARS characters, never ending in half a surrogate pair. */
  private static String shortened(String name) {
    if (name.length() <= MAX_KEY_CHARS) {
      return name;
    }
    int end = Character.isHighSurrogate(name.charAt(MAX_KEY_CHARS - 1)) ? MAX_KEY_CHARS - 1 : MAX_KEY_CHARS;
    return name.substring(0, end);
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

  Models.Model contextModel(Models table) {
    return context.model == null ? null : table.lookup(context.model, oneMillionModels.contains(context.model));
  }

  /** Growth and time left, when the model (and so the threshold) is known. */
  ContextPrediction prediction(Models table) {
    Models.Model model = contextModel(table);
    if (model == null || context.tokens == null) {
      return null;
    }
    return ContextPrediction.of(List.copyOf(context.recent), context.tokens, model.autoCompactThreshold(), model.window());
  }

  JsonObject toJson(Models table) {
    Usage totals = totals();
    JsonObject tools = new JsonObject();
    this.tools.forEach((name, t) -> tools.put(name, new JsonObject()
        .put("calls", t.calls).put("successes", t.successes).put("failures", t.failures)));
    JsonObject byThread = new JsonObject();
    this.byThread.forEach((k, v) -> byThread.put(k, v.toJson()));
    JsonObject byModel = new JsonObject();
    this.byModel.forEach((k, v) -> byModel.put(k, v.toJson()));
    JsonObject metrics = new JsonObject();
    this.metrics.forEach(metrics::put);
    if (this.metrics.containsKey(METRIC_COST)) {
      long micros = Costs.micros(this.metrics.get(METRIC_COST));
      metrics.put(METRIC_COST, Costs.usd(micros)).put(METRIC_COST_MICROS, micros);
    }
    return new JsonObject()
        .put("sessionId", sessionId)
        .put("pseudo", pseudo)
        .put("status", closedAt == null ? "active" : "closed")
        .put("serviceName", serviceName)
        .put("project", project)
        .put("label", label)
        .put("userId", userId)
        .put("clientVersion", clientVersion)
        .put("runId", runId)
        .put("parentSessionId", parentSessionId)
        .put("synthetic", synthetic)
        .put("firstSeen", text(firstSeen))
        .put("lastSeen", text(lastSeen))
        .put("lastReceivedAt", text(lastReceivedAt))
        .put("closedAt", text(closedAt))
        .put("models", new JsonArray(models.stream().toList()))
        .put("oneMillionModels", new JsonArray(oneMillionModels.stream().toList()))
        .put("totals", totals.toJson()
            .put("source", totalsFromEvents() ? "events" : "metrics")
            .put("prompts", prompts)
            .put("linesAdded", Math.round(this.metrics.getOrDefault("linesAdded", 0.0)))
            .put("linesRemoved", Math.round(this.metrics.getOrDefault("linesRemoved", 0.0)))
            .put("commits", Math.round(this.metrics.getOrDefault("commits", 0.0)))
            .put("pullRequests", Math.round(this.metrics.getOrDefault("pullRequests", 0.0)))
            .put("activeTimeSeconds", this.metrics.getOrDefault("activeTimeSeconds", 0.0)))
        .put("byThread", byThread)
        .put("byModel", byModel)
        .put("metrics", metrics)
        .put("tools", tools)
        .put("context", contextJson(table))
        .put("lastTool", lastTool)
        .put("lastPromptId", lastPromptId)
        .put("lastPrompt", lastPrompt);
  }

  private JsonObject contextJson(Models table) {
    Models.Model model = contextModel(table);
    ContextPrediction prediction = prediction(table);
    JsonArray samples = new JsonArray();
    context.recent.forEach(s -> samples.add(new JsonObject().put("time", s.time().toString()).put("tokens", s.tokens())));
    JsonObject json = new JsonObject()
        .put("tokens", context.tokens)
        .put("peak", context.peak)
        .put("model", context.model)
        .put("compactions", context.compactions)
        .put("compactionSeen", context.compactionSeen)
        .put("samples", samples);
    if (model != null && context.tokens != null) {
      json.put("window", model.window())
          .put("threshold", model.autoCompactThreshold())
          .put("percentOfWindow", 100.0 * context.tokens / model.window())
          .put("percentOfThreshold", 100.0 * context.tokens / model.autoCompactThreshold())
          .put("growthPerRequest", prediction.growthPerRequest())
          .put("growthPerMinute", prediction.growthPerMinute())
          .put("prediction", prediction.toJson());
    }
    return json;
  }

  SessionRow toRow(Models table) {
    Usage totals = totals();
    Models.Model model = contextModel(table);
    return new SessionRow(sessionId, pseudo, synthetic, serviceName, project, label, userId, clientVersion, runId, parentSessionId,
        firstSeen, lastSeen, lastReceivedAt, closedAt, totals.inputTokens, totals.outputTokens, totals.cacheReadTokens,
        totals.cacheCreationTokens, Costs.usd(totals.costMicros), totals.apiRequests, totals.apiErrors, context.tokens,
        model == null ? null : model.window(), model == null ? null : model.autoCompactThreshold(),
        context.tokens == null ? null : context.peak, context.compactions, requestsLeft(table), toJson(table), version);
  }

  private Double requestsLeft(Models table) {
    ContextPrediction prediction = prediction(table);
    return prediction == null ? null : prediction.requestsLeft();
  }

  /**
   * The state a stored summary describes, read leniently (see {@link SummaryReader}): a value of the
   * wrong type is read as 0 or empty, and tools and models beyond {@code maxKeys} (an older version
   * kept them all) are folded into other.
   */
  static SessionState fromJson(String sessionId, JsonObject json, long version, int maxKeys) {
    SummaryReader r = new SummaryReader(sessionId);
    SessionState s = new SessionState(sessionId, r.booleanAt(json, "pseudo"), maxKeys);
    s.version = version;
    s.serviceName = r.stringAt(json, "serviceName");
    s.project = r.stringAt(json, "project");
    s.label = r.stringAt(json, "label");
    s.userId = r.stringAt(json, "userId");
    s.clientVersion = r.stringAt(json, "clientVersion");
    s.runId = r.stringAt(json, "runId");
    s.parentSessionId = r.stringAt(json, "parentSessionId");
    s.synthetic = r.booleanAt(json, "synthetic");
    s.firstSeen = r.instantAt(json, "firstSeen");
    s.lastSeen = r.instantAt(json, "lastSeen");
    s.lastReceivedAt = r.instantAt(json, "lastReceivedAt");
    s.closedAt = r.instantAt(json, "closedAt");
    r.arrayAt(json, "models").forEach(m -> addRead(s, s.models, r.asString(m, "models")));
    r.arrayAt(json, "oneMillionModels").forEach(m -> addRead(s, s.oneMillionModels, r.asString(m, "oneMillionModels")));
    s.prompts = r.longAt(r.objectAt(json, "totals"), "prompts");
    r.objectAt(json, "byThread").forEach(e -> {
      JsonObject usage = r.asObject(e.getValue(), "byThread");
      if (usage != null) {
        s.byThread.put(e.getKey(), Usage.fromJson(usage, r));
      }
    });
    r.objectAt(json, "byModel").forEach(e -> {
      JsonObject usage = r.asObject(e.getValue(), "byModel");
      if (usage != null) {
        s.byModel.computeIfAbsent(s.keyIn(s.byModel, e.getKey()), m -> new Usage()).add(Usage.fromJson(usage, r));
      }
    });
    r.objectAt(json, "metrics").forEach(e -> {
      if (e.getKey().equals(METRIC_COST_MICROS)) {
        return; // costUsd, rounded the same, is what the metric totals add to
      }
      Double value = r.numberOrNull(e.getValue(), "metrics." + e.getKey());
      s.metrics.put(e.getKey(), value == null ? 0.0 : value);
    });
    r.objectAt(json, "tools").forEach(e -> {
      JsonObject t = r.asObject(e.getValue(), "tools");
      if (t != null) {
        ToolStats stats = new ToolStats();
        stats.calls = r.longAt(t, "calls");
        stats.successes = r.longAt(t, "successes");
        stats.failures = r.longAt(t, "failures");
        s.tools.computeIfAbsent(s.keyIn(s.tools, e.getKey()), k -> new ToolStats()).add(stats);
      }
    });
    readContext(s.context, r.objectAt(json, "context"), r);
    s.lastTool = r.stringAt(json, "lastTool");
    s.lastPromptId = r.stringAt(json, "lastPromptId");
    s.lastPrompt = r.stringAt(json, "lastPrompt");
    r.logged();
    return s;
  }

  private static void addRead(SessionState s, Set<String> names, String name) {
    if (name != null) {
      s.addCapped(names, name);
    }
  }

  private static void readContext(Context into, JsonObject context, SummaryReader r) {
    into.tokens = r.nullableLongAt(context, "tokens");
    into.peak = r.longAt(context, "peak");
    into.model = r.stringAt(context, "model");
    into.compactions = r.intAt(context, "compactions");
    into.compactionSeen = r.booleanAt(context, "compactionSeen");
    r.arrayAt(context, "samples").forEach(o -> {
      JsonObject sample = r.asObject(o, "context.samples");
      Instant time = sample == null ? null : r.instantAt(sample, "time");
      if (time != null) {
        into.recent.addLast(new ContextPrediction.Sample(time, r.longAt(sample, "tokens")));
      }
    });
    while (into.recent.size() > RECENT_SAMPLES) {
      into.recent.removeFirst();
    }
  }

  private static String first(JsonObject primary, JsonObject secondary, String key, String current) {
    Object value = primary.getValue(key);
    if (value == null) {
      value = secondary.getValue(key);
    }
    return value == null ? current : value.toString();
  }

  private static String text(Instant instant) {
    return instant == null ? null : instant.toString();
  }

}
