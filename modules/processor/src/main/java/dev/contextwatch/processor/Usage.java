package dev.contextwatch.processor;

import io.vertx.core.json.JsonObject;

/** Tokens, cost and request counts of one slice of a session (a thread kind or a model); sums saturate. */
final class Usage {
  long inputTokens;
  long outputTokens;
  long cacheReadTokens;
  long cacheCreationTokens;
  double costUsd;
  long apiRequests;
  long apiErrors;

  void addRequest(long input, long output, long cacheRead, long cacheCreation, double cost) {
    inputTokens = Saturating.plus(inputTokens, input);
    outputTokens = Saturating.plus(outputTokens, output);
    cacheReadTokens = Saturating.plus(cacheReadTokens, cacheRead);
    cacheCreationTokens = Saturating.plus(cacheCreationTokens, cacheCreation);
    costUsd = Saturating.plus(costUsd, cost);
    apiRequests = Saturating.plus(apiRequests, 1);
  }

  void add(Usage other) {
    inputTokens = Saturating.plus(inputTokens, other.inputTokens);
    outputTokens = Saturating.plus(outputTokens, other.outputTokens);
    cacheReadTokens = Saturating.plus(cacheReadTokens, other.cacheReadTokens);
    cacheCreationTokens = Saturating.plus(cacheCreationTokens, other.cacheCreationTokens);
    costUsd = Saturating.plus(costUsd, other.costUsd);
    apiRequests = Saturating.plus(apiRequests, other.apiRequests);
    apiErrors = Saturating.plus(apiErrors, other.apiErrors);
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

  static Usage fromJson(JsonObject json, SummaryReader reader) {
    Usage usage = new Usage();
    usage.inputTokens = reader.longAt(json, "inputTokens");
    usage.outputTokens = reader.longAt(json, "outputTokens");
    usage.cacheReadTokens = reader.longAt(json, "cacheReadTokens");
    usage.cacheCreationTokens = reader.longAt(json, "cacheCreationTokens");
    usage.costUsd = reader.doubleAt(json, "costUsd");
    usage.apiRequests = reader.longAt(json, "apiRequests");
    usage.apiErrors = reader.longAt(json, "apiErrors");
    return usage;
  }
}
