package dev.contextwatch.core.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Which sessions a view of the fleet shows, by whether they are synthetic: simulated by a load
 * test, which marks each with the resource attribute {@value #ATTRIBUTE}{@code =true}. Synthetic
 * sessions are stored and computed like any other, but hidden from the fleet unless asked for
 * ({@code synthetic=include} or {@code only}) and announced only to webhook endpoints that opt in.
 */
public enum Synthetic {
  /** Real sessions only: the default of every fleet view. */
  EXCLUDE,
  /** Every session. */
  INCLUDE,
  /** Synthetic sessions only. */
  ONLY;

  /** The resource (or record) attribute that marks a session synthetic. */
  public static final String ATTRIBUTE = "contextwatch.synthetic";

  /** Whether an attribute value marks a session synthetic: the boolean true, or the text true in any case. */
  public static boolean marks(Object value) {
    return Boolean.TRUE.equals(value) || value instanceof String text && text.trim().equalsIgnoreCase("true");
  }

  /** The name used in query parameters and filters. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Synthetic> parse(String label) {
    return Arrays.stream(values()).filter(s -> s.label().equals(label.trim().toLowerCase(Locale.ROOT))).findFirst();
  }

  /** The labels accepted, for error messages. */
  public static String accepted() {
    return String.join(", ", Arrays.stream(values()).map(Synthetic::label).toList());
  }

  /** Whether a session that is (or is not) synthetic is shown. */
  public boolean admits(boolean synthetic) {
    return switch (this) {
      case EXCLUDE -> !synthetic;
      case INCLUDE -> true;
      case ONLY -> synthetic;
    };
  }

  /**
   * The SQL condition on a boolean column that holds for the sessions shown, or null when every row
   * is; a null column (a record whose session an outer join did not find) counts as not synthetic.
   */
  public String condition(String column) {
    return switch (this) {
      case EXCLUDE -> column + " IS NOT TRUE";
      case INCLUDE -> null;
      case ONLY -> column + " IS TRUE";
    };
  }

  /** {@link #condition} to append to a WHERE clause ({@code " AND ..."}), or nothing. */
  public String and(String column) {
    String condition = condition(column);
    return condition == null ? "" : " AND " + condition;
  }
}
