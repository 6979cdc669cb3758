package dev.contextwatch.core.bus;

/** Failure codes of a {@link Addresses#STORE} reply, so the receiver can pick the HTTP status. */
public enum StoreFailure {
  /** The write queue is full: the client should back off and retry. */
  SATURATED(1),
  /** The database did not accept the transaction (unreachable, shutting down, failed commit). */
  UNAVAILABLE(2),
  /** The database refused this batch's data itself (e.g. a value too large to index): sending it again cannot help. */
  REFUSED(3);

  public final int code;

  StoreFailure(int code) {
    this.code = code;
  }

  public static StoreFailure fromCode(int code) {
    return code == SATURATED.code ? SATURATED : code == REFUSED.code ? REFUSED : UNAVAILABLE;
  }
}
