package dev.contextwatch.telemetry;

/**
 * A model as Claude Code's events name it; {@code metricsName} carries the [1m] suffix of a 1M
 * window, as the CLI's metrics do. {@code compactAt} is the context at which the CLI auto-compacts;
 * a synthetic session's context grows by {@code minGrowth} to {@code maxGrowth} tokens a request.
 * Prices are dollars per million tokens.
 */
public record Model(String name, String metricsName, long compactAt, int minGrowth, int maxGrowth,
    double input, double output, double cacheRead, double cacheCreation) {

  public static final Model SONNET = new Model("claude-sonnet-4-5", "claude-sonnet-4-5", 167_000, 1_000, 8_000, 3.0, 15.0, 0.30, 3.75);
  public static final Model OPUS = new Model("claude-opus-4-8", "claude-opus-4-8[1m]", 967_000, 4_000, 30_000, 5.0, 25.0, 0.50, 6.25);
  public static final Model HAIKU = new Model("claude-haiku-4-5", "claude-haiku-4-5", 167_000, 1_000, 4_000, 1.0, 5.0, 0.10, 1.25);

  /** The cost of a request in whole micro-dollars, as the CLI's {@code cost_usd_micros}. */
  public long costMicros(long in, long out, long read, long creation) {
    return Math.round(in * input + out * output + read * cacheRead + creation * cacheCreation);
  }
}
