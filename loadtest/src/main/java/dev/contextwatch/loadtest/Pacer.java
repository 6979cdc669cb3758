package dev.contextwatch.loadtest;

import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.ToLongFunction;

/** Decides when each session exports. All methods run on the driver's context. */
interface Pacer {
  /** Starts sending. */
  void start();

  /** Stops producing new records. */
  void stop();

  /** The last exports, as the CLI flushes on exit: buffered events, and the metrics not yet exported. */
  void finish();

  static Pacer of(Options options, Vertx vertx, List<SimSession> fleet, Simulator simulator, Exports exports,
      Dispatcher dispatcher) {
    return options.mode == Options.Mode.SATURATION
        ? new Saturation(options, fleet, simulator, exports, dispatcher)
        : new Realistic(options, vertx, fleet, simulator, exports, dispatcher);
  }

  /** The final flush of every session, shared by both pacers. */
  private static void flush(List<SimSession> fleet, Exports exports, Dispatcher dispatcher) {
    long now = System.currentTimeMillis();
    for (SimSession s : fleet) {
      dispatcher.enqueue(s, exports.logs(s));
      exports.metrics(s, now).forEach(r -> dispatcher.enqueue(s, r));
    }
  }

  /**
   * Claude Code's cadence: every session exports its buffered events every logs interval and its
   * metrics every metrics interval, each at its own phase. Events are generated at the fleet's rate
   * ({@code --rate}), spread over the interval they were buffered in.
   */
  final class Realistic implements Pacer {
    private static final long TICK_MILLIS = 20;
    private final Options options;
    private final Vertx vertx;
    private final List<SimSession> fleet;
    private final Simulator simulator;
    private final Exports exports;
    private final Dispatcher dispatcher;
    private final PriorityQueue<SimSession> logsDue;
    private final PriorityQueue<SimSession> metricsDue;
    private final double perSessionRate;
    private long timer = -1;

    Realistic(Options options, Vertx vertx, List<SimSession> fleet, Simulator simulator, Exports exports, Dispatcher dispatcher) {
      this.options = options;
      this.vertx = vertx;
      this.fleet = fleet;
      this.simulator = simulator;
      this.exports = exports;
      this.dispatcher = dispatcher;
      this.logsDue = new PriorityQueue<>(Comparator.comparingLong((ToLongFunction<SimSession>) s -> s.nextLogsMillis));
      this.metricsDue = new PriorityQueue<>(Comparator.comparingLong((ToLongFunction<SimSession>) s -> s.nextMetricsMillis));
      this.perSessionRate = options.recordRate() / options.sessions;
    }

    @Override
    public void start() {
      long now = System.currentTimeMillis();
      long logs = options.logsInterval.toMillis();
      long metrics = options.metricsInterval.toMillis();
      for (SimSession s : fleet) {
        s.generatedUntilMillis = now;
        s.nextLogsMillis = now + (long) (s.random.nextDouble() * logs);
        s.nextMetricsMillis = now + (long) (s.random.nextDouble() * metrics);
        logsDue.add(s);
        metricsDue.add(s);
      }
      timer = vertx.setPeriodic(TICK_MILLIS, id -> tick());
    }

    private void tick() {
      long now = System.currentTimeMillis();
      while (!logsDue.isEmpty() && logsDue.peek().nextLogsMillis <= now) {
        SimSession s = logsDue.poll();
        generate(s, now);
        dispatcher.enqueue(s, exports.logs(s));
        s.nextLogsMillis += options.logsInterval.toMillis();
        logsDue.add(s);
      }
      while (!metricsDue.isEmpty() && metricsDue.peek().nextMetricsMillis <= now) {
        SimSession s = metricsDue.poll();
        generate(s, now);
        exports.metrics(s, now).forEach(r -> dispatcher.enqueue(s, r));
        s.nextMetricsMillis += options.metricsInterval.toMillis();
        metricsDue.add(s);
      }
    }

    /** The events the session produced since it last did, at its share of the fleet's rate. */
    private void generate(SimSession s, long now) {
      s.owed += perSessionRate * (now - s.generatedUntilMillis) / 1000.0;
      int count = (int) s.owed;
      s.owed -= count;
      simulator.emit(s, count, s.generatedUntilMillis, now);
      s.generatedUntilMillis = now;
    }

    @Override
    public void stop() {
      vertx.cancelTimer(timer);
    }

    @Override
    public void finish() {
      long now = System.currentTimeMillis();
      fleet.forEach(s -> generate(s, now));
      flush(fleet, exports, dispatcher);
    }
  }

  /**
   * As fast as the pipeline acknowledges: whenever fewer than {@code --in-flight} requests are out,
   * the next idle session sends {@code --batch-records} new events, and every
   * metrics-interval / logs-interval logs requests also its metrics.
   */
  final class Saturation implements Pacer {
    private final Options options;
    private final List<SimSession> fleet;
    private final Simulator simulator;
    private final Exports exports;
    private final Dispatcher dispatcher;
    private final ArrayDeque<SimSession> idle;
    private boolean running;

    Saturation(Options options, List<SimSession> fleet, Simulator simulator, Exports exports, Dispatcher dispatcher) {
      this.options = options;
      this.fleet = fleet;
      this.simulator = simulator;
      this.exports = exports;
      this.dispatcher = dispatcher;
      this.idle = new ArrayDeque<>(fleet);
      dispatcher.onIdle(s -> {
        idle.add(s);
        fill();
      });
    }

    @Override
    public void start() {
      running = true;
      fill();
    }

    private void fill() {
      while (running && dispatcher.hasRoom() && !idle.isEmpty()) {
        SimSession s = idle.poll();
        long now = System.currentTimeMillis();
        simulator.emit(s, options.batchRecords, now, now);
        dispatcher.enqueue(s, exports.logs(s));
        if (++s.logsSinceMetrics >= options.logsPerMetricsExport()) {
          s.logsSinceMetrics = 0;
          exports.metrics(s, now).forEach(r -> dispatcher.enqueue(s, r));
        }
      }
    }

    @Override
    public void stop() {
      running = false;
    }

    @Override
    public void finish() {
      flush(fleet, exports, dispatcher);
    }
  }
}
