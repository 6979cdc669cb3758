package dev.contextwatch.loadtest;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

/** The command line: what to simulate, where to send it, which faults to inject, where to write the report. */
@Command(name = "java -jar contextwatch-loadtest.jar", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Simulates a fleet of Claude Code sessions sending OTLP to contextwatch,",
        "measures throughput, OTLP latency and request-to-frame latency on the live",
        "feed, and verifies that every acknowledged record is stored exactly once.",
        "",
        "Every simulated session is marked synthetic (resource attribute",
        "contextwatch.synthetic=true) and belongs to its own project (--project,",
        "default loadtest): the pipeline leaves synthetic sessions out of its fleet",
        "views unless asked (synthetic=include) and sends no webhooks for them unless",
        "an endpoint opts in (\"synthetic\": true). Against a running pipeline, add",
        "--cleanup (with --admin-token when it has an admin token) to delete the run's",
        "data after it.",
        "",
        "Exit status: 0 when lost=0, duplicated=0, every session's totals match and",
        "the cleanup (if asked) left nothing; 1 otherwise; 2 on a usage error, and",
        "for --cleanup of a project that holds sessions the load test did not mark.",
        ""})
public final class Options {

  /** How requests are paced. */
  public enum Mode { REALISTIC, SATURATION }

  /** Metric aggregation temporality, as OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE. */
  public enum Temporality { DELTA, CUMULATIVE }

  /** Body encoding, as OTEL_EXPORTER_OTLP_PROTOCOL http/protobuf or http/json. */
  public enum Encoding { PROTOBUF, JSON }

  /** When an injected duplicate is sent: after the original's 200 (a lost response) or alongside it (an exporter timeout). */
  public enum DuplicateTiming { AFTER_ACK, CONCURRENT }

  /** How the live-feed subscribers filter: each by its share of the sessions, or (after the unfiltered ones) by one project. */
  public enum SubscribeBy { SESSION, PROJECT }

  /** Where the pipeline under test runs. */
  public enum TargetKind { SPAWNED, EMBEDDED, RUNNING }

  // ---- target ----

  @Option(names = "--embedded", description = "Quick check: start the pipeline in this JVM on an embedded PostgreSQL in a temporary "
      + "directory (generator and pipeline then share one JVM, its CPU and its heap). Without --embedded, --otlp, --api or "
      + "--pg-url the load test starts the packaged pipeline in a JVM of its own (--pipeline-jar), which is how to measure.")
  boolean embedded;

  @Option(names = "--pipeline-jar", paramLabel = "FILE",
      description = "The pipeline started in its own JVM: its packaged jar (default: modules/app/target/contextwatch.jar of "
          + "the working directory, else contextwatch.jar beside this jar or in ../../modules/app/target/ from it).")
  Path pipelineJar;

  @Option(names = "--pipeline-jvm-opts", paramLabel = "OPTIONS", defaultValue = "-Xmx2g -XX:+UseZGC",
      description = "JVM options of the pipeline started in its own JVM, separated by spaces, e.g. \"-XX:+UseG1GC "
          + "-XX:MaxGCPauseMillis=20 -Xlog:gc:file=gc.log\" (default: ./contextwatch's, ${DEFAULT-VALUE}).")
  String pipelineJvmOpts;

  @Option(names = "--history", paramLabel = "FILE", defaultValue = "loadtest-history.jsonl",
      description = "One line per run is appended here, and the previous comparable run (same target kind, mode, sessions, "
          + "rate, subscribers, nodes and cluster mode) is compared with this one (default: ${DEFAULT-VALUE}).")
  Path history;

  @Option(names = "--otlp", paramLabel = "URL[,URL...]", split = ",", defaultValue = "http://127.0.0.1:4318",
      description = "OTLP/HTTP endpoint of a running pipeline, or of each of its nodes: session i sends to URL i modulo "
          + "their number, and a request whose node stops answering (connection refused or reset, time-out, 502, 503, 504) "
          + "is sent again, the same bytes, to the next URL (default: ${DEFAULT-VALUE}).")
  List<URI> otlp;

  @Option(names = "--api", paramLabel = "URL[,URL...]", split = ",", defaultValue = "http://127.0.0.1:8080",
      description = "Query API and live feed of a running pipeline, or of each of its nodes: subscriber i connects to URL i "
          + "modulo their number and to the next one when its node goes away; the final checks ask the first "
          + "(default: ${DEFAULT-VALUE}).")
  List<URI> api;

