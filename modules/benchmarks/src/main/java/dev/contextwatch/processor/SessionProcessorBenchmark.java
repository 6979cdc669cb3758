package dev.contextwatch.processor;

import dev.contextwatch.bench.ClaudeCodeTelemetry;
import dev.contextwatch.core.config.CompactionThresholds;
import dev.contextwatch.core.model.Models;
import dev.contextwatch.core.model.RecordBatch;
import dev.contextwatch.core.model.StoreBatch.SeriesState;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The processor's pure part on one core: {@code BatchPlan.of} (nothing stored yet) followed by
 * {@code SessionProcessor.apply} on decoded batches of 100 records, 1,000 sessions whose state is
 * kept between batches. Every batch is 60 % events (user_prompt, api_request main and subagent,
 * tool_result) and 40 % cumulative Sum points (token.usage input/output/cacheRead, cost.usage);
 * the main context grows 20k to 153k tokens over a session's 100 records, then drops (a compaction)
 * when the workload starts over. {@code sessionsPerBatch} is how many sessions one batch spreads
 * over: 1 is what an exporter sends (one request per CLI process), 100 is the worst case (every
 * record a different session, so every record costs a session row and summary).
 * One operation is one record: the score is records/s. Five warm-up iterations, not three: the
 * JIT needs them for this much code on two cores.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Threads(1)
public class SessionProcessorBenchmark {
  static final int SESSIONS = 1_000;
  static final int BATCH_RECORDS = 100;
  /** Records of each session in one pass over the workload (10 turns). */
  static final int RECORDS_PER_SESSION = 100;

  @Param({"1", "10", "100"})
  public int sessionsPerBatch;

  private List<RecordBatch> batches;
  private SessionProcessor processor;
  private Map<String, SessionState> sessions;
  private Map<String, SeriesState> series;
  private int next;

  @Setup
  public void setUp() {
    batches = ClaudeCodeTelemetry.workload(SESSIONS, SESSIONS * RECORDS_PER_SESSION / BATCH_RECORDS, BATCH_RECORDS,
        sessionsPerBatch);
    processor = new SessionProcessor(Models.load(""),
        new SessionAttributes("contextwatch.run_id", "contextwatch.parent_session_id"), 200, CompactionThresholds.NONE);
    sessions = new HashMap<>();
    series = new HashMap<>();
    // one pass before measuring: every session has history (tools, models, threads, context samples)
    for (RecordBatch batch : batches) {
      processor.apply(BatchPlan.of(batch, key -> false), sessions, series, Instant.now());
    }
    if (sessions.size() != SESSIONS) {
      throw new IllegalStateException("expected " + SESSIONS + " sessions, got " + sessions.size());
    }
    series.clear();
    next = 0;
  }

  @Benchmark
  @OperationsPerInvocation(BATCH_RECORDS)
  public void planAndApply(Blackhole bh) {
    RecordBatch batch = batches.get(next);
    if (++next == batches.size()) {
      // the workload starts over: forget the series so that cumulative points advance them again
      // (instead of all counting as duplicates); sessions keep their state and see a compaction
      next = 0;
      series.clear();
    }
    BatchPlan plan = BatchPlan.of(batch, key -> false);
    bh.consume(processor.apply(plan, sessions, series, Instant.now()));
  }
}
