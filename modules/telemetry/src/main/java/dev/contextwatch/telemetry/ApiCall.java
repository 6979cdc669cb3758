package dev.contextwatch.telemetry;

/** What an api_request event reports: the model and thread, its tokens, its cost in micro-dollars and how long it took. */
public record ApiCall(String model, String querySource, long input, long output, long cacheRead, long cacheCreation,
    long costMicros, long durationMs) {

  /** A request of {@code model} priced at its rates. */
  public static ApiCall priced(Model model, String querySource, long input, long output, long cacheRead, long cacheCreation,
      long durationMs) {
    return new ApiCall(model.name(), querySource, input, output, cacheRead, cacheCreation,
        model.costMicros(input, output, cacheRead, cacheCreation), durationMs);
  }

  /** The cost in dollars, as {@code cost_usd} carries it: the micro-dollars divided by a million. */
  public double costUsd() {
    return costMicros / 1_000_000.0;
  }
}