  @Option(names = "--pg-url", paramLabel = "URL",
      description = "postgresql://user:password@host:port/db of the pipeline's database: verify records there "
          + "(else through the API). Needed for --ceiling against a running pipeline.")
  String pgUrl;

  @Option(names = "--token", paramLabel = "TOKEN", description = "Bearer token for the OTLP receiver (ingestToken).")
  String token;

  @Option(names = "--api-token", paramLabel = "TOKEN", description = "Bearer token of the API port: the feed and the final checks (apiToken).")
  String apiToken;

  @Option(names = "--admin-token", paramLabel = "TOKEN",
      description = "Bearer token for the API's admin actions (adminToken): --cleanup deletes with it (default: the --api-token).")
  String adminToken;

  // ---- several nodes ----

  @Option(names = "--nodes", defaultValue = "1",
      description = "A pipeline this run starts: how many nodes, each the packaged pipeline in a JVM of its own on free "
          + "ports, all on ONE PostgreSQL that this run starts (in a temporary directory) (default: ${DEFAULT-VALUE}).")
  int nodes;

  @Option(names = "--cluster", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "With --nodes > 1: start the nodes in cluster mode (CONTEXTWATCH_CLUSTER_ENABLED, _HOST, _PORT, "
          + "_MEMBERS listing every node); --no-cluster: independent nodes that only share the database (default: on).")
  boolean cluster;

  @Option(names = "--kill-node", paramLabel = "K", defaultValue = "0",
      description = "With --nodes: the node (1 .. N) that --kill-at kills with SIGKILL (default: none).")
  int killNode;

  @Option(names = "--kill-at", paramLabel = "PERCENT", converter = PercentConverter.class,
      description = "When --kill-node is killed, as a share of --duration, e.g. 33%.")
  Double killAt;

  @Option(names = "--restart-at", paramLabel = "PERCENT", converter = PercentConverter.class,
      description = "When the killed node is started again (same ports), as a share of --duration, e.g. 66%.")
  Double restartAt;

  @Option(names = "--join-at", paramLabel = "PERCENT", converter = PercentConverter.class,
      description = "With --nodes: when one more node is started and joins (new ports; sessions are spread over it from then "
          + "on), as a share of --duration, e.g. 50%.")
  Double joinAt;

  @Option(names = "--webhook-sink", negatable = true, fallbackValue = "true",
      description = "With --nodes: send every webhook of the synthetic sessions to a receiver in this JVM, and check "
          + "that each delivery the outbox marks delivered arrived exactly once (default: on with --nodes > 1).")
  Boolean webhookSink;

  // ---- workload ----

  @Option(names = "--mode", defaultValue = "realistic", converter = ModeConverter.class,
      description = "realistic: Claude Code's cadence (logs every --logs-interval, metrics every --metrics-interval); "
          + "saturation: as fast as the pipeline acknowledges, --in-flight requests of --batch-records records (default: realistic).")
  Mode mode;

  @Option(names = "--duration", defaultValue = "60s", converter = DurationConverter.class,
      description = "How long to send (default: ${DEFAULT-VALUE}).")
  Duration duration;

  @Option(names = "--warmup", defaultValue = "0s", converter = DurationConverter.class,
      description = "Send exactly as measured for this long first, so that the JVMs have compiled the hot code before the clock "
          + "starts; then --duration follows without a pause (--kill-at, --restart-at and --join-at count from there). The "
          + "warm-up's records are verified but left out of every figure (default: ${DEFAULT-VALUE}: none).")
  Duration warmup;

  @Option(names = "--sessions", defaultValue = "1000", description = "Concurrent sessions (default: ${DEFAULT-VALUE}).")
  int sessions;

  @Option(names = "--project", paramLabel = "NAME", defaultValue = "loadtest",
      description = "Project (service.namespace) of the simulated sessions, all marked synthetic; with --projects N > 1 they are "
          + "spread over NAME-0 .. NAME-(N-1) (default: ${DEFAULT-VALUE}).")
  String project;

  @Option(names = "--projects", defaultValue = "1", description = "Projects the sessions are spread over (default: ${DEFAULT-VALUE}).")
  int projects;

  @Option(names = "--runs", defaultValue = "5",
      description = "Runs (contextwatch.run_id PROJECT-run-I) the sessions are spread over; 0: none (default: ${DEFAULT-VALUE}).")
  int runs;

