package dev.contextwatch.processor;

import dev.contextwatch.core.model.ContextPrediction;
import dev.contextwatch.core.model.Models;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Set;

/**
 * The main thread's context window of one session: its current size, peak, compactions and recent
 * samples, and what they predict once the model (and so the threshold) is known.
 */
final class ContextWindow {
  private static final int RECENT_SAMPLES = 20;

  Long tokens;
  long peak;
  String model;
  int compactions;
  boolean compactionSeen;
  final ArrayDeque<ContextPrediction.Sample> recent = new ArrayDeque<>();

  /**
   * A main-thread request whose prompt was {@code promptTokens}: how full the window was. Returns
   * whether the context was compacted since the previous request (said so, or a drop by half).
   */
  boolean request(Instant time, long promptTokens, String requestModel) {
    boolean dropped = tokens != null && promptTokens < tokens / 2;
    boolean compacted = compactionSeen || dropped;
    if (dropped && !compactionSeen) {
      compactions++;
      recent.clear();
    }
    compactionSeen = false;
    tokens = promptTokens;
    peak = Math.max(peak, promptTokens);
    model = requestModel == null ? model : requestModel;
    addSample(new ContextPrediction.Sample(time, promptTokens));
    return compacted;
  }

  /** The client said it compacted; {@code postTokens}, when known, is the size after. */
  void compaction(Long postTokens) {
    compactions++;
    compactionSeen = true;
    recent.clear();
    if (postTokens != null) {
      tokens = postTokens;
    }
  }

  Models.Model model(Models table, Set<String> oneMillionModels) {
    return model == null ? null : table.lookup(model, oneMillionModels.contains(model));
  }

  /** Growth and time left, when the model (and so the threshold) is known. */
  ContextPrediction prediction(Models table, Set<String> oneMillionModels) {
    Models.Model known = model(table, oneMillionModels);
    if (known == null || tokens == null) {
      return null;
    }
    return ContextPrediction.of(List.copyOf(recent), tokens, known.autoCompactThreshold(), known.window());
  }

  JsonObject toJson(Models table, Set<String> oneMillionModels) {
    Models.Model known = model(table, oneMillionModels);
    JsonArray samples = new JsonArray();
    recent.forEach(s -> samples.add(new JsonObject().put("time", s.time().toString()).put("tokens", s.tokens())));
    JsonObject json = new JsonObject()
        .put("tokens", tokens)
        .put("peak", peak)
        .put("model", model)
        .put("compactions", compactions)
        .put("compactionSeen", compactionSeen)
        .put("samples", samples);
    if (known != null && tokens != null) {
      ContextPrediction prediction = prediction(table, oneMillionModels);
      json.put("window", known.window())
          .put("threshold", known.autoCompactThreshold())
          .put("percentOfWindow", 100.0 * tokens / known.window())
          .put("percentOfThreshold", 100.0 * tokens / known.autoCompactThreshold())
          .put("growthPerRequest", prediction.growthPerRequest())
          .put("growthPerMinute", prediction.growthPerMinute())
          .put("prediction", prediction.toJson());
    }
    return json;
  }

  /** Reads a stored summary's context leniently (see {@link SummaryReader}). */
  void read(JsonObject context, SummaryReader r) {
    tokens = r.nullableLongAt(context, "tokens");
    peak = r.longAt(context, "peak");
    model = r.stringAt(context, "model");
    compactions = r.intAt(context, "compactions");
    compactionSeen = r.booleanAt(context, "compactionSeen");
    r.arrayAt(context, "samples").forEach(o -> {
      JsonObject sample = r.asObject(o, "context.samples");
      Instant time = sample == null ? null : r.instantAt(sample, "time");
      if (time != null) {
        addSample(new ContextPrediction.Sample(time, r.longAt(sample, "tokens")));
      }
    });
  }

  private void addSample(ContextPrediction.Sample sample) {
    recent.addLast(sample);
    while (recent.size() > RECENT_SAMPLES) {
      recent.removeFirst();
    }
  }
}
