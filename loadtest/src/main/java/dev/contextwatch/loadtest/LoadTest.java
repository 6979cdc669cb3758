package dev.contextwatch.loadtest;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import picocli.CommandLine;

/**
 * The load test: connects the live-feed subscribers, sends for {@code --warmup} (verified, left
 * out of the figures) and then for {@code --duration}, flushes and
 * waits for the last acknowledgements and frames, verifies what was stored, optionally deletes it
 * again ({@code --cleanup}), measures the ceiling on the same server once the pipeline is
 * stopped, writes the report and appends the run to the history. The fleet, sender and dispatcher live on one event loop of
 * the client's own Vert.x (apart from an embedded pipeline's), the subscribers on another.
 */
public final class LoadTest {
  private static final long POLL_MILLIS = 50;
  /** How long the webhook outbox may take to drain after the run (a failed delivery is retried within seconds on the nodes a run starts). */
  private static final Duration WEBHOOK_PATIENCE = Duration.ofSeconds(90);

  private final Options options;
  private final Target target;

  LoadTest(Options options, Target target) {
    this.options = options;
    this.target = target;
  }

  public static void main(String[] args) {
    Options options = new Options();
    CommandLine line = new CommandLine(options);
    try {
      line.parseArgs(args);
      if (line.isUsageHelpRequested()) {
        line.usage(System.out);
        return;
      }
      options.check(line);
    } catch (CommandLine.ParameterException e) {
      System.err.println("contextwatch-loadtest: " + e.getMessage());
      System.err.println("try --help");
      System.exit(2);
      return;
    }
    System.exit(execute(options));
  }

  /**
   * Starts the target, runs, stops the target whatever happened (a spawned pipeline also on
   * Ctrl-C, from its shutdown hook); returns the exit status.
   */
  static int execute(Options options) {
    try (Target target = open(options)) {
      Result result = new LoadTest(options, target).run();
      return result.passed() ? 0 : 1;
    } catch (Cleanup.Refused e) {
      System.err.println("contextwatch-loadtest: " + e.getMessage());
      return 2;
    } catch (Exception e) {
      System.err.println("contextwatch-loadtest: " + e);
      e.printStackTrace(System.err);
      return 1;
    }
  }

  private static Target open(Options options) throws Exception {
    return switch (options.target) {
      case SPAWNED -> options.multiNode() ? SpawnedNodes.start(options) : SpawnedTarget.start(options);
      case EMBEDDED -> EmbeddedTarget.start(options);
      case RUNNING -> new Target.Running(options.otlp, options.api, options.pgUrl);
    };
  }

  /**
   * Runs the whole test against the target; writes the report files and prints the summary. With
   * {@code --cleanup}, throws {@link Cleanup.Refused} before sending anything into a project that
   * holds sessions the load test did not mark synthetic.
   */
  Result run() throws Exception {
    Instant startedAt = Instant.now();
    Cleanup cleanup = options.cleanup ? new Cleanup(target.queryApi(), options.adminTokenOrApiToken(), options.projectNames()) : null;
    if (cleanup != null) {
      cleanup.check();
    }
    Vertx vertx = Vertx.vertx();
    try {
      Result result = measure(vertx, startedAt, cleanup);
      Report.write(options.out, result);
      System.out.print(Report.console(result));
      System.out.println("report: " + options.out.resolve("report.html").toAbsolutePath());
      result.comparison = History.append(options.history, result);
      System.out.print(result.comparison);
      return result;
    } finally {
      EmbeddedTarget.await(vertx.close(), 60);
    }
  }

