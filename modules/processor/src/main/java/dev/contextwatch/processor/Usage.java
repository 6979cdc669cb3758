package dev.contextwatch.processor;

import dev.contextwatch.core.model.Costs;
import io.vertx.core.json.JsonObject;

/**
 * Tokens, cost and request counts of one slice of a session (a thread kind or a model); sums
 * saturate. The cost is added in micro-dollars, exactly; its JSON has both {@code costMicros} and
 * {@code costUsd} (the same, in dollars).
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

  JsonObject toJson() {
    return new JsonObject()
        .put("inputTokens", inputTokens)
        .put("outputTokens", outputTokens)
        .put("cacheReadTokens", cacheReadTokens)
        .put("cacheCreationTokens", cacheCreationTokens)
        .put("costUsd", Costs.usd(costMicros))
        .put("costMicros", costMicros)
        .put("apiRequests", apiRequests)
        .put("apiErrors", apiErrors);
  }

  static Usage fromJson(JsonObject json, SummaryReader reader) {
    Usage usage = new Usage();
    usage.inputTokens = reader.longAt(json, "inputTokens");
    usage.outputTokens = reader.longAt(json, "outputTokens");
    usage.cacheReadTokens = reader.longAt(json, "cacheReadTokens");
    usage.cacheCreationTokens = reader.longAt(json, "cacheCreationTokens");
    usage.costMicros = reader.costMicrosAt(json);
    usage.apiRequests = reader.longAt(json, "apiRequests");
    usage.apiErrors = reader.longAt(json, "apiErrors");
    return usage;
  }
}
