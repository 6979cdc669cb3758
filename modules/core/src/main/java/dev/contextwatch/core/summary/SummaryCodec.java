package dev.contextwatch.core.summary;

import dev.contextwatch.core.model.ContextPrediction;
import dev.contextwatch.core.model.Costs;
import dev.contextwatch.core.model.SessionStatus;
import dev.contextwatch.core.summary.SessionSummary.Context;
import dev.contextwatch.core.summary.SessionSummary.Errors;
import dev.contextwatch.core.summary.SessionSummary.Identity;
import dev.contextwatch.core.summary.SessionSummary.SubagentRun;
import dev.contextwatch.core.summary.SessionSummary.Subagents;
import dev.contextwatch.core.summary.SessionSummary.LastError;
import dev.contextwatch.core.summary.SessionSummary.ToolCalls;
import dev.contextwatch.core.summary.SessionSummary.Totals;
import dev.contextwatch.core.summary.SessionSummary.Usage;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The JSON of a {@link SessionSummary}: the one place that knows its keys. Writing gives the JSON
 * stored in {@code sessions.summary}, served by the API and sent in feed frames. Reading is
 * lenient, since a stored summary may have been written by an older version (which stored a NaN
 * cost as the string "NaN", and costs in dollars only) or edited by hand: a value of the wrong
 * type is read as 0, null or empty and the session's bad fields are logged in one line; it never
 * throws, so one damaged summary cannot fail the requests that touch its session.
 */
public final class SummaryCodec {
  /** The metrics' cost in dollars; written rounded to the micro-dollar, beside {@value #METRIC_COST_MICROS}. */
  public static final String METRIC_COST_USD = "costUsd";
  /** Beside the metrics' cost in dollars, the same in micro-dollars (shown, never read back). */
  private static final String METRIC_COST_MICROS = "costMicros";

  private SummaryCodec() {}

  // ---- writing ----

  public static JsonObject toJson(SessionSummary s) {
    JsonObject json = identity(s.identity())
        .put("models", new JsonArray(new ArrayList<>(s.models())))
        .put("oneMillionModels", new JsonArray(new ArrayList<>(s.oneMillionModels())))
        .put("totals", totals(s.totals()))
        .put("byThread", objects(s.byThread(), SummaryCodec::usage))
        .put("byModel", objects(s.byModel(), SummaryCodec::usage))
        .put("metrics", metrics(s.metrics()))
        .put("tools", objects(s.tools(), t -> new JsonObject()
            .put("calls", t.calls()).put("successes", t.successes()).put("failures", t.failures())))
        .put("context", context(s.context()))
        .put("lastTool", s.lastTool())
        .put("lastPromptId", s.lastPromptId())
        .put("lastPrompt", s.lastPrompt());
    putStarts(json, s);
    putSubagents(json, s.subagents());
    if (!Errors.NONE.equals(s.errors())) { // a session without errors is written as before they were counted
      json.put("errors", errors(s.errors()));
    }
    if (!SessionSummary.Lifecycle.NONE.equals(s.lifecycle())) { // likewise: written once a hook said something
      json.put("lifecycle", lifecycle(s.lifecycle()));
    }
    if (s.waiting() != null) { // likewise, a session that never waited is written as before
      json.put("waiting", new JsonObject().put("since", text(s.waiting().since())).put("reason", s.waiting().reason()));
    }
    if (s.statusLine() != null) { // only once the client sent a status line, for the same reason
      json.put("statusLine", statusLine(s.statusLine()));
    }
    return json;
  }

  private static JsonObject statusLine(SessionSummary.StatusLine l) {
    JsonArray samples = new JsonArray();
    l.quotaSamples().forEach(q -> samples.add(new JsonObject().put("time", text(q.time()))
        .put("fiveHour", rateLimit(q.fiveHour())).put("sevenDay", rateLimit(q.sevenDay()))));
    return new JsonObject().put("time", text(l.time())).put("model", l.model()).put("version", l.version())
        .put("window", l.window()).put("usedPercentage", l.usedPercentage()).put("costUsd", l.costUsd())
        .put("fiveHour", rateLimit(l.fiveHour())).put("sevenDay", rateLimit(l.sevenDay())).put("quotaSamples", samples);
  }

