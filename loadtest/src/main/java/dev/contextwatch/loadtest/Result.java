package dev.contextwatch.loadtest;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/** Everything a run measured, as the report shows it and result.json holds it. */
final class Result {
  /**
   * The sending phase, which the throughput is measured over: records and requests acknowledged
   * while sending (not in the final flush after it), and its length.
   */
  record Load(long records, long requests, double seconds) {
    double recordsPerSecond() {
      return records / seconds;
    }

    double requestsPerSecond() {
      return requests / seconds;
    }
  }

  /**
   * The warm-up before the sending phase ({@code --warmup}): records sent and acknowledged and
   * requests acknowledged in it. Verified with the rest, left out of every figure.
   */
  record WarmUp(long recordsSent, long recordsAcknowledged, long requestsAcknowledged) {
    static final WarmUp NONE = new WarmUp(0, 0, 0);
  }

  final Options options;
  final String target;
  final Instant startedAt;
  final Load load;
  final Stats stats;
  final Account account;
  final long framesMissing;
  final long framesReceived;
  final long reconnects;
  /** Null with --no-verify. */
  final Verifier.Verification verification;
  final Ceiling.Result ceiling;
  /** Null without --cleanup. */
  final Cleanup.Result cleanup;
  final long heapUsedAfterGc;
  /** The machine's 1-minute load average when the report was made: other work competing for the cores shows here. */
  final double loadAverage = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  /** CPU used while sending, per process; null without /proc. */
  Cpu.Result cpu;
  /** The database's fsync, synchronous_commit and full_page_writes, e.g. "fsync=on ..."; null when it is not reachable. */
  String durability;
  /** The comparison with the previous comparable run in the history, as printed. */
  String comparison;
  /** Not reported: what was expected, for a second look at the database (tests). */
  Ledger ledger;
  /** Per OTLP URL: requests it acknowledged, and failed attempts that went on to another node. */
  List<Sender.NodeLoad> nodeLoads = List.of();
  /** Per API URL the subscribers were connected to: frames by the node that made them. */
  Map<URI, Map<String, Long>> framesByNode = Map.of();
  /** What happened to the nodes this run started (kill, restart, join), with times. */
  List<SpawnedNodes.Event> events = List.of();
  /** Null without the webhook sink. */
  WebhookSink.Check webhooks;

  Result(Options options, String target, Instant startedAt, Load load, Stats stats, Account account, long framesMissing,
      long framesReceived, long reconnects, long heapUsedAfterGc, Ceiling.Result ceiling, Cleanup.Result cleanup) {
    this.options = options;
    this.target = target;
    this.startedAt = startedAt;
    this.load = load;
    this.stats = stats;
    this.account = account;
    this.framesMissing = framesMissing;
    this.framesReceived = framesReceived;
    this.reconnects = reconnects;
    this.verification = account.verification;
    this.ceiling = ceiling;
    this.cleanup = cleanup;
    this.heapUsedAfterGc = heapUsedAfterGc;
  }

  /** This JVM's heap after a full collection: with --embedded, the pipeline's sessions and caches plus the load generator's ledger. */
  static long heapAfterGc() {
    System.gc();
    Runtime runtime = Runtime.getRuntime();
    return runtime.totalMemory() - runtime.freeMemory();
  }

  /**
   * Lost, duplicated and unexpected records and mismatched totals are all zero (or nothing was
   * verified), the cleanup, when asked for, left no session behind, and with the webhook sink every
   * delivered webhook arrived exactly once.
   */
  boolean passed() {
    return (verification == null || verification.passed()) && (cleanup == null || cleanup.passed())
        && (webhooks == null || webhooks.passed());
  }

  /**
   * Records acknowledged per second of the sending phase, second by second, once it is under way
   * (after the first second, or the first logs interval when sessions start at random phases, less
   * what the warm-up already covered) and without the last, partial second.
   */
  double[] steadySeconds() {
    double startUp = options.mode == Options.Mode.REALISTIC ? options.logsInterval.toMillis() / 1000.0 : 1;
    double skipped = startUp - options.warmup.toMillis() / 1000.0;
    List<Stats.Tick> load = stats.timeline().stream().filter(t -> t.phase().equals("load")).toList();
    List<Stats.Tick> steady = load.stream().limit(Math.max(0, load.size() - 1)).filter(t -> t.atSeconds() > skipped + 0.5).toList();
    return (steady.isEmpty() ? load : steady).stream().mapToDouble(Stats.Tick::records).toArray();
  }