  @Option(names = "--rate", paramLabel = "RECORDS_PER_S",
      description = "Realistic mode: log records per second over the whole fleet (default: 1 per session per second).")
  Double rate;

  @Option(names = "--logs-interval", defaultValue = "5s", converter = DurationConverter.class,
      description = "OTEL_LOGS_EXPORT_INTERVAL of every session (default: ${DEFAULT-VALUE}).")
  Duration logsInterval;

  @Option(names = "--metrics-interval", defaultValue = "60s", converter = DurationConverter.class,
      description = "OTEL_METRIC_EXPORT_INTERVAL of every session; in saturation mode a session exports metrics every "
          + "metrics-interval / logs-interval logs requests (default: ${DEFAULT-VALUE}).")
  Duration metricsInterval;

  @Option(names = "--temporality", defaultValue = "delta", converter = TemporalityConverter.class,
      description = "delta or cumulative metrics (default: ${DEFAULT-VALUE}).")
  Temporality temporality;

  @Option(names = "--encoding", defaultValue = "protobuf", converter = EncodingConverter.class,
      description = "protobuf or json (OTLP/JSON: hex ids, 64-bit integers as strings) (default: ${DEFAULT-VALUE}).")
  Encoding encoding;

  @Option(names = "--gzip", description = "Send bodies gzip-compressed.")
  boolean gzip;

  @Option(names = "--in-flight", defaultValue = "64", description = "Requests in flight at most (default: ${DEFAULT-VALUE}).")
  int inFlight;

  @Option(names = "--batch-records", defaultValue = "100", description = "Saturation mode: log records per logs request (default: ${DEFAULT-VALUE}).")
  int batchRecords;

  @Option(names = "--seed", defaultValue = "42", description = "Random seed: the same seed sends the same fleet (default: ${DEFAULT-VALUE}).")
  long seed;

  // ---- faults ----

  @Option(names = "--duplicate-share", defaultValue = "0", description = "Share of requests sent twice with identical bytes (default: ${DEFAULT-VALUE}).")
  double duplicateShare;

  @Option(names = "--duplicate-timing", defaultValue = "after-ack", converter = DuplicateTimingConverter.class,
      description = "after-ack: the copy follows the original's 200 (the response was lost); concurrent: both are in "
          + "flight at once (the exporter timed out) (default: ${DEFAULT-VALUE}).")
  DuplicateTiming duplicateTiming;

  @Option(names = "--out-of-order-share", defaultValue = "0",
      description = "Cumulative only: share of metric exports followed by an older cumulative point of the same series (default: ${DEFAULT-VALUE}).")
  double outOfOrderShare;

  @Option(names = "--reset-share", defaultValue = "0",
      description = "Cumulative only: share of metric exports after which the counters reset (new start time, values drop) (default: ${DEFAULT-VALUE}).")
  double resetShare;

  @Option(names = "--max-attempts", defaultValue = "0",
      description = "Attempts per request before it is abandoned (the OTel exporter makes 6); 0: until acknowledged (default: ${DEFAULT-VALUE}).")
  int maxAttempts;

  @Option(names = "--request-timeout", defaultValue = "10s", converter = DurationConverter.class,
      description = "Timeout of one attempt, as the exporter's OTEL_EXPORTER_OTLP_TIMEOUT (default: ${DEFAULT-VALUE}).")
  Duration requestTimeout;

  // ---- live feed, verification, ceiling, output ----

  @Option(names = "--subscribers", defaultValue = "10",
      description = "WebSocket subscribers on /v1/stream, each filtered as --subscribe-by says (default: ${DEFAULT-VALUE}).")
  int subscribers;

  @Option(names = "--subscribe-by", defaultValue = "session", converter = SubscribeByConverter.class,
      description = "session: subscriber i watches the sessions whose index is i modulo --subscribers; project: the first "
          + "--unfiltered-subscribers watch every session, subscriber i after them the project i modulo --projects "
          + "(default: ${DEFAULT-VALUE}).")
  SubscribeBy subscribeBy;

  @Option(names = "--unfiltered-subscribers", defaultValue = "10",
      description = "With --subscribe-by project: how many subscribers watch every session (default: ${DEFAULT-VALUE}).")
  int unfilteredSubscribers;

  @Option(names = "--settle", defaultValue = "15s", converter = DurationConverter.class,
      description = "After sending: give up on the requests left when none was settled for this long, and wait at most "
          + "this long for the last frames (default: ${DEFAULT-VALUE}).")
  Duration settle;

