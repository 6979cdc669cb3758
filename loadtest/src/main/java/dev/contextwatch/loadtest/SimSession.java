package dev.contextwatch.loadtest;

import dev.contextwatch.telemetry.Model;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.resource.v1.Resource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * One simulated Claude Code process: its identity (session, user, project, label, run), the state
 * its telemetry grows from (event sequence, current turn, context size, metric instruments), the
 * events buffered until the next logs export, and the requests waiting to be sent. A session sends
 * one request at a time, like the SDK's export pipeline; that also makes every live-feed update
 * attributable to one request.
 */
final class SimSession {
  /** The steps of a turn still to be emitted. */
  enum Step { USER_PROMPT, TOOL_DECISION, API_REQUEST, SUBAGENT_REQUEST, ASSISTANT_RESPONSE, TOOL_RESULT }

  /** Sums of the api_request events of a batch: what the pipeline's event totals must add up to. */
  static final class EventTotals {
    long apiRequests;
    long inputTokens;
    long outputTokens;
    long cacheReadTokens;
    long cacheCreationTokens;
    double costUsd;

    void add(long input, long output, long cacheRead, long cacheCreation, double cost) {
      apiRequests++;
      inputTokens += input;
      outputTokens += output;
      cacheReadTokens += cacheRead;
      cacheCreationTokens += cacheCreation;
      costUsd += cost;
    }

    void add(EventTotals other) {
      apiRequests += other.apiRequests;
      inputTokens += other.inputTokens;
      outputTokens += other.outputTokens;
      cacheReadTokens += other.cacheReadTokens;
      cacheCreationTokens += other.cacheCreationTokens;
      costUsd += other.costUsd;
    }
  }

  final int index;
  final String id;
  final String userId;
  final String project;
  final String label;
  final String runId;
  final Resource resource;
  /** Attributes the CLI puts on every record: the OTEL_RESOURCE_ATTRIBUTES keys, user, session, terminal. */
  final List<KeyValue> identity;
  final Random random;
  final Model model;
  /** The live-feed subscriber watching this session, or -1. */
  final int subscriber;

  // ---- event stream ----
  long nextSequence;
  String promptId;
  int turn;
  final ArrayDeque<Step> plan = new ArrayDeque<>();
  String toolName;
  String toolUseId;
  long contextTokens;
  boolean compacted;
  long clockMillis;
  /** Fractional records owed by the realistic pacer. */
  double owed;

  // ---- buffered until the next logs export ----
  final List<LogRecord> pendingEvents = new ArrayList<>();
  EventTotals pendingTotals = new EventTotals();
  long firstPendingSequence;

  final Meters meters;

  // ---- scheduling and sending ----
  long generatedUntilMillis;
  long nextLogsMillis;
  long nextMetricsMillis;
  int logsSinceMetrics;
  final ArrayDeque<Request> queue = new ArrayDeque<>();
  boolean busy;

  SimSession(int index, String id, String userId, String project, String label, String runId, Resource resource,
      List<KeyValue> identity, Random random, Model model, int subscriber, long startMillis) {
    this.index = index;
    this.id = id;
    this.userId = userId;
    this.project = project;
    this.label = label;
    this.runId = runId;
    this.resource = resource;
    this.identity = identity;
    this.random = random;
    this.model = model;
    this.subscriber = subscriber;
    this.clockMillis = startMillis;
    this.meters = new Meters(startMillis);
  }

  /** The time of the next record: never before the last one, so a session's records are in order. */
  long tick(long atMillis) {
    clockMillis = Math.max(clockMillis, atMillis);
    return clockMillis;
  }

  /** The buffered events of one logs request: the records, the sequence of the first, and their totals. */
  record Drained(List<LogRecord> events, long firstSequence, EventTotals totals) {}

  /** Takes the buffered events for a logs request. */
  Drained drainEvents() {
    Drained drained = new Drained(List.copyOf(pendingEvents), firstPendingSequence, pendingTotals);
    pendingEvents.clear();
    pendingTotals = new EventTotals();
    firstPendingSequence = nextSequence;
    return drained;
  }

  boolean idle() {
    return !busy && queue.isEmpty();
  }
}
