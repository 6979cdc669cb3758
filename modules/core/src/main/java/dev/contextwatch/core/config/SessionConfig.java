package dev.contextwatch.core.config;

/**
 * How sessions are derived: status thresholds (active below {@code activeMinutes} since the last
 * record, idle below {@code idleMinutes}, stale beyond), the resource attributes that group
 * sessions into runs, the model table, and the bounds of the in-memory state.
 */
public record SessionConfig(
    int activeMinutes,
    int idleMinutes,
    String runIdAttribute,
    String parentSessionAttribute,
    String modelsFile,
    int maxSessionsInMemory,
    int dedupCacheRecords) {}
