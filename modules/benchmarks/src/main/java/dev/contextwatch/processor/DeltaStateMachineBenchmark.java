package dev.contextwatch.processor;

import dev.contextwatch.bench.ClaudeCodeTelemetry;
import dev.contextwatch.core.model.StoreBatch.SeriesState;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Cumulative-to-delta alone: {@code DeltaStateMachine.next} over one cumulative series of 1,000
 * points, 60 s apart (the CLI's metrics interval), with 1 % retried points (same time and value:
 * delta 0, state unchanged) and a counter restart (a later start time) every 250 points. One
 * operation is one step: the score is steps/s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Threads(1)
public class DeltaStateMachineBenchmark {
  static final int STEPS = 1_000;
  private static final String SERIES_KEY = "5b0c6f7e9d1a4c3b8e2f0a1b2c3d4e5f";
  private static final String METRIC = "claude_code.token.usage";

  private final long[] start = new long[STEPS];
  private final long[] time = new long[STEPS];
  private final double[] value = new double[STEPS];
  private String sessionId;
  private double expectedTotal;

  @Setup
  public void setUp() {
    sessionId = ClaudeCodeTelemetry.sessionId(1);
    SplittableRandom random = new SplittableRandom(42);
    long s = ClaudeCodeTelemetry.T0_NANOS;
    long t = s;
    double v = 0;
    for (int i = 0; i < STEPS; i++) {
      if (i > 0 && random.nextInt(100) == 0) {
        // a retried export: the same point again
        start[i] = start[i - 1];
        time[i] = time[i - 1];
        value[i] = value[i - 1];
        continue;
      }
      t += 60_000_000_000L;
      double increment = 1 + random.nextInt(5_000);
      if (i % 250 == 249) {
        s = t - 1_000_000_000L; // the CLI restarted: a new start time, counting from zero again
        v = increment;
      } else {
        v += increment;
      }
      expectedTotal += increment;
      start[i] = s;
      time[i] = t;
      value[i] = v;
    }
    double total = walk();
    if (total != expectedTotal) {
      throw new IllegalStateException("deltas add up to " + total + ", expected " + expectedTotal);
    }
  }

  @Benchmark
  @OperationsPerInvocation(STEPS)
  public void series(Blackhole bh) {
    bh.consume(walk());
  }

  private double walk() {
    SeriesState state = null;
    double total = 0;
    for (int i = 0; i < STEPS; i++) {
      DeltaStateMachine.Step step = DeltaStateMachine.next(state, SERIES_KEY, sessionId, METRIC, start[i], time[i], value[i]);
      total += step.delta();
      state = step.state();
    }
    return total;
  }
}