  /** A plan limit as the summary, the quota endpoint and a quota webhook have it. */
  public static JsonObject rateLimit(SessionSummary.RateLimit limit) {
    return limit == null ? null
        : new JsonObject().put("usedPercentage", limit.usedPercentage()).put("resetsAt", text(limit.resetsAt()));
  }

  /** Written once the client said how the session started, so a summary stored before reads back byte for byte. */
  private static void putStarts(JsonObject json, SessionSummary s) {
    if (!s.startTypes().isEmpty()) {
      json.put("startTypes", new JsonArray(new ArrayList<>(s.startTypes()))).put("resumed", s.resumed());
    }
  }

  /** Written once there is subagent work, for the same reason. */
  private static void putSubagents(JsonObject json, Subagents subagents) {
    if (subagents.runCount() > 0 || !subagents.byType().isEmpty()) {
      JsonArray runs = new JsonArray();
      subagents.runs().forEach(run -> runs.add(new JsonObject()
          .put("time", text(run.time()))
          .put("agentType", run.agentType())
          .put("agentId", run.agentId())
          .put("totalTokens", run.totalTokens())
          .put("totalToolUses", run.totalToolUses())
          .put("durationMs", run.durationMs())
          .put("model", run.model())));
      json.put("subagents", new JsonObject()
          .put("byType", objects(subagents.byType(), SummaryCodec::usage))
          .put("runs", runs)
          .put("runCount", subagents.runCount()));
    }
  }

  private static JsonObject identity(Identity i) {
    return new JsonObject()
        .put("sessionId", i.sessionId())
        .put("pseudo", i.pseudo())
        .put("status", i.status() == null ? null : i.status().label())
        .put("serviceName", i.serviceName())
        .put("project", i.project())
        .put("label", i.label())
        .put("userId", i.userId())
        .put("clientVersion", i.clientVersion())
        .put("runId", i.runId())
        .put("parentSessionId", i.parentSessionId())
        .put("synthetic", i.synthetic())
        .put("firstSeen", text(i.firstSeen()))
        .put("lastSeen", text(i.lastSeen()))
        .put("lastReceivedAt", text(i.lastReceivedAt()))
        .put("closedAt", text(i.closedAt()));
  }

  /** The totals as the summary has them (also a checkpoint's and a webhook's {@code totals}). */
  public static JsonObject totals(Totals t) {
    return usage(t.usage())
        .put("source", t.source())
        .put("prompts", t.prompts())
        .put("linesAdded", t.linesAdded())
        .put("linesRemoved", t.linesRemoved())
        .put("commits", t.commits())
        .put("pullRequests", t.pullRequests())
        .put("activeTimeSeconds", t.activeTimeSeconds());
  }

  /** Both {@code costMicros} and {@code costUsd} (the same, in dollars). */
  private static JsonObject usage(Usage u) {
    return new JsonObject()
        .put("inputTokens", u.inputTokens())
        .put("outputTokens", u.outputTokens())
        .put("cacheReadTokens", u.cacheReadTokens())
        .put("cacheCreationTokens", u.cacheCreationTokens())
        .put("costUsd", Costs.usd(u.costMicros()))
        .put("costMicros", u.costMicros())
        .put("apiRequests", u.apiRequests())
        .put("apiErrors", u.apiErrors());
  }

  private static JsonObject metrics(Map<String, Double> metrics) {
    JsonObject json = new JsonObject();
    metrics.forEach(json::put);
    Double cost = metrics.get(METRIC_COST_USD);
    if (cost != null) {
      long micros = Costs.micros(cost);
      json.put(METRIC_COST_USD, Costs.usd(micros)).put(METRIC_COST_MICROS, micros);
    }
    return json;
  }

