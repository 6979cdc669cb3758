package dev.contextwatch.processor;

import io.vertx.core.json.JsonObject;

/** Tokens, cost and request counts of one slice of a session (a thread kind or a model). */
final class Usage {
  long inputTokens;
  long outputTokens;
  long cacheReadTokens;
  long cacheCreationTokens;
  double costUsd;
  long apiRequests;
  long apiErrors;

  void addRequest(long input, long output, long cacheRead, long cacheCreation, double cost) {
    inputTokens += input;
    outputTokens += output;
    cacheReadTokens += cacheRead;
    cacheCreationTokens += cacheCreation;
    costUsd += cost;
    apiRequests++;
  }

  void add(Usage other) {
    inputTokens += other.inputTokens;
    outputTokens += other.outputTokens;
    cacheReadTokens += other.cacheReadTokens;
    cacheCreationTokens += other.cacheCreationTokens;
    costUsd += other.costUsd;
    apiRequests += other.apiRequests;
    apiErrors += other.apiErrors;
  }

  JsonObject toJson() {
    return new JsonObject()
        .put("inputTokens", inputTokens)
        .put("outputTokens", outputTokens)
        .put("cacheReadTokens", cacheReadTokens)
        .put("cacheCreationTokens", cacheCreationTokens)
        .put("costUsd", costUsd)
        .put("apiRequests", apiRequests)
        .put("apiErrors", apiErrors);
  }

  static Usage fromJson(JsonObject json) {
    Usage usage = new Usage();
    usage.inputTokens = json.getLong("inputTokens", 0L);
    usage.outputTokens = json.getLong("outputTokens", 0L);
    usage.cacheReadTokens = json.getLong("cacheReadTokens", 0L);
    usage.cacheCreationTokens = json.getLong("cacheCreationTokens", 0L);
    usage.costUsd = json.getDouble("costUsd", 0.0);
    usage.apiRequests = json.getLong("apiRequests", 0L);
    usage.apiErrors = json.getLong("apiErrors", 0L);
    return usage;
  }
}