  @Option(names = "--no-verify", description = "Skip the final check of stored records and totals.")
  boolean noVerify;

  @Option(names = "--ceiling", description = "After the pipeline phase, stop the pipeline (one this run started) and write the same kind "
      + "of rows into a new database of the same PostgreSQL server through the persistence verticle alone (no receiver, "
      + "processor or feed) for the same duration (after the same --warmup, not measured), and report pipeline / ceiling.")
  boolean ceiling;

  @Option(names = "--pipeline-config", paramLabel = "FILE",
      description = "A pipeline this run starts, and the ceiling: the pipeline's JSON configuration (default: its bundled defaults; "
          + "CONTEXTWATCH_* variables apply either way).")
  Path pipelineConfig;

  @Option(names = "--receiver-instances", defaultValue = "0",
      description = "A pipeline this run starts: receiver verticle instances (0: the configured receiverInstances) (default: ${DEFAULT-VALUE}).")
  int receiverInstances;

  @Option(names = "--cleanup", description = "After the run and its verification, delete its project's data (every row of its sessions, "
      + "in every table, and the pipeline's memory of them) with DELETE /api/v1/projects/{project}?synthetic=only, so that a run "
      + "against a running pipeline leaves nothing behind. Refused, before anything is sent, for a project that holds sessions "
      + "the load test did not mark synthetic.")
  boolean cleanup;

  /** Set by {@link #check}: where the pipeline runs. */
  TargetKind target;

  /** Set by {@link #check}: the command line as given, for the history. */
  List<String> arguments = List.of();

  @Option(names = "--out", defaultValue = "target/loadtest", description = "Folder for result.json and report.html (default: ${DEFAULT-VALUE}).")
  Path out;

  /** Parses a command line; throws picocli's ParameterException on a bad one. */
  public static Options parse(String... args) {
    Options options = new Options();
    CommandLine line = new CommandLine(options);
    line.parseArgs(args);
    options.check(line);
    return options;
  }

  void check(CommandLine line) {
    require(line, sessions > 0, "--sessions must be at least 1");
    require(line, projects > 0, "--projects must be at least 1");
    require(line, !project.isBlank() && project.equals(project.trim()) && !project.contains("/"),
        "--project must be a name without spaces around it or a slash, got '" + project + "'");
    require(line, runs >= 0, "--runs must be 0 or more");
    require(line, unfilteredSubscribers >= 0, "--unfiltered-subscribers must be 0 or more");
    require(line, inFlight > 0, "--in-flight must be at least 1");
    require(line, batchRecords > 0, "--batch-records must be at least 1");
    require(line, subscribers >= 0, "--subscribers must be 0 or more");
    require(line, rate == null || rate > 0, "--rate must be positive");
    require(line, !duration.isNegative() && !duration.isZero(), "--duration must be positive");
    require(line, !warmup.isNegative(), "--warmup must be 0 or more");
    require(line, logsInterval.toMillis() > 0 && metricsInterval.toMillis() > 0, "intervals must be positive");
    require(line, share(duplicateShare) && share(outOfOrderShare) && share(resetShare), "shares must be between 0 and 1");
    require(line, maxAttempts >= 0, "--max-attempts must be 0 or more");
    require(line, !(embedded && runningGiven(line)), "--embedded starts its own pipeline: leave out --otlp, --api and --pg-url");
    require(line, !ceiling || embedded || !runningGiven(line) || pgUrl != null,
        "--ceiling against a running pipeline needs --pg-url (it writes to a new database on that server)");
    target = embedded ? TargetKind.EMBEDDED : runningGiven(line) ? TargetKind.RUNNING : TargetKind.SPAWNED;
    checkNodes(line);
    arguments = List.copyOf(line.getParseResult().originalArgs());
  }

  private void checkNodes(CommandLine line) {
    require(line, nodes >= 1, "--nodes must be at least 1");
    require(line, nodes == 1 || target == TargetKind.SPAWNED,
        "--nodes starts the nodes itself: leave out --embedded, --otlp, --api and --pg-url");
    require(line, (killNode == 0) == (killAt == null), "--kill-node and --kill-at go together");
    require(line, killNode == 0 || (nodes > 1 && killNode <= nodes), "--kill-node names one of the --nodes, 1 .. " + nodes
        + ", and needs at least two of them");
    require(line, restartAt == null || (killAt != null && restartAt > killAt), "--restart-at needs --kill-at, and comes after it");
    require(line, joinAt == null || nodes > 1, "--join-at needs --nodes 2 or more");
    require(line, webhookSink == null || !webhookSink || nodes > 1, "--webhook-sink configures the nodes this run starts: it needs --nodes 2 or more");
    if (webhookSink == null) {
      webhookSink = nodes > 1;
    }
  }

