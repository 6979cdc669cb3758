package dev.contextwatch.processor;

import dev.contextwatch.core.model.ContextPrediction;
import dev.contextwatch.core.model.Models;
import dev.contextwatch.core.summary.SessionSummary;
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

  /** The summary's part, with how full the window is and the prediction once the model is known. */
  SessionSummary.Context toSummary(Models table, Set<String> oneMillionModels) {
    Models.Model known = model(table, oneMillionModels);
    List<ContextPrediction.Sample> samples = List.copyOf(recent);
    if (known == null || tokens == null) {
      return new SessionSummary.Context(tokens, peak, model, compactions, compactionSeen, samples, null, null, null, null, null);
    }
    return new SessionSummary.Context(tokens, peak, model, compactions, compactionSeen, samples, known.window(),
        known.autoCompactThreshold(), 100.0 * tokens / known.window(), 100.0 * tokens / known.autoCompactThreshold(),
        prediction(table, oneMillionModels));
  }

  /** Takes a stored summary's context back. */
  void restore(SessionSummary.Context context) {
    tokens = context.tokens();
    peak = context.peak();
    model = context.model();
    compactions = context.compactions();
    compactionSeen = context.compactionSeen();
    context.samples().forEach(this::addSample);
  }

  private void addSample(ContextPrediction.Sample sample) {
    recent.addLast(sample);
    while (recent.size() > RECENT_SAMPLES) {
      recent.removeFirst();
    }
  }
}
