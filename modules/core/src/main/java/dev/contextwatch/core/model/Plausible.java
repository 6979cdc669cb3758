package dev.contextwatch.core.model;

/**
 * The bounds and wording of the per-record checks shared by the receiver (any client's records)
 * and the source adapters (a client's own fields): each method says why a value cannot be stored,
 * or returns null when it can. A refused record is named in the request's partial success.
 */
public final class Plausible {
  /**
   * Identifiers land in indexed columns, and PostgreSQL refuses an index entry over about 2,700
   * bytes for the whole transaction; 256 characters are at most 768 bytes of UTF-8.
   */
  public static final int MAX_ID_CHARS = 256;
  private static final int QUOTED_CHARS = 64;

  private Plausible() {}

  public static String id(String field, String value) {
    return value != null && value.length() > MAX_ID_CHARS
        ? field + " is " + value.length() + " characters long; at most " + MAX_ID_CHARS : null;
  }

  /** NaN poisons a sum for good, and the infinities are no count of anything. */
  public static String finite(String field, Double value) {
    return value != null && !Double.isFinite(value) ? field + " must be a finite number, got " + value : null;
  }

  public static String notNegative(String field, Double value) {
    String problem = finite(field, value);
    if (problem == null && value != null && value < 0) {
      problem = field + " must not be negative, got " + text(value);
    }
    return problem;
  }

  /** From 0 to {@code max} {@code unit} per record: far enough below 2^63 that no handful of records overflows a sum. */
  public static String atMost(String field, Double value, double max, String unit) {
    String problem = notNegative(field, value);
    if (problem == null && value != null && value > max) {
      problem = field + " is " + text(value) + "; at most " + text(max) + " " + unit + " per record";
    }
    return problem;
  }

  /** A name as a message quotes it: a 4,000-character one would bury the reason. */
  public static String quoted(String name) {
    if (name.length() <= QUOTED_CHARS) {
      return name;
    }
    int kept = Character.isHighSurrogate(name.charAt(QUOTED_CHARS - 1)) ? QUOTED_CHARS - 1 : QUOTED_CHARS;
    return name.substring(0, kept) + "…";
  }

  /** 1500 rather than 1500.0, 9.0E18 as it is. */
  private static String text(double value) {
    return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
  }
}
