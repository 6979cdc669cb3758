package dev.contextwatch.core.config;

/**
 * How sessions are derived: status thresholds (active below {@code activeMinutes} since the last
 * record, idle below {@code idleMinutes}, stale beyond), the resource attributes that group
 * sessions into runs, the model table, the bounds of the in-memory state, how many distinct
 * client-named keys (tools, models) one session's summary keeps, and how long the processor waits
 * for persistence to confirm a batch; the auto-compact thresholds set by hand per session or project.
 */
public record SessionConfig(
    int activeMinutes,
    int idleMinutes,
    String runIdAttribute,
    String parentSessionAttribute,
    String modelsFile,
    int maxSessionsInMemory,
    int dedupCacheRecords,
    int maxKeysPerSession,
    int processorStoreTimeoutMs,
    CompactionThresholds compactionThresholds) {

  public SessionConfig withDedupCacheRecords(int records) {
    return new SessionConfig(activeMinutes, idleMinutes, runIdAttribute, parentSessionAttribute, modelsFile,
        maxSessionsInMemory, records, maxKeysPerSession, processorStoreTimeoutMs, compactionThresholds);
  }

  public SessionConfig withMaxKeysPerSession(int keys) {
    return new SessionConfig(activeMinutes, idleMinutes, runIdAttribute, parentSessionAttribute, modelsFile,
        maxSessionsInMemory, dedupCacheRecords, keys, processorStoreTimeoutMs, compactionThresholds);
  }

  public SessionConfig withProcessorStoreTimeoutMs(int timeoutMs) {
    return new SessionConfig(activeMinutes, idleMinutes, runIdAttribute, parentSessionAttribute, modelsFile,
        maxSessionsInMemory, dedupCacheRecords, maxKeysPerSession, timeoutMs, compactionThresholds);
  }
}
