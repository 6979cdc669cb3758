package dev.contextwatch.core.model;

/**
 * Counts the records of one request refused one by one and keeps the first reason, for OTLP
 * partial success: "3 log records rejected; first: ...". Not thread-safe: one per request.
 */
public final class Rejections {
  private final String what;
  private long count;
  private String first;

  /** {@code what}: the records counted, plural ("log records", "data points", "spans"). */
  public Rejections(String what) {
    this.what = what;
  }

  public void add(String reason) {
    add(reason, 1);
  }

  public void add(String reason, int records) {
    count += records;
    if (first == null && records > 0) {
      first = reason;
    }
  }

  public long count() {
    return count;
  }

  /** The sentence for partial success; null when nothing was refused. */
  public String message() {
    return count == 0 ? null : count + " " + what + " rejected; first: " + first;
  }
}
