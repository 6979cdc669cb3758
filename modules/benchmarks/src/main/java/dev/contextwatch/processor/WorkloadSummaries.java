package dev.contextwatch.processor;

import dev.contextwatch.bench.ClaudeCodeTelemetry;
import dev.contextwatch.core.config.CompactionThresholds;
import dev.contextwatch.core.model.Models;
import dev.contextwatch.core.model.RecordBatch;
import dev.contextwatch.core.model.StoreBatch.SeriesState;
import dev.contextwatch.core.summary.SessionSummary;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The summaries the processor publishes for the synthetic workload's sessions, each after a whole pass (10 turns). */
public final class WorkloadSummaries {
  private static final int BATCH_RECORDS = 100;
  private static final int RECORDS_PER_SESSION = 100;

  private WorkloadSummaries() {}

  public static List<SessionSummary> of(int sessionCount) {
    List<RecordBatch> batches = ClaudeCodeTelemetry.workload(sessionCount, sessionCount * RECORDS_PER_SESSION / BATCH_RECORDS,
        BATCH_RECORDS, 1);
    SessionProcessor processor = new SessionProcessor(Models.load(""),
        new SessionAttributes("contextwatch.run_id", "contextwatch.parent_session_id"), 200, CompactionThresholds.NONE);
    Map<String, SessionState> sessions = new HashMap<>();
    Map<String, SeriesState> series = new HashMap<>();
    for (RecordBatch batch : batches) {
      processor.apply(BatchPlan.of(batch, key -> false), sessions, series, Instant.now());
    }
    return sessions.values().stream().map(processor::summary).toList();
  }
}