  private Result measure(Vertx vertx, Instant startedAt, Cleanup cleanup) throws Exception {
    Run run = new Run(vertx);
    log("target: " + target.describe());
    String durability = target.databaseUrl() == null ? null : Jdbc.durability(target.databaseUrl());
    if (durability != null) {
      log("database: " + durability);
    }
    log("connecting " + options.subscribers + " live-feed subscribers");
    try {
      EmbeddedTarget.await(run.subscribers.connect(), 60);
    } catch (TimeoutException e) {
      throw new IllegalStateException("the live-feed subscribers did not all get their snapshot within 60 s", e);
    }
    String workload = Options.label(options.mode) + ", " + options.sessions + " sessions, " + Options.label(options.temporality)
        + " metrics, " + Options.label(options.encoding) + (options.gzip ? "+gzip" : "");
    run.start();
    Result.WarmUp warmUp = Result.WarmUp.NONE;
    if (!options.warmup.isZero()) {
      log("warming up for " + options.warmup.toMillis() / 1000.0 + " s (verified, not measured): " + workload);
      warmUp = run.warmUp();
    }
    log("sending for " + options.duration.toSeconds() + " s: " + workload);
    Cpu cpu = new Cpu(target::processes);
    Optional<Cpu.Snapshot> cpuAtStart = cpu.snapshot();
    Result.Load load = run.send(warmUp);
    Optional<Cpu.Snapshot> cpuAtEnd = cpu.snapshot();
    log("flushing: waiting for the last acknowledgements and frames");
    run.drain();
    Optional<SpawnedNodes> nodes = target.nodes();
    if (nodes.isPresent()) {
      nodes.get().awaitFaults();
    }
    long framesMissing = run.correlator.missing();
    long heap = Result.heapAfterGc();
    EmbeddedTarget.await(run.subscribers.close(), 30);
    EmbeddedTarget.await(on(run.driver, run.sender::close), 10);

    Verifier.Verification verification = null;
    if (!options.noVerify) {
      Ledger.Tally acknowledged = run.ledger.acknowledged();
      log(String.format(Locale.ROOT, "verifying the %,d acknowledged records (%,d events, %,d metric points) of %,d sessions",
          acknowledged.records(), acknowledged.events, acknowledged.points, options.sessions));
      verification = new Verifier(target.queryApi(), target.databaseUrl(), options.apiToken).verify(run.ledger);
    }
    WebhookSink.Check webhooks = null;
    WebhookSink sink = nodes.map(SpawnedNodes::webhookSink).orElse(null);
    if (sink != null) {
      log("webhooks: waiting for the outbox to drain, then comparing it with what the sink received");
      webhooks = sink.check(target.databaseUrl(), WEBHOOK_PATIENCE);
    }
    Cleanup.Result cleaned = null;
    if (cleanup != null) {
      log("cleanup: deleting the data of " + String.join(", ", options.projectNames()));
      cleaned = cleanup.run();
    }
    Ceiling.Result ceiling = null;
    if (options.ceiling) {
      log("ceiling: the pipeline stopped, the persistence verticle alone on the same server for " + options.duration.toSeconds() + " s"
          + (options.warmup.isZero() ? "" : ", after a warm-up of " + options.warmup.toMillis() / 1000.0 + " s"));
      ceiling = Ceiling.run(options, target.ceilingServer());
    }
    Account account = Account.of(run.stats, run.ledger, warmUp, load.records(), verification);
    Result result = new Result(options, target.describe(), startedAt, load, run.stats, account, framesMissing,
        run.subscribers.frames(), run.subscribers.reconnects(), heap, ceiling, cleaned);
    result.ledger = run.ledger;
    result.nodeLoads = on(run.driver, run.sender::nodeLoads);
    result.framesByNode = run.subscribers.framesByNode();
    result.events = nodes.map(SpawnedNodes::events).orElse(List.of());
    result.webhooks = webhooks;
    result.durability = durability;
    result.cpu = cpuAtStart.isPresent() && cpuAtEnd.isPresent() ? Cpu.between(cpuAtStart.get(), cpuAtEnd.get()) : null;
    return result;
  }

  /** The parts of one run; the fleet, ledger, sender and dispatcher are only touched on {@code driver}. */
  private final class Run {
    final Vertx vertx;
    final Context driver;
    final Stats stats = new Stats();
    final Ledger ledger;
    final Correlator correlator;
    final Sender sender;
    final Dispatcher dispatcher;
    final Pacer pacer;
    final Subscribers subscribers;

    Run(Vertx vertx) throws Exception {
      this.vertx = vertx;
      this.driver = EventLoops.next(vertx);
      Simulator simulator = new Simulator(options);
      List<SimSession> fleet = simulator.fleet(System.currentTimeMillis());
      ledger = new Ledger(fleet);
      OtlpEncoder encoder = new OtlpEncoder(options.encoding, options.gzip);
      Exports exports = new Exports(options, encoder);
      correlator = new Correlator(fleet.stream().filter(s -> s.subscriber >= 0).toList(), stats);
      sender = on(driver, () -> new Sender(vertx, options, target.otlp(), encoder, stats));
      dispatcher = new Dispatcher(options, sender, exports, ledger, correlator, stats);
      pacer = Pacer.of(options, vertx, fleet, simulator, exports, dispatcher);
      subscribers = new Subscribers(vertx, EventLoops.next(vertx), options, target.api(), fleet, correlator);
    }

    /** The fleet starts sending; the timeline counts from now. */
    void start() throws Exception {
      on(driver, () -> {
        stats.start();
        pacer.start();
        return null;
      });
    }

