package dev.contextwatch.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.core.bus.Addresses;
import dev.contextwatch.core.bus.StoreFailure;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What the receiver answers when the pipeline behind it fails a batch: a sentence in the user's
 * terms, whatever text the database or the processor gave. The pipeline is stood in for by a
 * consumer of the ingest address that fails as persistence does; storage itself is tested in the
 * app module against a real PostgreSQL.
 */
@ExtendWith(VertxExtension.class)
class IngestAnswersTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "REFUSED|index row size 2712 exceeds btree version 4 maximum 2704 for index \"events_session_time\"|400|not stored: the database refused this request's records (the server log says why)",
      "UNAVAILABLE|FATAL: terminating connection due to administrator command|503|not stored: the database is unavailable; retry later",
      "UNAVAILABLE|class java.lang.String cannot be cast to class java.lang.Number|503|not stored: the database is unavailable; retry later",
      "SATURATED|200000 records already waiting to be written|429|not stored: the write queue is full; retry later"})
  @DisplayName("a batch the pipeline fails is answered in the user's terms, never with the database's or the processor's text")
  void failures(StoreFailure failure, String detail, int status, String message, Vertx vertx) throws Exception {
    MessageConsumer<Object> pipeline = vertx.eventBus().consumer(Addresses.INGEST, m -> m.fail(failure.code, detail));
    OtlpHttpVerticle receiver = new OtlpHttpVerticle(TestConfig.receiver().withPorts("127.0.0.1", 0, 0));
    HttpClient client = vertx.createHttpClient();
    try {
      await(vertx.deployVerticle(receiver));
      Buffer answer = await(client.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1")
              .setPort(receiver.port()).setURI("/v1/logs").putHeader("Content-Type", "application/json"))
          .compose(request -> request.send(OtlpEncoding.JSON.encode(oneEvent())))
          .compose(response -> {
            assertThat(response.statusCode()).isEqualTo(status);
            return response.body();
          }));
      assertThat(new JsonObject(answer).getString("message")).isEqualTo(message);
    } finally {
      client.close();
      await(pipeline.unregister());
    }
  }

  private static ExportLogsServiceRequest oneEvent() {
    return ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder().addScopeLogs(ScopeLogs.newBuilder()
        .addLogRecords(LogRecord.newBuilder().setTimeUnixNano(1_795_411_735_000_000_000L)
            .addAttributes(KeyValue.newBuilder().setKey("session.id").setValue(AnyValue.newBuilder().setStringValue("s")))))).build();
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
