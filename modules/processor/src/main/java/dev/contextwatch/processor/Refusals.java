package dev.contextwatch.processor;

import dev.contextwatch.core.model.IngestOutcome;
import dev.contextwatch.core.model.Rejections;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Records the processor refused (not stored), for the reply's partial success: those a source
 * adapter refused, counted as the receiver counts its own ("N log records rejected; first: ..."),
 * and the others counted by reason.
 */
final class Refusals {
  static final String UNUSABLE_NUMBER = "a token count, cost or metric value is negative or not a finite number";
  static final String NOT_APPLICABLE = "could not be added to the session's totals";

  private final Map<String, Long> byReason = new LinkedHashMap<>();
  private final List<Rejections> rejected = new ArrayList<>();

  void add(String reason, long records) {
    if (records > 0) {
      byReason.merge(reason, records, Long::sum);
    }
  }

  void add(Rejections rejections) {
    if (rejections.count() > 0) {
      rejected.add(rejections);
    }
  }

  void addAll(Refusals other) {
    other.rejected.forEach(this::add);
    other.byReason.forEach(this::add);
  }

  IngestOutcome outcome() {
    if (byReason.isEmpty() && rejected.isEmpty()) {
      return IngestOutcome.ALL_STORED;
    }
    long refused = rejected.stream().mapToLong(Rejections::count).sum()
        + byReason.values().stream().mapToLong(Long::longValue).sum();
    String message = Stream.concat(rejected.stream().map(Rejections::message), byReason.entrySet().stream()
        .map(e -> e.getValue() + (e.getValue() == 1 ? " record" : " records") + " not stored: " + e.getKey()))
        .collect(Collectors.joining("; "));
    return new IngestOutcome(refused, message);
  }
}