  /** The length of {@code --warmup}: 0 for a run without one. */
  double warmupSeconds() {
    return options.warmup.toMillis() / 1000.0;
  }

  Double ceilingRatio() {
    return ceiling == null || ceiling.recordsPerSecond() == 0 ? null : load.recordsPerSecond() / ceiling.recordsPerSecond();
  }

  JsonObject toJson() {
    double[] steady = steadySeconds();
    JsonObject json = new JsonObject()
        .put("startedAt", startedAt.toString())
        .put("target", target)
        .put("settings", settings())
        .put("machine", machine())
        .put("warmupSeconds", warmupSeconds())
        .put("load", new JsonObject()
            .put("seconds", load.seconds())
            .put("recordsAcknowledgedWhileSending", load.records())
            .put("recordsPerSecond", load.recordsPerSecond())
            .put("requestsAcknowledgedWhileSending", load.requests())
            .put("requestsPerSecond", load.requestsPerSecond())
            .put("lowestSecondRecordsPerSecond", steady.length == 0 ? 0 : Arrays.stream(steady).min().orElse(0))
            .put("offeredRecordsPerSecond", options.mode == Options.Mode.REALISTIC ? options.recordRate() : null)
            .put("peakBacklog", stats.peakBacklog()))
        .put("account", account.toJson())
        .put("answers", new JsonObject(Map.copyOf(stats.answers())))
        .put("otlpLatencyMs", latency(stats.latency()))
        .put("requestToFrameMs", latency(stats.frameLatency())
            .put("framesReceived", framesReceived)
            .put("frameBeforeAck", stats.framesBeforeAck())
            .put("missing", framesMissing)
            .put("reconnects", reconnects))
        .put("sendToFrameMs", latency(stats.sendToFrame()))
        .put("cpu", cpuJson())
        .put("databaseDurability", durability)
        .put("nodes", nodesJson())
        .put("events", new JsonArray(events.stream().map(SpawnedNodes.Event::toString).toList()))
        .put("feedFramesByNode", feedJson())
        .put("webhooks", webhooksJson())
        .put("passed", passed());
    if (verification != null) {
      json.put("verification", new JsonObject()
          .put("method", verification.method())
          .put("events", new JsonObject().put("expected", verification.eventsExpected()).put("stored", verification.eventsStored()))
          .put("metricPoints", new JsonObject().put("expected", verification.pointsExpected())
              .put("stored", verification.pointsStored())
              .put("checkedThrough", verification.pointsStored() == null ? "totals" : "rows"))
          .put("lost", verification.lost())
          .put("duplicated", verification.duplicated())
          .put("unexpected", verification.unexpected())
          .put("sessionsChecked", verification.sessionsChecked())
          .put("sessionsInDoubt", verification.sessionsInDoubt())
          .put("totalsMismatched", verification.totalsMismatched())
          .put("examples", new JsonArray(verification.examples())));
    }
    if (ceiling != null) {
      json.put("ceiling", new JsonObject()
          .put("records", ceiling.records())
          .put("seconds", ceiling.seconds())
          .put("recordsPerSecond", ceiling.recordsPerSecond())
          .put("transactions", ceiling.transactions())
          .put("storedRows", ceiling.storedRows())
          .put("pipelineOverCeiling", ceilingRatio()));
    }
    if (cleanup != null) {
      json.put("cleanup", new JsonObject()
          .put("projects", new JsonArray(cleanup.projects()))
          .put("sessionsDeleted", cleanup.sessions())
          .put("rowsDeleted", new JsonObject(new LinkedHashMap<>(cleanup.deleted())))
          .put("evicted", new JsonObject(new LinkedHashMap<>(cleanup.evicted())))
          .put("sessionsLeft", cleanup.sessionsLeft()));
    }
    JsonArray timeline = new JsonArray();
    for (Stats.Tick t : stats.timeline()) {
      timeline.add(new JsonObject().put("t", t.atSeconds()).put("phase", t.phase()).put("records", t.records())
          .put("requests", t.requests()).put("errors", t.errors()).put("p50", t.p50Ms()).put("p90", t.p90Ms())
          .put("p99", t.p99Ms()).put("max", t.maxMs()).put("frameP50", t.frameP50Ms()).put("frameP99", t.frameP99Ms())
          .put("frames", t.frames()));
    }
    return json.put("timeline", timeline);
  }

  private JsonArray nodesJson() {
    JsonArray nodes = new JsonArray();
    nodeLoads.forEach(n -> nodes.add(new JsonObject().put("otlp", n.otlp().toString()).put("requestsAcknowledged", n.acknowledged())
        .put("failovers", n.failovers())));
    return nodes;
  }

