package dev.contextwatch.processor;

import dev.contextwatch.core.model.ContextPrediction;
import dev.contextwatch.core.model.Models;
import dev.contextwatch.core.summary.SessionSummary;
import dev.contextwatch.processor.source.UsageFact;
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
  /** The pre_tokens of the last automatic compaction: where this session's client compacts. */
  Long observedThreshold;
  SessionSummary.Compaction lastCompaction;
  /** A compaction a hook reported that the telemetry has not yet; and the other way round. */
  boolean hookCompactionUnmatched;
  boolean eventCompactionUnmatched;
  /** The window size the client's status line gave: the session's window, whatever the model table says. */
  Long clientWindow;
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

  /**
   * The client said it compacted: the context is then its {@code postTokens} (when known) until the
   * next main-thread request says more; an automatic compaction's {@code preTokens} is where this
   * client compacts. A compaction the client said failed changed nothing but is remembered.
   */
  void compaction(UsageFact.Compaction c, boolean hooked) {
    lastCompaction = new SessionSummary.Compaction(c.trigger(), c.success(), c.preTokens(), c.postTokens());
    if (!c.success()) {
      return;
    }
    if (hookCompactionUnmatched) {
      hookCompactionUnmatched = false;
    } else {
      compacted();
      eventCompactionUnmatched = hooked;
    }
    if (c.postTokens() != null) {
      tokens = c.postTokens();
    }
    if ("auto".equals(c.trigger()) && c.preTokens() != null && c.preTokens() > 0) {
      observedThreshold = c.preTokens();
    }
  }

  /**
   * A hook said the client is about to compact ({@code PreCompact}): counted now, unless the
   * telemetry's event of the same compaction came first; the event, when it comes, then adds its
   * sizes without counting it again.
   */
  void hookCompaction(String trigger) {
    if (eventCompactionUnmatched) {
      eventCompactionUnmatched = false;
      return;
    }
    lastCompaction = new SessionSummary.Compaction(trigger, true, null, null);
    compacted();
    hookCompactionUnmatched = true;
  }

  private void compacted() {
    compactions++;
    compactionSeen = true;
    recent.clear();
  }

  /**
   * The client's status line: its window size is the session's; its model and last prompt size
   * stand in until a main-thread request names them (a session seen only through its status line).
   */
  void statusLine(UsageFact.StatusLine line) {
    clientWindow = line.window() == null ? clientWindow : line.window();
    model = model == null && line.model() != null ? Models.baseName(line.model()) : model;
    tokens = tokens == null ? line.currentTokens() : tokens;
  }

  /**
   * The auto-compact threshold and where it came from: set by hand, else observed in this session,
   * else computed on the window the client gave, else observed in its project's other sessions,
   * else the model table's.
   */
  private record Threshold(long tokens, String source) {}

  private Threshold threshold(Models.Model known, Long configured, Long inProject) {
    if (configured != null) {
      return new Threshold(configured, "configured");
    }
    if (observedThreshold != null) {
      return new Threshold(observedThreshold, "observed");
    }
    if (clientWindow != null) {
      return new Threshold(known.autoCompactThreshold(), "client");
    }
    if (inProject != null) {
      return new Threshold(inProject, "project");
    }
    return new Threshold(known.autoCompactThreshold(), known.thresholdInTable() ? "model" : "formula");
  }

  /** The model's limits, on the window the client gave when it gave one (the threshold then computed on it unless the table's fits). */
  Models.Model model(Models table, Set<String> oneMillionModels) {
    Models.Model known = model == null ? null : table.lookup(model, oneMillionModels.contains(model));
    return known == null || clientWindow == null || known.window() == clientWindow ? known : known.withWindow(clientWindow);
  }

  /**
   * The summary's part, with how full the window is, the threshold (set by hand as {@code
   * configured}, else learnt here or in the project ({@code inProject}), else the model's) and the
   * prediction once the model is known.
   */
  SessionSummary.Context toSummary(Models table, Set<String> oneMillionModels, Long configured, Long inProject) {
    Models.Model known = model(table, oneMillionModels);
    List<ContextPrediction.Sample> samples = List.copyOf(recent);
    if (known == null || tokens == null) {
      return new SessionSummary.Context(tokens, peak, model, compactions, compactionSeen, samples, null, null, null, null, null,
          null, observedThreshold, lastCompaction);
    }
    Threshold threshold = threshold(known, configured, inProject);
    return new SessionSummary.Context(tokens, peak, model, compactions, compactionSeen, samples, known.window(),
        threshold.tokens(), 100.0 * tokens / known.window(), 100.0 * tokens / threshold.tokens(),
        ContextPrediction.of(samples, tokens, threshold.tokens(), known.window()), threshold.source(), observedThreshold,
        lastCompaction);
  }

  /** Takes a stored summary's context back. */
  void restore(SessionSummary.Context context) {
    tokens = context.tokens();
    peak = context.peak();
    model = context.model();
    compactions = context.compactions();
    compactionSeen = context.compactionSeen();
    observedThreshold = context.observedThreshold() == null || context.observedThreshold() <= 0 ? null : context.observedThreshold();
    lastCompaction = context.lastCompaction();
    context.samples().forEach(this::addSample);
  }

  private void addSample(ContextPrediction.Sample sample) {
    recent.addLast(sample);
    while (recent.size() > RECENT_SAMPLES) {
      recent.removeFirst();
    }
  }
}
