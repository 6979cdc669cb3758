package dev.contextwatch.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.core.metrics.Meters;
import dev.contextwatch.testkit.Fixtures;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** /metrics scraped as Prometheus would, before and after records arrive. */
class MetricsEndpointTest {

  @Test
  @DisplayName("/metrics serves Prometheus text whose key series move when records arrive and when a batch is retried")
  void seriesMove() throws Exception {
    Vertx vertx = Vertx.vertx(Meters.vertxOptions());
    try {
      PipelineHarness pipeline = PipelineHarness.start(vertx);
      try {
        String before = scrape(pipeline);
        assertThat(before).contains("# TYPE contextwatch_flush_seconds histogram").contains("jvm_memory_used_bytes")
            .contains("contextwatch_write_queue_records");

        Fixtures.Folder folder = Fixtures.folder("tool-loop-delta-protobuf");
        for (int replay = 0; replay < 2; replay++) {
          for (Fixtures.Request request : folder.requests()) {
            assertThat(pipeline.postAndWait(request.path(), request.contentType(), request.body(), Map.of()).status()).isEqualTo(200);
          }
        }
        String after = scrape(pipeline);
        long events = pipeline.count("select count(*) from events");
        assertThat(value(after, "contextwatch_records_received_total", "signal=\"logs\"")
            - value(before, "contextwatch_records_received_total", "signal=\"logs\"")).isEqualTo(2.0 * events);
        assertThat(value(after, "contextwatch_records_stored_total", "signal=\"logs\"")
            - value(before, "contextwatch_records_stored_total", "signal=\"logs\"")).isEqualTo(events);
        assertThat(value(after, "contextwatch_records_deduplicated_total", "signal=\"logs\"")
            - value(before, "contextwatch_records_deduplicated_total", "signal=\"logs\"")).isEqualTo(events);
        assertThat(value(after, "contextwatch_otlp_request_seconds_count", "status=\"200\"")
            - value(before, "contextwatch_otlp_request_seconds_count", "status=\"200\"")).isEqualTo(4);
        assertThat(value(after, "contextwatch_flush_records_count", "")).isPositive();
        assertThat(value(after, "contextwatch_sessions", "status=\"active\"")).isGreaterThanOrEqualTo(1);
        assertThat(after).contains("contextwatch_sessions_by_level{level=\"ok\"}");
        assertThat(after).contains("vertx_pool_").contains("contextwatch_stream_connections");
        for (String pool : List.of("persistence", "retention", "processor", "checkpoint", "push", "api")) {
          assertThat(after).as("each database pool's own series").contains("vertx_pool_in_use{pool_name=\"" + pool + "\",pool_type=\"sql\"}");
        }
      } finally {
        pipeline.stop();
      }
    } finally {
      PipelineHarness.await(vertx.close());
    }
  }

  private static String scrape(PipelineHarness pipeline) throws Exception {
    PipelineHarness.Response response = PipelineHarness.await(pipeline.apiRequest(HttpMethod.GET, "/metrics", Buffer.buffer()));
    assertThat(response.status()).isEqualTo(200);
    assertThat(response.headers().get("Content-Type")).startsWith("text/plain");
    return response.body().toString();
  }

  /** The sum of the samples of {@code name} whose labels contain {@code labels}. */
  private static double value(String text, String name, String labels) {
    return text.lines()
        .filter(line -> line.startsWith(name + "{") || line.startsWith(name + " "))
        .filter(line -> line.contains(labels))
        .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
        .sum();
  }
}
