package dev.contextwatch.processor;

import dev.contextwatch.core.summary.SessionSummary;

/**
 * Tokens, cost and request counts of one slice of a session (a thread kind or a model); sums
 * saturate. The cost is added in micro-dollars, exactly.
 */
final class Usage {
  long inputTokens;
  long outputTokens;
  long cacheReadTokens;
  long cacheCreationTokens;
  long costMicros;
  long apiRequests;
  long apiErrors;

  void addRequest(long input, long output, long cacheRead, long cacheCreation, long costMicros) {
    inputTokens = Saturating.plus(inputTokens, input);
    outputTokens = Saturating.plus(outputTokens, output);
    cacheReadTokens = Saturating.plus(cacheReadTokens, cacheRead);
    cacheCreationTokens = Saturating.plus(cacheCreationTokens, cacheCreation);
    this.costMicros = Saturating.plus(this.costMicros, costMicros);
    apiRequests = Saturating.plus(apiRequests, 1);
  }

  void add(Usage other) {
    inputTokens = Saturating.plus(inputTokens, other.inputTokens);
    outputTokens = Saturating.plus(outputTokens, other.outputTokens);
    cacheReadTokens = Saturating.plus(cacheReadTokens, other.cacheReadTokens);
    cacheCreationTokens = Saturating.plus(cacheCreationTokens, other.cacheCreationTokens);
    costMicros = Saturating.plus(costMicros, other.costMicros);
    apiRequests = Saturating.plus(apiRequests, other.apiRequests);
    apiErrors = Saturating.plus(apiErrors, other.apiErrors);
  }

  SessionSummary.Usage toSummary() {
    return new SessionSummary.Usage(inputTokens, outputTokens, cacheReadTokens, cacheCreationTokens, costMicros, apiRequests,
        apiErrors);
  }

  static Usage of(SessionSummary.Usage summary) {
    Usage usage = new Usage();
    usage.inputTokens = summary.inputTokens();
    usage.outputTokens = summary.outputTokens();
    usage.cacheReadTokens = summary.cacheReadTokens();
    usage.cacheCreationTokens = summary.cacheCreationTokens();
    usage.costMicros = summary.costMicros();
    usage.apiRequests = summary.apiRequests();
    usage.apiErrors = summary.apiErrors();
    return usage;
  }
}
