package dev.contextwatch.processor;

/**
 * Totals arithmetic that never wraps: token, count and cost (micro-dollar) totals stop at
 * {@link Long#MAX_VALUE}, metric totals at the largest finite double, so a session's totals can
 * never turn negative, NaN or infinite (which PostgreSQL's sums and the JSON summary could not hold).
 */
final class Saturating {
  private Saturating() {}

  static long plus(long a, long b) {
    long sum = a + b;
    // overflow exactly when both operands have a sign other than the sum's
    if (((a ^ sum) & (b ^ sum)) < 0) {
      return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
    return sum;
  }

  static double plus(double a, double b) {
    return finite(a + b);
  }

  static double finite(double value) {
    if (Double.isNaN(value)) {
      return 0.0;
    }
    return Math.max(-Double.MAX_VALUE, Math.min(Double.MAX_VALUE, value));
  }
}