  /** Whether the run starts several nodes. */
  boolean multiNode() {
    return nodes > 1;
  }

  /** Whether the command line names a running pipeline (or its database). */
  private static boolean runningGiven(CommandLine line) {
    CommandLine.ParseResult parsed = line.getParseResult();
    return parsed.hasMatchedOption("--otlp") || parsed.hasMatchedOption("--api") || parsed.hasMatchedOption("--pg-url");
  }

  private static boolean share(double value) {
    return value >= 0 && value <= 1;
  }

  private static void require(CommandLine line, boolean condition, String message) {
    if (!condition) {
      throw new CommandLine.ParameterException(line, message);
    }
  }

  /** The projects the sessions are spread over: --project alone, or NAME-0 .. NAME-(N-1). */
  List<String> projectNames() {
    return projects == 1 ? List.of(project) : IntStream.range(0, projects).mapToObj(i -> project + "-" + i).toList();
  }

  /** The token the admin actions (the cleanup) are sent with: --admin-token, else --api-token, else none. */
  String adminTokenOrApiToken() {
    return adminToken != null ? adminToken : apiToken;
  }

  /** Log records per second the fleet produces in realistic mode. */
  double recordRate() {
    return rate != null ? rate : sessions;
  }

  /** Logs requests of one session between two of its metric exports in saturation mode. */
  int logsPerMetricsExport() {
    return (int) Math.max(1, metricsInterval.toMillis() / logsInterval.toMillis());
  }

  // ---- converters: enum values in lower case with dashes, durations as 500ms, 5s, 2m, 1h ----

  /** A share of the run: 33%, or 0.33. */
  static final class PercentConverter implements ITypeConverter<Double> {
    @Override
    public Double convert(String value) {
      String v = value.trim();
      try {
        double share = v.endsWith("%") ? Double.parseDouble(v.substring(0, v.length() - 1)) / 100 : Double.parseDouble(v);
        if (share >= 0 && share <= 1) {
          return share;
        }
      } catch (NumberFormatException e) {
        // named below
      }
      throw new CommandLine.TypeConversionException("'" + value + "' is not a share of the run between 0% and 100%, such as 33%");
    }
  }

  static final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      String v = value.trim().toLowerCase(Locale.ROOT);
      try {
        if (v.endsWith("ms")) {
          return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
        }
        long amount = Long.parseLong(v.substring(0, v.length() - 1));
        return switch (v.charAt(v.length() - 1)) {
          case 's' -> Duration.ofSeconds(amount);
          case 'm' -> Duration.ofMinutes(amount);
          case 'h' -> Duration.ofHours(amount);
          default -> Duration.ofSeconds(Long.parseLong(v));
        };
      } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
        throw new CommandLine.TypeConversionException("'" + value + "' is not a duration such as 500ms, 5s, 2m or 1h");
      }
    }
  }

  private abstract static class EnumConverter<E extends Enum<E>> implements ITypeConverter<E> {
    private final Class<E> type;

    EnumConverter(Class<E> type) {
      this.type = type;
    }

    @Override
    public E convert(String value) {
      try {
        return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException("'" + value + "' is not one of " + labels());
      }
    }

    private String labels() {
      StringBuilder all = new StringBuilder();
      for (E constant : type.getEnumConstants()) {
        all.append(all.length() == 0 ? "" : ", ").append(label(constant));
      }
      return all.toString();
    }
  }

  /** An enum constant as written on the command line and in the report. */
  static String label(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  static final class ModeConverter extends EnumConverter<Mode> {
    ModeConverter() {
      super(Mode.class);
    }
  }

  static final class TemporalityConverter extends EnumConverter<Temporality> {
    TemporalityConverter() {
      super(Temporality.class);
    }
  }

  static final class EncodingConverter extends EnumConverter<Encoding> {
    EncodingConverter() {
      super(Encoding.class);
    }
  }

  static final class SubscribeByConverter extends EnumConverter<SubscribeBy> {
    SubscribeByConverter() {
      super(SubscribeBy.class);
    }
  }

  static final class DuplicateTimingConverter extends EnumConverter<DuplicateTiming> {
    DuplicateTimingConverter() {
      super(DuplicateTiming.class);
    }
  }
}
