package dev.contextwatch.loadtest;

import static dev.contextwatch.telemetry.Otlp.text;

import dev.contextwatch.core.model.Synthetic;
import dev.contextwatch.loadtest.Meters.Series;
import dev.contextwatch.loadtest.SimSession.Step;
import dev.contextwatch.telemetry.ApiCall;
import dev.contextwatch.telemetry.ClaudeCode;
import dev.contextwatch.telemetry.EventHeader;
import dev.contextwatch.telemetry.Model;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * A fleet of Claude Code sessions, each with its own seeded story; the records take the client's
 * shapes from the telemetry module ({@link ClaudeCode}). Each session works in turns: a user_prompt, then tool loops
 * (tool_decision, api_request, assistant_response, tool_result), sometimes a subagent request, and
 * a last api_request and assistant_response. The main context (input + cache read + cache creation
 * of each main-thread api_request) grows every request until the model's auto-compact threshold,
 * where a compaction event drops it. Every api_request also feeds the token, cost and active-time
 * instruments; a successful Edit feeds lines of code. Every session is marked synthetic
 * ({@code contextwatch.synthetic=true} beside the project and run in its resource attributes).
 * Deterministic for a seed.
 */
final class Simulator {
  private static final String[] TOOLS = {"Bash", "Read", "Edit", "Grep", "Glob", "Write"};

  private final Options options;
  private final List<String> projects;
  private final Map<String, Series> series = new HashMap<>();

  Simulator(Options options) {
    this.options = options;
    this.projects = options.projectNames();
  }

  // ---- the fleet ----

  List<SimSession> fleet(long startMillis) {
    Random seeds = new Random(options.seed);
    List<SimSession> fleet = new ArrayList<>(options.sessions);
    for (int i = 0; i < options.sessions; i++) {
      fleet.add(session(i, new Random(seeds.nextLong()), startMillis));
    }
    return fleet;
  }

  private SimSession session(int index, Random random, long startMillis) {
    String id = uuid(random);
    String user = uuid(random).replace("-", "") + uuid(random).replace("-", "");
    String project = projects.get(index % projects.size());
    String label = "term-" + index;
    String run = options.runs == 0 ? null : options.project + "-run-" + index % options.runs;
    List<KeyValue> resourceAttributes = new ArrayList<>();
    resourceAttributes.add(text("service.namespace", project));
    // the pipeline hides synthetic sessions from the fleet and sends no webhooks for them unless asked
    resourceAttributes.add(text(Synthetic.ATTRIBUTE, "true"));
    resourceAttributes.add(text("service.instance.id", label));
    if (run != null) {
      resourceAttributes.add(text("contextwatch.run_id", run));
    }
    Model model = random.nextInt(10) < 7 ? Model.SONNET : Model.OPUS;
    int subscriber = options.subscribers == 0 ? -1 : index % options.subscribers;
    SimSession s = new SimSession(index, id, user, project, label, run, ClaudeCode.resource(resourceAttributes),
        ClaudeCode.identity(resourceAttributes, user, id), random, model, subscriber, startMillis);
    // sessions join at every stage of their context, so some compact early in a run
    s.contextTokens = 15_000 + (long) (random.nextDouble() * (model.compactAt() * 0.9 - 15_000));
    s.meters.add(series("claude_code.session.count", "Count of CLI sessions started", "", null, "start_type", "fresh"), 1);
    return s;
  }

  private static String uuid(Random random) {
    return new UUID(random.nextLong(), random.nextLong()).toString();
  }

  // ---- the event stream ----

  /** Appends the session's next {@code count} events, their times spread over ({@code fromMillis}, {@code toMillis}]. */
  void emit(SimSession s, int count, long fromMillis, long toMillis) {
    long span = Math.max(0, toMillis - fromMillis);
    for (int i = 1; i <= count; i++) {
      long time = s.tick(fromMillis + span * i / count);
      s.pendingEvents.add(next(s, time));
    }
  }

  private LogRecord next(SimSession s, long time) {
    if (s.plan.isEmpty()) {
      planTurn(s);
    }
    Step step = s.plan.peek();
    if (step == Step.API_REQUEST && s.contextTokens >= s.model.compactAt()) {
      return compaction(s, time);
    }
    s.plan.poll();
    return switch (step) {
      case USER_PROMPT -> userPrompt(s, time);
      case TOOL_DECISION -> toolDecision(s, time);
      case API_REQUEST -> apiRequest(s, time, s.model, "main");
      case SUBAGENT_REQUEST -> apiRequest(s, time, Model.HAIKU, "subagent");
      case ASSISTANT_RESPONSE -> assistantResponse(s, time);
      case TOOL_RESULT -> toolResult(s, time);
    };
  }

  private static void planTurn(SimSession s) {
    s.turn++;
    s.promptId = uuid(s.random);
    s.plan.add(Step.USER_PROMPT);
    int tools = 1 + s.random.nextInt(5);
    for (int t = 0; t < tools; t++) {
      s.plan.add(Step.TOOL_DECISION);
      s.plan.add(Step.API_REQUEST);
      s.plan.add(Step.ASSISTANT_RESPONSE);
      s.plan.add(Step.TOOL_RESULT);
    }
    if (s.random.nextInt(10) == 0) {
      s.plan.add(Step.SUBAGENT_REQUEST);
    }
    s.plan.add(Step.API_REQUEST);
    s.plan.add(Step.ASSISTANT_RESPONSE);
  }