  private JsonObject feedJson() {
    JsonObject feed = new JsonObject();
    framesByNode.forEach((api, byNode) -> feed.put(api.toString(), new JsonObject(new LinkedHashMap<>(byNode))));
    return feed;
  }

  private JsonObject webhooksJson() {
    if (webhooks == null) {
      return null;
    }
    WebhookSink.Check w = webhooks;
    return new JsonObject().put("delivered", w.delivered()).put("pending", w.pending()).put("dead", w.dead())
        .put("received", w.received()).put("receivedTwice", w.receivedTwice()).put("missing", w.missing())
        .put("unexpected", w.unexpected()).put("examples", new JsonArray(w.examples())).put("passed", w.passed());
  }

  /** Cores used on average while sending, per group of processes, and the machine's busy cores and load average. */
  private JsonObject cpuJson() {
    if (cpu == null) {
      return null;
    }
    JsonObject cores = new JsonObject();
    JsonObject processes = new JsonObject();
    cpu.usage().forEach(u -> {
      cores.put(u.name(), u.cores());
      processes.put(u.name(), u.processes());
    });
    return new JsonObject().put("seconds", cpu.seconds()).put("coresUsed", cores).put("processes", processes)
        .put("machineBusyCores", cpu.machineBusyCores()).put("machineCores", cpu.cores())
        .put("loadAverageAtStart", cpu.loadAverageAtStart()).put("loadAverageAtEnd", cpu.loadAverageAtEnd());
  }

  private JsonObject settings() {
    Options o = options;
    return new JsonObject()
        .put("mode", Options.label(o.mode))
        .put("duration", o.duration.toString())
        .put("warmup", o.warmup.toString())
        .put("sessions", o.sessions)
        .put("project", o.project)
        .put("projects", o.projects)
        .put("runs", o.runs)
        .put("rate", o.mode == Options.Mode.REALISTIC ? o.recordRate() : null)
        .put("logsInterval", o.logsInterval.toString())
        .put("metricsInterval", o.metricsInterval.toString())
        .put("temporality", Options.label(o.temporality))
        .put("encoding", Options.label(o.encoding))
        .put("gzip", o.gzip)
        .put("inFlight", o.inFlight)
        .put("batchRecords", o.batchRecords)
        .put("duplicateShare", o.duplicateShare)
        .put("duplicateTiming", Options.label(o.duplicateTiming))
        .put("outOfOrderShare", o.outOfOrderShare)
        .put("resetShare", o.resetShare)
        .put("maxAttempts", o.maxAttempts)
        .put("subscribers", o.subscribers)
        .put("subscribeBy", Options.label(o.subscribeBy))
        .put("unfilteredSubscribers", o.unfilteredSubscribers)
        .put("seed", o.seed)
        .put("target", Options.label(o.target))
        .put("nodes", o.nodes)
        .put("cluster", o.nodes > 1 ? o.cluster : null)
        .put("killNode", o.killAt == null ? null : o.killNode)
        .put("killAt", o.killAt)
        .put("restartAt", o.restartAt)
        .put("joinAt", o.joinAt)
        .put("webhookSink", o.webhookSink)
        .put("pipelineJvmOptions", o.target == Options.TargetKind.SPAWNED ? o.pipelineJvmOpts.trim() : null)
        .put("ceiling", o.ceiling)
        .put("cleanup", o.cleanup);
  }

  private JsonObject machine() {
    Runtime runtime = Runtime.getRuntime();
    return new JsonObject()
        .put("cores", runtime.availableProcessors())
        .put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"))
        .put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"))
        .put("jvmArguments", new JsonArray(ManagementFactory.getRuntimeMXBean().getInputArguments()))
        .put("loadAverageAtEnd", loadAverage)
        .put("maxHeapBytes", runtime.maxMemory())
        .put("heapUsedAfterGcBytes", heapUsedAfterGc);
  }

  static JsonObject latency(Histogram h) {
    return new JsonObject()
        .put("count", h.getTotalCount())
        .put("p50", ms(h, 50))
        .put("p90", ms(h, 90))
        .put("p99", ms(h, 99))
        .put("p999", ms(h, 99.9))
        .put("max", h.getTotalCount() == 0 ? 0 : h.getMaxValue() / 1000.0)
        .put("mean", h.getTotalCount() == 0 ? 0 : h.getMean() / 1000.0);
  }

  static double ms(Histogram h, double percentile) {
    return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1000.0;
  }
}
