package dev.contextwatch.core.bus;

/** Event-bus addresses: the only coupling between verticles. */
public final class Addresses {
  /**
   * Decoded OTLP batches ({@link dev.contextwatch.core.model.RecordBatch}) from the receiver to the
   * processor. Request/reply with the same contract as {@link #STORE}: the reply means committed.
   */
  public static final String INGEST = "contextwatch.ingest";

  /**
   * Processed batches ({@link dev.contextwatch.core.model.StoreBatch}) to be stored. The reply
   * arrives only after the transaction holding every record of the batch has committed; a failure
   * reply carries a {@link StoreFailure} code.
   */
  public static final String STORE = "contextwatch.store";

  /**
   * Published after each committed batch: {@code {"sessions": [summary, ...]}} with the new summary
   * of every session the batch changed (see docs/architecture.md for the summary's fields).
   */
  public static final String SESSION_UPDATED = "contextwatch.session.updated";

  /**
   * Request {@code {"sessionId": "..."}} to mark a session closed; the reply is its new summary, or
   * a failure with code 404 when the session is unknown.
   */
  public static final String SESSION_CLOSE = "contextwatch.session.close";

  private Addresses() {}
}
