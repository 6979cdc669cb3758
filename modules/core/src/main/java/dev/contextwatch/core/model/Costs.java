package dev.contextwatch.core.model;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Costs are added in whole micro-dollars, as Claude Code sends them ({@code cost_usd_micros}), so
 * every sum is exact; a cost known only in dollars is converted once, to the nearest micro-dollar.
 * Dollars are the micro-dollars divided by a million: the double nearest to a number with at most
 * six decimals, which JSON prints as that number (0.2555, never 0.25550000000000006).
 */
public final class Costs {
  public static final double MICROS_PER_USD = 1_000_000.0;
  private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);
  private static final BigDecimal LONG_MIN = BigDecimal.valueOf(Long.MIN_VALUE);

  private Costs() {}

  /** The nearest micro-dollar of {@code usd}; beyond the range of a long, its end (0 for NaN). */
  public static long micros(double usd) {
    return Math.round(usd * MICROS_PER_USD);
  }

  /** The nearest micro-dollar of an exact decimal sum of dollars, held at the ends of a long's range. */
  public static long micros(BigDecimal usd) {
    BigDecimal micros = usd.movePointRight(6).setScale(0, RoundingMode.HALF_UP);
    return micros.compareTo(LONG_MAX) > 0 ? Long.MAX_VALUE : micros.compareTo(LONG_MIN) < 0 ? Long.MIN_VALUE : micros.longValue();
  }

  /** Dollars, with at most six decimals. */
  public static double usd(long micros) {
    return micros / MICROS_PER_USD;
  }

  /** {@code usd} rounded to the micro-dollar. */
  public static double rounded(double usd) {
    return usd(micros(usd));
  }
}