  private static JsonObject context(Context c) {
    JsonObject json = new JsonObject()
        .put("tokens", c.tokens())
        .put("peak", c.peak())
        .put("model", c.model())
        .put("compactions", c.compactions())
        .put("compactionSeen", c.compactionSeen())
        .put("samples", samples(c.samples()));
    putIfSet(json, "window", c.window());
    putIfSet(json, "threshold", c.threshold());
    putIfSet(json, "percentOfWindow", c.percentOfWindow());
    putIfSet(json, "percentOfThreshold", c.percentOfThreshold());
    putIfSet(json, "thresholdSource", c.thresholdSource());
    putIfSet(json, "observedThreshold", c.observedThreshold());
    if (c.lastCompaction() != null) {
      json.put("lastCompaction", compaction(c.lastCompaction()));
    }
    if (c.prediction() != null) {
      json.put("growthPerRequest", c.prediction().growthPerRequest())
          .put("growthPerMinute", c.prediction().growthPerMinute())
          .put("prediction", prediction(c.prediction()));
    }
    return json;
  }

  private static JsonObject compaction(SessionSummary.Compaction c) {
    return new JsonObject().put("trigger", c.trigger()).put("success", c.success()).put("preTokens", c.preTokens())
        .put("postTokens", c.postTokens());
  }

  private static JsonObject errors(Errors e) {
    JsonObject byStatus = new JsonObject();
    e.byStatus().forEach(byStatus::put);
    JsonObject json = new JsonObject()
        .put("apiErrors", e.apiErrors())
        .put("retriesExhausted", e.retriesExhausted())
        .put("promptTooLong", e.promptTooLong())
        .put("byStatus", byStatus);
    LastError last = e.last();
    if (last != null) {
      json.put("last", new JsonObject().put("kind", last.kind()).put("status", last.status()).put("message", last.message())
          .put("attempt", last.attempt()).put("time", text(last.time())));
    }
    return json;
  }

  private static JsonObject lifecycle(SessionSummary.Lifecycle l) {
    return new JsonObject()
        .put("startSource", l.startSource())
        .put("startedAt", text(l.startedAt()))
        .put("endReason", l.endReason())
        .put("predecessorId", l.predecessorId())
        .put("lastCompactionAt", text(l.lastCompactionAt()))
        .put("lastCompactionTrigger", l.lastCompactionTrigger())
        .put("compactSummary", l.compactSummary())
        .put("hookCompactionUnmatched", l.hookCompactionUnmatched())
        .put("eventCompactionUnmatched", l.eventCompactionUnmatched());
  }

  /** The context samples as the summary has them (also a webhook's {@code context.samples}). */
  public static JsonArray samples(List<ContextPrediction.Sample> samples) {
    JsonArray json = new JsonArray();
    samples.forEach(s -> json.add(new JsonObject().put("time", s.time().toString()).put("tokens", s.tokens())));
    return json;
  }

  private static JsonObject prediction(ContextPrediction p) {
    return new JsonObject()
        .put("growthPerRequest", p.growthPerRequest())
        .put("growthPerMinute", p.growthPerMinute())
        .put("requestsLeft", p.requestsLeft())
        .put("minutesLeft", p.minutesLeft())
        .put("requestsLeftToWindow", p.requestsLeftToWindow())
        .put("minutesLeftToWindow", p.minutesLeftToWindow());
  }

  private static <T> JsonObject objects(Map<String, T> values, Function<T, JsonObject> json) {
    JsonObject objects = new JsonObject();
    values.forEach((key, value) -> objects.put(key, json.apply(value)));
    return objects;
  }

  private static void putIfSet(JsonObject json, String key, Object value) {
    if (value != null) {
      json.put(key, value);
    }
  }

  private static String text(Instant instant) {
    return instant == null ? null : instant.toString();
  }

  // ---- reading ----

