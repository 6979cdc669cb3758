package dev.contextwatch.processor;

import dev.contextwatch.core.model.IngestOutcome;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** Records the processor refused (not stored), counted by reason, for the reply's partial success. */
final class Refusals {
  static final String UNUSABLE_NUMBER = "a token count, cost or metric value is negative or not a finite number";
  static final String NOT_APPLICABLE = "could not be added to the session's totals";

  private final Map<String, Long> byReason = new LinkedHashMap<>();

  void add(String reason, long records) {
    if (records > 0) {
      byReason.merge(reason, records, Long::sum);
    }
  }

  void addAll(Refusals other) {
    other.byReason.forEach(this::add);
  }

  IngestOutcome outcome() {
    if (byReason.isEmpty()) {
      return IngestOutcome.ALL_STORED;
    }
    long refused = byReason.values().stream().mapToLong(Long::longValue).sum();
    String message = byReason.entrySet().stream()
        .map(e -> e.getValue() + (e.getValue() == 1 ? " record" : " records") + " not stored: " + e.getKey())
        .collect(Collectors.joining("; "));
    return new IngestOutcome(refused, message);
  }
}
