package dev.contextwatch.core.model;

/**
 * The processor's reply to a {@link RecordBatch} once everything it accepted is committed: how
 * many records it refused (not stored) and why, in the user's terms, for OTLP partial success.
 */
public record IngestOutcome(long refused, String refusalMessage) {
  public static final IngestOutcome ALL_STORED = new IngestOutcome(0, null);
}
