package dev.contextwatch.core.config;

/**
 * Group commit: a flush starts when {@code maxBatchRecords} are queued or {@code flushIntervalMs}
 * after the first queued batch, whichever comes first. Beyond {@code maxQueuedRecords} waiting,
 * new batches are refused (the receiver answers 429).
 */
public record WriterConfig(int maxBatchRecords, int flushIntervalMs, int maxQueuedRecords, int maxConcurrentFlushes) {}