    /**
     * Sends for {@code --warmup}, each second ticked as "warmup"; then the figures start afresh
     * (the fleet sends on without a pause). What was sent and acknowledged in the warm-up.
     */
    Result.WarmUp warmUp() throws Exception {
      long ticker = on(driver, () -> tickEverySecond("warmup"));
      Thread.sleep(options.warmup.toMillis());
      return on(driver, () -> {
        vertx.cancelTimer(ticker);
        stats.tick("warmup", ledger.records());
        stats.startMeasuring();
        return new Result.WarmUp(ledger.sent().records(), ledger.records(), stats.acknowledged());
      });
    }

    /**
     * Sends for the run's duration (the faults of several nodes timed from its start); what was
     * acknowledged meanwhile, without what the warm-up had.
     */
    Result.Load send(Result.WarmUp warmUp) throws Exception {
      long start = System.nanoTime();
      long ticker = on(driver, () -> {
        target.nodes().ifPresent(nodes -> nodes.startFaults(joined -> driver.runOnContext(v -> sender.addEndpoint(joined))));
        return tickEverySecond("load");
      });
      Thread.sleep(options.duration.toMillis());
      sendThroughLateNodes();
      return on(driver, () -> {
        pacer.stop();
        stats.stopSending();
        vertx.cancelTimer(ticker);
        stats.tick("load", ledger.records());
        return new Result.Load(ledger.records() - warmUp.recordsAcknowledged(), stats.acknowledged() - warmUp.requestsAcknowledged(),
            (System.nanoTime() - start) / 1e9);
      });
    }

    private long tickEverySecond(String phase) {
      return vertx.setPeriodic(1000, id -> stats.tick(phase, ledger.records()));
    }

    /**
     * A node restarted or joining mid-run may be ready only after the planned end on a busy machine:
     * sending goes on until it is, and a quarter of the duration longer, so that it takes load too.
     */
    private void sendThroughLateNodes() throws Exception {
      Optional<SpawnedNodes> nodes = target.nodes();
      if (nodes.isPresent() && nodes.get().faultsUnderWay()) {
        log("a node is not ready yet: sending on until it is");
        nodes.get().awaitFaults();
        log("sending " + options.duration.dividedBy(4).toSeconds() + " s more, for the node now ready");
        Thread.sleep(options.duration.dividedBy(4).toMillis());
      }
    }

    /**
     * The sessions' last exports, then waits for every request to be settled and for the frames of
     * the acknowledged ones. A fleet's final flush can take a while; the wait ends early only when
     * nothing settles for {@code --settle}: then what is left is abandoned (its records in doubt).
     */
    void drain() throws Exception {
      long ticker = on(driver, () -> {
        pacer.finish();
        return vertx.setPeriodic(1000, id -> stats.tick("drain", ledger.records()));
      });
      long lastSettled = -1;
      long lastProgress = System.nanoTime();
      while (!on(driver, dispatcher::idle)) {
        long settled = on(driver, sender::settled);
        if (settled != lastSettled) {
          lastSettled = settled;
          lastProgress = System.nanoTime();
        } else if (System.nanoTime() - lastProgress > options.settle.toNanos()) {
          log("nothing was acknowledged for " + options.settle.toSeconds() + " s: giving up on the requests left");
          on(driver, () -> {
            sender.giveUp();
            return null;
          });
          waitFor(() -> on(driver, dispatcher::idle), System.nanoTime() + options.requestTimeout.toNanos() + 5_000_000_000L);
          break;
        }
        Thread.sleep(POLL_MILLIS);
      }
      waitFor(() -> correlator.outstanding() == 0, System.nanoTime() + options.settle.toNanos());
      on(driver, () -> {
        vertx.cancelTimer(ticker);
        stats.tick("drain", ledger.records());
        return null;
      });
    }
  }

  /** Runs {@code task} on the driver's event loop and waits for its result. */
  private static <T> T on(Context context, Supplier<T> task) throws Exception {
    CompletableFuture<T> result = new CompletableFuture<>();
    context.runOnContext(v -> {
      try {
        result.complete(task.get());
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
      }
    });
    return result.get(60, TimeUnit.SECONDS);
  }

  private interface Check {
    boolean holds() throws Exception;
  }

  private static boolean waitFor(Check check, long deadlineNanos) throws Exception {
    while (!check.holds()) {
      if (System.nanoTime() > deadlineNanos) {
        return false;
      }
      Thread.sleep(POLL_MILLIS);
    }
    return true;
  }

  private static void log(String line) {
    System.out.println("[loadtest] " + line);
  }
}
