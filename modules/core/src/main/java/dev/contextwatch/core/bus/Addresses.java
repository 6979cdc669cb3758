package dev.contextwatch.core.bus;

/** Event-bus addresses: the only coupling between verticles. */
public final class Addresses {
  /**
   * Decoded OTLP batches ({@link dev.contextwatch.core.model.RecordBatch}) to be stored. The reply
   * arrives only after the transaction holding every record of the batch has committed; a failure
   * reply carries a {@link StoreFailure} code.
   */
  public static final String STORE = "contextwatch.store";

  private Addresses() {}
}
