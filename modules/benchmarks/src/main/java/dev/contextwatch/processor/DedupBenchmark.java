package dev.contextwatch.processor;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.contextwatch.bench.ClaudeCodeTelemetry;
import dev.contextwatch.core.model.EventRecord;
import dev.contextwatch.core.model.MetricPoint;
import dev.contextwatch.core.model.RecordBatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
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
 * Dedup on its own: {@code BatchPlan.of} with the processor's Caffeine cache of stored keys (as
 * ProcessorVerticle builds it: maximumSize = dedupCacheRecords 1,000,000, expireAfterWrite 1 h)
 * holding every other key of the workload, so half of each batch is dropped as already stored.
 * Beside it the same plan with nothing stored, and the bare cache lookups, to separate the cache's
 * share from the plan's own work (pseudo-session attribution, series keys of cumulative points).
 * Batches of 100 records over 10 sessions; one operation is one record: the score is records/s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Threads(1)
public class DedupBenchmark {
  static final int SESSIONS = 1_000;
  static final int BATCH_RECORDS = 100;
  static final int BATCHES = 1_000;

  private List<RecordBatch> batches;
  private List<String[]> keys;
  private Cache<String, Boolean> storedKeys;
  private Predicate<String> stored;
  private int next;

  @Setup
  public void setUp() {
    batches = ClaudeCodeTelemetry.workload(SESSIONS, BATCHES, BATCH_RECORDS, 10);
    storedKeys = Caffeine.newBuilder().maximumSize(1_000_000).expireAfterWrite(Duration.ofHours(1)).build();
    stored = key -> storedKeys.getIfPresent(key) != null;
    keys = new ArrayList<>(BATCHES);
    for (RecordBatch batch : batches) {
      List<String> batchKeys = new ArrayList<>(BATCH_RECORDS);
      batch.events().stream().map(EventRecord::dedupKey).forEach(batchKeys::add);
      batch.points().stream().map(MetricPoint::dedupKey).forEach(batchKeys::add);
      for (int i = 0; i < batchKeys.size(); i += 2) {
        storedKeys.put(batchKeys.get(i), Boolean.TRUE);
      }
      keys.add(batchKeys.toArray(String[]::new));
    }
    for (RecordBatch batch : batches) {
      int duplicates = BatchPlan.of(batch, stored).duplicates;
      if (duplicates != BATCH_RECORDS / 2) {
        throw new IllegalStateException("expected half of the batch stored, got " + duplicates + " duplicates");
      }
    }
    next = 0;
  }

  private RecordBatch nextBatch() {
    RecordBatch batch = batches.get(next);
    next = next + 1 == BATCHES ? 0 : next + 1;
    return batch;
  }

  @Benchmark
  @OperationsPerInvocation(BATCH_RECORDS)
  public void planHalfStoredCaffeine(Blackhole bh) {
    bh.consume(BatchPlan.of(nextBatch(), stored));
  }

  @Benchmark
  @OperationsPerInvocation(BATCH_RECORDS)
  public void planNothingStored(Blackhole bh) {
    bh.consume(BatchPlan.of(nextBatch(), key -> false));
  }

  @Benchmark
  @OperationsPerInvocation(BATCH_RECORDS)
  public void caffeineLookupsOnly(Blackhole bh) {
    String[] batchKeys = keys.get(next);
    next = next + 1 == BATCHES ? 0 : next + 1;
    for (String key : batchKeys) {
      bh.consume(storedKeys.getIfPresent(key));
    }
  }
}