  private LogRecord userPrompt(SimSession s, long time) {
    s.meters.add(series("claude_code.active_time.total", "Total active time in seconds", "s", "activeTimeSeconds",
        "type", "user"), 2 + s.random.nextInt(30));
    return ClaudeCode.userPrompt(header(s, time), 20 + s.random.nextInt(400), "<REDACTED>").build();
  }

  private static LogRecord toolDecision(SimSession s, long time) {
    s.toolName = TOOLS[s.random.nextInt(TOOLS.length)];
    s.toolUseId = "toolu_" + Long.toHexString(s.random.nextLong());
    return ClaudeCode.toolDecision(header(s, time), s.toolName, s.toolUseId).build();
  }

  private LogRecord apiRequest(SimSession s, long time, Model model, String querySource) {
    Random r = s.random;
    long input = 20 + r.nextInt(600);
    long output = 50 + r.nextInt(1500);
    long growth = model.minGrowth() + r.nextInt(model.maxGrowth() - model.minGrowth());
    long cacheRead;
    long cacheCreation;
    if (querySource.equals("main")) {
      // the prompt (input + cache read + cache creation) is the context: what was cached, plus what is new
      cacheRead = s.compacted ? 0 : s.contextTokens;
      cacheCreation = (s.compacted ? s.contextTokens : 0) + growth - input;
      s.contextTokens += growth;
      s.compacted = false;
    } else {
      cacheRead = 5_000 + r.nextInt(10_000);
      cacheCreation = growth;
    }
    long durationMs = 800 + r.nextInt(6_000);
    // whole micro-dollars, as the client's cost_usd_micros: the totals the pipeline adds up are then exactly the ledger's
    ApiCall call = ApiCall.priced(model, querySource, input, output, cacheRead, cacheCreation, durationMs);
    double cost = call.costUsd();
    s.pendingTotals.add(input, output, cacheRead, cacheCreation, cost);
    String m = model.metricsName();
    s.meters.add(tokens(m, querySource, "input"), input);
    s.meters.add(tokens(m, querySource, "output"), output);
    s.meters.add(tokens(m, querySource, "cacheRead"), cacheRead);
    s.meters.add(tokens(m, querySource, "cacheCreation"), cacheCreation);
    s.meters.add(series("claude_code.cost.usage", "Cost of the Claude Code session", "USD", "costUsd",
        "model", m, "query_source", querySource, "effort", "high"), cost);
    s.meters.add(series("claude_code.active_time.total", "Total active time in seconds", "s", "activeTimeSeconds",
        "type", "cli"), durationMs / 1000.0);
    return ClaudeCode.apiRequest(header(s, time), call).addAttributes(text("effort", "high")).build();
  }

  private Series tokens(String model, String querySource, String type) {
    return series("claude_code.token.usage", "Number of tokens used", "tokens", TOKEN_FIELDS.get(type),
        "model", model, "query_source", querySource, "effort", "high", "type", type);
  }

  private static final Map<String, String> TOKEN_FIELDS = Map.of("input", "inputTokens", "output", "outputTokens",
      "cacheRead", "cacheReadTokens", "cacheCreation", "cacheCreationTokens");

  private static LogRecord assistantResponse(SimSession s, long time) {
    return ClaudeCode.assistantResponse(header(s, time), 10 + s.random.nextInt(4_000), s.model.name(), "main").build();
  }

  private LogRecord toolResult(SimSession s, long time) {
    boolean success = s.random.nextInt(20) != 0;
    if (success && s.toolName.equals("Edit")) {
      s.meters.add(series("claude_code.lines_of_code.count", "Count of lines of code modified", "", "linesAdded",
          "type", "added"), 1 + s.random.nextInt(40));
      s.meters.add(series("claude_code.lines_of_code.count", "Count of lines of code modified", "", "linesRemoved",
          "type", "removed"), s.random.nextInt(20));
    }
    return ClaudeCode.toolResult(header(s, time), s.toolName, s.toolUseId, success, 5 + s.random.nextInt(3_000),
        20 + s.random.nextInt(500), s.random.nextInt(20_000)).build();
  }

  /** An auto-compaction before the next main request: the context drops to a summary. */
  private static LogRecord compaction(SimSession s, long time) {
    long pre = s.contextTokens;
    long post = 20_000 + s.random.nextInt(25_000);
    s.contextTokens = post;
    s.compacted = true;
    return ClaudeCode.compaction(header(s, time), pre, post, 20_000 + s.random.nextInt(40_000)).build();
  }

  /** The next event of the session at {@code timeMillis}: it takes the session's next sequence number. */
  private static EventHeader header(SimSession s, long timeMillis) {
    return new EventHeader(s.identity, timeMillis * 1_000_000L, s.nextSequence++, s.promptId);
  }

  // ---- metric series: one descriptor per metric and attribute set, shared by all sessions ----

  private Series series(String metric, String description, String unit, String field, String... attributes) {
    String key = metric + "|" + String.join("|", attributes);
    Series known = series.get(key);
    if (known != null) {
      return known;
    }
    List<KeyValue> values = new ArrayList<>();
    for (int i = 0; i < attributes.length; i += 2) {
      values.add(text(attributes[i], attributes[i + 1]));
    }
    Series created = new Series(key, metric, description, unit, field, List.copyOf(values));
    series.put(key, created);
    return created;
  }
}
