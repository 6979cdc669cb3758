package dev.contextwatch.core.model;

/**
 * Checks of one record that keep the first problem found (wording and bounds in {@link
 * Plausible}): the receiver's checks of any client's record and a source adapter's checks of its
 * client's own fields both build on it, so a refused record is named the same way by both.
 *
 * @param <T> the concrete checks, so that each check returns them for chaining
 */
public abstract class RecordChecks<T extends RecordChecks<T>> {
  private String problem;

  protected RecordChecks(String problem) {
    this.problem = problem;
  }

  public final boolean failed() {
    return problem != null;
  }

  /** The first problem found, or null. */
  public final String problem() {
    return problem;
  }

  public final T id(String field, String value) {
    return fail(Plausible.id(field, value));
  }

  public final T finite(String field, Double value) {
    return fail(Plausible.finite(field, value));
  }

  public final T notNegative(String field, Double value) {
    return fail(Plausible.notNegative(field, value));
  }

  /** Keeps {@code reason} unless a problem was found before; null is no problem. */
  protected final T fail(String reason) {
    if (problem == null) {
      problem = reason;
    }
    return self();
  }

  protected abstract T self();
}