  /**
   * The summary stored for {@code sessionId} ({@code stored} is not an object: read as empty),
   * read leniently; the session id is the one given, whatever the JSON says.
   */
  public static SessionSummary fromJson(String sessionId, Object stored) {
    JsonObject json = stored instanceof JsonObject object ? object : new JsonObject();
    LenientReader r = new LenientReader(sessionId);
    SessionSummary summary = new SessionSummary(identity(sessionId, json, r),
        strings(r.arrayAt(json, "models"), "models", r), strings(r.arrayAt(json, "oneMillionModels"), "oneMillionModels", r),
        totals(r.objectAt(json, "totals"), r),
        objects(r.objectAt(json, "byThread"), "byThread", r, SummaryCodec::usage),
        objects(r.objectAt(json, "byModel"), "byModel", r, SummaryCodec::usage),
        metrics(r.objectAt(json, "metrics"), r),
        objects(r.objectAt(json, "tools"), "tools", r, (t, reader) -> new ToolCalls(reader.longAt(t, "calls"),
            reader.longAt(t, "successes"), reader.longAt(t, "failures"))),
        context(r.objectAt(json, "context"), r),
        r.stringAt(json, "lastTool"), r.stringAt(json, "lastPromptId"), r.stringAt(json, "lastPrompt"),
        subagents(r.objectAt(json, "subagents"), r), strings(r.arrayAt(json, "startTypes"), "startTypes", r),
        errors(r.objectAt(json, "errors"), r), lifecycle(r.objectAt(json, "lifecycle"), r), waiting(json, r),
        statusLine(json.getValue("statusLine"), r));
    r.logged();
    return summary;
  }

  private static Identity identity(String sessionId, JsonObject json, LenientReader r) {
    Instant closedAt = r.instantAt(json, "closedAt");
    return new Identity(sessionId, r.booleanAt(json, "pseudo"), status(json, closedAt, r), r.stringAt(json, "serviceName"),
        r.stringAt(json, "project"), r.stringAt(json, "label"), r.stringAt(json, "userId"), r.stringAt(json, "clientVersion"),
        r.stringAt(json, "runId"), r.stringAt(json, "parentSessionId"), r.booleanAt(json, "synthetic"),
        r.instantAt(json, "firstSeen"), r.instantAt(json, "lastSeen"), r.instantAt(json, "lastReceivedAt"), closedAt);
  }

  /** The status written; missing or unknown, the one every version wrote for such a summary. */
  private static SessionStatus status(JsonObject json, Instant closedAt, LenientReader r) {
    String label = r.stringAt(json, "status");
    SessionStatus status = label == null ? null : SessionStatus.parse(label).orElse(null);
    if (label != null && status == null) {
      r.unreadable("status");
    }
    return status != null ? status : SessionStatus.whenUpdated(closedAt, null);
  }

  private static Totals totals(JsonObject json, LenientReader r) {
    return new Totals(usage(json, r), r.stringAt(json, "source"), r.longAt(json, "prompts"), r.longAt(json, "linesAdded"),
        r.longAt(json, "linesRemoved"), r.longAt(json, "commits"), r.longAt(json, "pullRequests"),
        r.doubleAt(json, "activeTimeSeconds"));
  }

  private static Usage usage(JsonObject json, LenientReader r) {
    return new Usage(r.longAt(json, "inputTokens"), r.longAt(json, "outputTokens"), r.longAt(json, "cacheReadTokens"),
        r.longAt(json, "cacheCreationTokens"), r.costMicrosAt(json), r.longAt(json, "apiRequests"),
        r.longAt(json, "apiErrors"));
  }

  private static Map<String, Double> metrics(JsonObject json, LenientReader r) {
    Map<String, Double> metrics = new LinkedHashMap<>();
    json.forEach(e -> {
      if (!e.getKey().equals(METRIC_COST_MICROS)) { // costUsd, rounded the same, is what the metric totals add to
        Double value = r.numberOrNull(e.getValue(), "metrics." + e.getKey());
        metrics.put(e.getKey(), value == null ? 0.0 : value);
      }
    });
    return Collections.unmodifiableMap(metrics);
  }

