package dev.contextwatch.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.core.config.WriterConfig;
import dev.contextwatch.testkit.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Requests in flight are bounded overall and per connection; the excess is told to come back. */
@ExtendWith(VertxExtension.class)
class InFlightLimitsTest {

  @Test
  @DisplayName("beyond maxInFlightRequests a request is answered 429 with Retry-After at once; the admitted ones are stored")
  void overall(Vertx vertx) throws Exception {
    PipelineHarness pipeline = PipelineHarness.start(vertx, TestDatabase.newDatabase(), config -> config
        .withReceiver(config.receiver().withInFlightLimits(2, 64))
        // a long flush window keeps the admitted requests in flight
        .withWriter(new WriterConfig(5000, 1500, 100_000, 2)));
    try {
      List<Future<PipelineHarness.Response>> sent = IntStream.range(0, 3)
          .mapToObj(i -> pipeline.post("/v1/logs", OtlpRequests.PROTOBUF, OtlpRequests.apiRequests("limit-" + i, 0, 2), Map.of()))
          .toList();
      PipelineHarness.await(Future.join(sent));
      List<Integer> statuses = sent.stream().map(f -> f.result().status()).sorted().toList();
      assertThat(statuses).containsExactly(200, 200, 429);
      PipelineHarness.Response refused = sent.stream().map(Future::result).filter(r -> r.status() == 429).findFirst().orElseThrow();
      assertThat(refused.headers().get("Retry-After")).isNotBlank();
      assertThat(refused.body().toString()).contains("too many requests in flight");
      assertThat(pipeline.count("select count(*) from events")).isEqualTo(4);
    } finally {
      pipeline.stop();
    }
  }

  @Test
  @DisplayName("beyond maxInFlightPerConnection a request multiplexed on one HTTP/2 connection is answered 429")
  void perConnection(Vertx vertx) throws Exception {
    PipelineHarness pipeline = PipelineHarness.start(vertx, TestDatabase.newDatabase(), config -> config
        .withReceiver(config.receiver().withInFlightLimits(1024, 1))
        .withWriter(new WriterConfig(5000, 1500, 100_000, 2)));
    try {
      HttpClient h2 = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
          .setHttp2ClearTextUpgrade(false));
      List<Future<Integer>> sent = IntStream.range(0, 2).mapToObj(i -> h2.request(new RequestOptions().setMethod(HttpMethod.POST)
              .setHost("127.0.0.1").setPort(pipeline.otlpHttpPort()).setURI("/v1/logs").putHeader("Content-Type", OtlpRequests.PROTOBUF))
          .compose(request -> {
            Future<Integer> status = request.response().map(r -> r.statusCode());
            request.end(OtlpRequests.apiRequests("h2-" + i, 0, 1));
            return status;
          })).toList();
      PipelineHarness.await(Future.join(sent));
      assertThat(sent.stream().map(Future::result).sorted().toList()).containsExactly(200, 429);
    } finally {
      pipeline.stop();
    }
  }
}
