package dev.contextwatch.core.config;

/**
 * How long raw records are kept, per table (0: forever); sessions, checkpoints and deliveries are
 * kept. The job runs every {@code intervalMinutes} and deletes {@code batchRows} rows at a time.
 */
public record RetentionConfig(int eventsDays, int pointsDays, int spansDays, int intervalMinutes, int batchRows) {}