  private static Context context(JsonObject json, LenientReader r) {
    List<ContextPrediction.Sample> samples = new ArrayList<>();
    r.arrayAt(json, "samples").forEach(o -> {
      JsonObject sample = r.asObject(o, "context.samples");
      Instant time = sample == null ? null : r.instantAt(sample, "time");
      if (time != null) {
        samples.add(new ContextPrediction.Sample(time, r.longAt(sample, "tokens")));
      }
    });
    Object prediction = json.getValue("prediction");
    return new Context(r.nullableLongAt(json, "tokens"), r.longAt(json, "peak"), r.stringAt(json, "model"),
        r.intAt(json, "compactions"), r.booleanAt(json, "compactionSeen"), List.copyOf(samples),
        r.nullableLongAt(json, "window"), r.nullableLongAt(json, "threshold"), r.nullableDoubleAt(json, "percentOfWindow"),
        r.nullableDoubleAt(json, "percentOfThreshold"),
        prediction == null ? null : prediction(r.asObject(prediction, "context.prediction"), r),
        thresholdSource(json, r), r.nullableLongAt(json, "observedThreshold"), compaction(json, r));
  }

  /** One of the known sources; written by an older version (none) or unknown: null. */
  private static String thresholdSource(JsonObject json, LenientReader r) {
    String source = r.stringAt(json, "thresholdSource");
    if (source != null && !Context.THRESHOLD_SOURCES.contains(source)) {
      r.unreadable("context.thresholdSource");
      return null;
    }
    return source;
  }

  private static SessionSummary.Compaction compaction(JsonObject context, LenientReader r) {
    Object value = context.getValue("lastCompaction");
    JsonObject json = value == null ? null : r.asObject(value, "context.lastCompaction");
    return json == null ? null : new SessionSummary.Compaction(r.stringAt(json, "trigger"), r.booleanAt(json, "success"),
        r.nullableLongAt(json, "preTokens"), r.nullableLongAt(json, "postTokens"));
  }

  /** Absent (an older version's summary): none. */
  private static Errors errors(JsonObject json, LenientReader r) {
    Map<String, Long> byStatus = new LinkedHashMap<>();
    JsonObject statuses = r.objectAt(json, "byStatus");
    statuses.fieldNames().forEach(status -> byStatus.put(status, r.longAt(statuses, status)));
    JsonObject last = json.getValue("last") == null ? null : r.asObject(json.getValue("last"), "errors.last");
    return new Errors(r.longAt(json, "apiErrors"), r.longAt(json, "retriesExhausted"), r.longAt(json, "promptTooLong"),
        Collections.unmodifiableMap(byStatus), last == null ? null : new LastError(r.stringAt(last, "kind"),
            nullableInt(r.nullableLongAt(last, "status")), r.stringAt(last, "message"),
            nullableInt(r.nullableLongAt(last, "attempt")), r.instantAt(last, "time")));
  }

  /** Absent (an older version's summary, or no hook yet): none. */
  private static SessionSummary.Lifecycle lifecycle(JsonObject json, LenientReader r) {
    return new SessionSummary.Lifecycle(r.stringAt(json, "startSource"), r.instantAt(json, "startedAt"),
        r.stringAt(json, "endReason"), r.stringAt(json, "predecessorId"), r.instantAt(json, "lastCompactionAt"),
        r.stringAt(json, "lastCompactionTrigger"), r.stringAt(json, "compactSummary"),
        r.booleanAt(json, "hookCompactionUnmatched"), r.booleanAt(json, "eventCompactionUnmatched"));
  }

  /** Absent, or without a readable time: not waiting. */
  private static SessionSummary.Waiting waiting(JsonObject summary, LenientReader r) {
    Object value = summary.getValue("waiting");
    JsonObject json = value == null ? null : r.asObject(value, "waiting");
    Instant since = json == null ? null : r.instantAt(json, "since");
    return since == null ? null : new SessionSummary.Waiting(since, r.stringAt(json, "reason"));
  }

