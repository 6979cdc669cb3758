package dev.contextwatch.processor.source;

import dev.contextwatch.core.model.Costs;
import dev.contextwatch.core.model.Plausible;
import dev.contextwatch.core.model.RecordChecks;

/**
 * Why a client's usage fields cannot be stored, if they cannot: the first found that would
 * poison or overflow a total, or not fit an index. Token counts are whole numbers from 0 to
 * {@value #MAX_TOKENS} per record, costs from 0 to {@value #MAX_COST_USD} USD (in dollars or
 * micro-dollars), durations at least 0, every one finite. The record is then refused alone, named
 * in the request's partial success.
 */
final class UsageChecks extends RecordChecks<UsageChecks> {
  static final long MAX_TOKENS = 1_000_000_000_000L;
  static final double MAX_COST_USD = 1_000_000;

  UsageChecks() {
    super(null);
  }

  /** A token count as a whole number, or null when absent or refused. */
  Long tokens(String field, Double value) {
    fail(Plausible.atMost(field, value, MAX_TOKENS, "tokens"));
    return value == null || failed() ? null : Math.round(value);
  }

  /** A cost in dollars, or null when absent or refused. */
  Double cost(String field, Double value) {
    fail(Plausible.atMost(field, value, MAX_COST_USD, "USD"));
    return failed() ? null : value;
  }

  /**
   * An event's cost in micro-dollars: {@code micros} when the client sends them, else
   * {@code usd} rounded once; null when absent or refused.
   */
  Long costMicros(String microsField, Double micros, String usdField, Double usd) {
    if (micros == null) {
      Double dollars = cost(usdField, usd);
      return dollars == null ? null : Costs.micros(dollars);
    }
    fail(Plausible.atMost(microsField, micros, MAX_COST_USD * Costs.MICROS_PER_USD, "micro-dollars"));
    return failed() ? null : Math.round(micros);
  }

  Double duration(String field, Double value) {
    notNegative(field, value);
    return failed() ? null : value;
  }

  @Override
  protected UsageChecks self() {
    return this;
  }
}
