package dev.contextwatch.processor;

import dev.contextwatch.core.model.ContextPrediction;
import dev.contextwatch.core.model.Costs;
import dev.contextwatch.core.model.Models;
import dev.contextwatch.core.model.StoreBatch.SessionRow;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A session's state as stored and published: its JSON summary (the whole state, read back after a
 * restart) and its row in the sessions table. The one place that knows the summary's keys.
 */
final class SessionSummaries {
  /** Beside the metrics' cost in dollars, the same in micro-dollars (shown, never added to). */
  private static final String METRIC_COST_MICROS = "costMicros";

  private SessionSummaries() {}

  static JsonObject toJson(SessionState s, Models table) {
    return identity(s)
        .put("models", new JsonArray(s.models.stream().toList()))
        .put("oneMillionModels", new JsonArray(s.oneMillionModels.stream().toList()))
        .put("totals", totals(s))
        .put("byThread", usages(s.byThread))
        .put("byModel", usages(s.byModel))
        .put("metrics", metrics(s))
        .put("tools", objects(s.tools, t -> new JsonObject()
            .put("calls", t.calls).put("successes", t.successes).put("failures", t.failures)))
        .put("context", s.context.toJson(table, s.oneMillionModels))
        .put("lastTool", s.lastTool)
        .put("lastPromptId", s.lastPromptId)
        .put("lastPrompt", s.lastPrompt);
  }

  private static JsonObject identity(SessionState s) {
    return new JsonObject()
        .put("sessionId", s.sessionId)
        .put("pseudo", s.pseudo)
        .put("status", s.closedAt == null ? "active" : "closed")
        .put("serviceName", s.serviceName)
        .put("project", s.project)
        .put("label", s.label)
        .put("userId", s.userId)
        .put("clientVersion", s.clientVersion)
        .put("runId", s.runId)
        .put("parentSessionId", s.parentSessionId)
        .put("synthetic", s.synthetic)
        .put("firstSeen", text(s.firstSeen))
        .put("lastSeen", text(s.lastSeen))
        .put("lastReceivedAt", text(s.lastReceivedAt))
        .put("closedAt", text(s.closedAt));
  }

  private static JsonObject totals(SessionState s) {
    return s.totals().toJson()
        .put("source", s.totalsFromEvents() ? "events" : "metrics")
        .put("prompts", s.prompts)
        .put("linesAdded", Math.round(s.metrics.getOrDefault("linesAdded", 0.0)))
        .put("linesRemoved", Math.round(s.metrics.getOrDefault("linesRemoved", 0.0)))
        .put("commits", Math.round(s.metrics.getOrDefault("commits", 0.0)))
        .put("pullRequests", Math.round(s.metrics.getOrDefault("pullRequests", 0.0)))
        .put("activeTimeSeconds", s.metrics.getOrDefault("activeTimeSeconds", 0.0));
  }

  private static JsonObject metrics(SessionState s) {
    JsonObject metrics = new JsonObject();
    s.metrics.forEach(metrics::put);
    if (s.metrics.containsKey(SessionState.METRIC_COST)) {
      long micros = Costs.micros(s.metrics.get(SessionState.METRIC_COST));
      metrics.put(SessionState.METRIC_COST, Costs.usd(micros)).put(METRIC_COST_MICROS, micros);
    }
    return metrics;
  }

  private static JsonObject usages(Map<String, Usage> usages) {
    return objects(usages, Usage::toJson);
  }

  private static <T> JsonObject objects(Map<String, T> values, Function<T, JsonObject> json) {
    JsonObject objects = new JsonObject();
    values.forEach((key, value) -> objects.put(key, json.apply(value)));
    return objects;
  }

  static SessionRow toRow(SessionState s, Models table) {
    Usage totals = s.totals();
    Models.Model model = s.context.model(table, s.oneMillionModels);
    ContextPrediction prediction = s.context.prediction(table, s.oneMillionModels);
    return new SessionRow(s.sessionId, s.pseudo, s.synthetic, s.serviceName, s.project, s.label, s.userId, s.clientVersion,
        s.runId, s.parentSessionId, s.firstSeen, s.lastSeen, s.lastReceivedAt, s.closedAt, totals.inputTokens,
        totals.outputTokens, totals.cacheReadTokens, totals.cacheCreationTokens, Costs.usd(totals.costMicros),
        totals.apiRequests, totals.apiErrors, s.context.tokens, model == null ? null : model.window(),
        model == null ? null : model.autoCompactThreshold(), s.context.tokens == null ? null : s.context.peak,
        s.context.compactions, prediction == null ? null : prediction.requestsLeft(), toJson(s, table), s.version);
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
    readIdentity(s, json, r);
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
    readMetrics(s, r.objectAt(json, "metrics"), r);
    readTools(s, r.objectAt(json, "tools"), r);
    s.context.read(r.objectAt(json, "context"), r);
    s.lastTool = r.stringAt(json, "lastTool");
    s.lastPromptId = r.stringAt(json, "lastPromptId");
    s.lastPrompt = r.stringAt(json, "lastPrompt");
    r.logged();
    return s;
  }

  private static void readIdentity(SessionState s, JsonObject json, SummaryReader r) {
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
  }

  private static void readMetrics(SessionState s, JsonObject metrics, SummaryReader r) {
    metrics.forEach(e -> {
      if (e.getKey().equals(METRIC_COST_MICROS)) {
        return; // costUsd, rounded the same, is what the metric totals add to
      }
      Double value = r.numberOrNull(e.getValue(), "metrics." + e.getKey());
      s.metrics.put(e.getKey(), value == null ? 0.0 : value);
    });
  }

  private static void readTools(SessionState s, JsonObject tools, SummaryReader r) {
    tools.forEach(e -> {
      JsonObject t = r.asObject(e.getValue(), "tools");
      if (t != null) {
        SessionState.ToolStats stats = new SessionState.ToolStats();
        stats.calls = r.longAt(t, "calls");
        stats.successes = r.longAt(t, "successes");
        stats.failures = r.longAt(t, "failures");
        s.tools.computeIfAbsent(s.keyIn(s.tools, e.getKey()), k -> new SessionState.ToolStats()).add(stats);
      }
    });
  }

  private static void addRead(SessionState s, Set<String> names, String name) {
    if (name != null) {
      s.addCapped(names, name);
    }
  }

  private static String text(Instant instant) {
    return instant == null ? null : instant.toString();
  }
}