  /** Absent (no status line yet, or an older version's summary): null. */
  private static SessionSummary.StatusLine statusLine(Object value, LenientReader r) {
    JsonObject json = value == null ? null : r.asObject(value, "statusLine");
    if (json == null) {
      return null;
    }
    List<SessionSummary.QuotaSample> samples = new ArrayList<>();
    r.arrayAt(json, "quotaSamples").forEach(o -> {
      JsonObject sample = r.asObject(o, "statusLine.quotaSamples");
      Instant time = sample == null ? null : r.instantAt(sample, "time");
      if (time != null) {
        samples.add(new SessionSummary.QuotaSample(time, rateLimit(sample, "fiveHour", r), rateLimit(sample, "sevenDay", r)));
      }
    });
    return new SessionSummary.StatusLine(r.instantAt(json, "time"), r.stringAt(json, "model"), r.stringAt(json, "version"),
        r.nullableLongAt(json, "window"), r.nullableDoubleAt(json, "usedPercentage"), r.nullableDoubleAt(json, "costUsd"),
        rateLimit(json, "fiveHour", r), rateLimit(json, "sevenDay", r), List.copyOf(samples));
  }

  private static SessionSummary.RateLimit rateLimit(JsonObject parent, String key, LenientReader r) {
    Object value = parent.getValue(key);
    JsonObject json = value == null ? null : r.asObject(value, "statusLine." + key);
    Double used = json == null ? null : r.nullableDoubleAt(json, "usedPercentage");
    return used == null ? null : new SessionSummary.RateLimit(used, r.instantAt(json, "resetsAt"));
  }

  private static Integer nullableInt(Long value) {
    return value == null ? null : (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, value));
  }

  private static Subagents subagents(JsonObject json, LenientReader r) {
    List<SubagentRun> runs = new ArrayList<>();
    r.arrayAt(json, "runs").forEach(o -> {
      JsonObject run = r.asObject(o, "subagents.runs");
      if (run != null) {
        runs.add(new SubagentRun(r.instantAt(run, "time"), r.stringAt(run, "agentType"), r.stringAt(run, "agentId"),
            r.nullableLongAt(run, "totalTokens"), r.nullableLongAt(run, "totalToolUses"),
            r.nullableDoubleAt(run, "durationMs"), r.stringAt(run, "model")));
      }
    });
    return new Subagents(objects(r.objectAt(json, "byType"), "subagents.byType", r, SummaryCodec::usage),
        List.copyOf(runs), r.longAt(json, "runCount"));
  }

  private static ContextPrediction prediction(JsonObject json, LenientReader r) {
    return json == null ? null : new ContextPrediction(r.doubleAt(json, "growthPerRequest"),
        r.doubleAt(json, "growthPerMinute"), r.nullableDoubleAt(json, "requestsLeft"), r.nullableDoubleAt(json, "minutesLeft"),
        r.nullableDoubleAt(json, "requestsLeftToWindow"), r.nullableDoubleAt(json, "minutesLeftToWindow"));
  }

  private static List<String> strings(JsonArray json, String key, LenientReader r) {
    List<String> strings = new ArrayList<>();
    json.forEach(value -> {
      String text = r.asString(value, key);
      if (text != null) {
        strings.add(text);
      }
    });
    return List.copyOf(strings);
  }

  /** The entries that are objects, each read with {@code read}; the others noted and left out. */
  private static <T> Map<String, T> objects(JsonObject json, String key, LenientReader r,
      BiFunction<JsonObject, LenientReader, T> read) {
    Map<String, T> values = new LinkedHashMap<>();
    json.forEach(e -> {
      JsonObject value = r.asObject(e.getValue(), key);
      if (value != null) {
        values.put(e.getKey(), read.apply(value, r));
      }
    });
    return Collections.unmodifiableMap(values);
  }
}
