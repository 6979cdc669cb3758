package dev.contextwatch.core.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.micrometer.backends.BackendRegistries;

/**
 * The self-metrics every verticle records into: Vert.x's Micrometer registry (Prometheus, scraped
 * at {@code /metrics}) when Vert.x runs with {@link #vertxOptions()}, else a private in-memory
 * registry so that verticles run the same in tests. Names follow Prometheus conventions; they are
 * listed in docs/metrics.md.
 */
public final class Meters {
  private static final MeterRegistry WITHOUT_METRICS = new SimpleMeterRegistry();

  private Meters() {}

  /** Vert.x options with Micrometer and Prometheus on, including JVM, pool, HTTP and event-bus metrics. */
  public static VertxOptions vertxOptions() {
    return new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions()
        .setEnabled(true)
        .setJvmMetricsEnabled(true)
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true)));
  }

  public static MeterRegistry registry() {
    MeterRegistry registry = BackendRegistries.getDefaultNow();
    return registry != null ? registry : WITHOUT_METRICS;
  }

  /** The Prometheus registry to scrape, or null when Vert.x runs without metrics. */
  public static PrometheusMeterRegistry prometheus() {
    return BackendRegistries.getDefaultNow() instanceof PrometheusMeterRegistry prometheus ? prometheus : null;
  }
}
