package dev.contextwatch.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.contextwatch.testkit.Fixtures;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FixtureReplayTest {
  private PipelineHarness pipeline;

  @BeforeAll
  void start(Vertx vertx) throws Exception {
    pipeline = PipelineHarness.start(vertx);
  }

  @AfterAll
  void stop() throws Exception {
    pipeline.stop();
  }

  Stream<Fixtures.Folder> folders() {
    return Fixtures.folders().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("folders")
  @DisplayName("a recorded CLI run replayed as sent is stored whole, adds up to the CLI's totals, and once only")
  void replay(Fixtures.Folder folder) throws Exception {
    String session = "'" + folder.sessionId() + "'";
    replayAll(folder);
    long expectedEvents = folder.requests().stream().filter(r -> r.path().equals("/v1/logs")).mapToLong(FixtureReplayTest::logRecords).sum();
    long expectedPoints = folder.requests().stream().filter(r -> r.path().equals("/v1/metrics")).mapToLong(FixtureReplayTest::dataPoints).sum();
    assertThat(pipeline.count("select count(*) from events where session_id = " + session)).isEqualTo(expectedEvents);
    assertThat(pipeline.count("select count(*) from metric_points where session_id = " + session)).isEqualTo(expectedPoints);

    JsonObject cli = folder.cliResult();
    JsonObject usage = cli.getJsonObject("usage");
    String sums = pipeline.query("select concat_ws(',', sum(input_tokens), sum(output_tokens), sum(cache_read_tokens), "
        + "sum(cache_creation_tokens)) from events where event_name = 'api_request' and session_id = " + session);
    assertThat(sums).isEqualTo(String.join(",", usage.getValue("input_tokens").toString(), usage.getValue("output_tokens").toString(),
        usage.getValue("cache_read_input_tokens").toString(), usage.getValue("cache_creation_input_tokens").toString()));
    double cost = Double.parseDouble(pipeline.query(
        "select sum(cost_usd) from events where event_name = 'api_request' and session_id = " + session));
    assertThat(cost).isCloseTo(cli.getDouble("total_cost_usd"), within(1e-9));

    replayAll(folder);
    assertThat(pipeline.count("select count(*) from events where session_id = " + session)).as("after a second replay").isEqualTo(expectedEvents);
    assertThat(pipeline.count("select count(*) from metric_points where session_id = " + session)).as("after a second replay").isEqualTo(expectedPoints);
  }

  private void replayAll(Fixtures.Folder folder) throws Exception {
    for (Fixtures.Request request : folder.requests()) {
      PipelineHarness.Response response = pipeline.postAndWait(request.path(), request.contentType(), request.body(), Map.of());
      assertThat(response.status()).as("%s: %s", request.file(), response.body()).isEqualTo(200);
      assertThat(response.headers().get("Content-Type")).isEqualTo(request.contentType());
    }
  }

  private static long logRecords(Fixtures.Request request) {
    ExportLogsServiceRequest.Builder parsed = parse(request, ExportLogsServiceRequest.newBuilder());
    return parsed.getResourceLogsList().stream().flatMap(r -> r.getScopeLogsList().stream())
        .mapToLong(s -> s.getLogRecordsCount()).sum();
  }

  private static long dataPoints(Fixtures.Request request) {
    ExportMetricsServiceRequest.Builder parsed = parse(request, ExportMetricsServiceRequest.newBuilder());
    return parsed.getResourceMetricsList().stream().flatMap(r -> r.getScopeMetricsList().stream())
        .flatMap(s -> s.getMetricsList().stream()).mapToLong(m -> m.getSum().getDataPointsCount()).sum();
  }

  private static <B extends Message.Builder> B parse(Fixtures.Request request, B builder) {
    try {
      if (request.contentType().equals("application/json")) {
        JsonFormat.parser().ignoringUnknownFields().merge(request.body().toString(), builder);
      } else {
        builder.mergeFrom(request.body().getBytes());
      }
      return builder;
    } catch (Exception e) {
      throw new IllegalStateException("fixture " + request.file() + " does not parse", e);
    }
  }
}
