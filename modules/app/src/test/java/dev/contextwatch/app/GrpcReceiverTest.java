package dev.contextwatch.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.testkit.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** What the OTLP/gRPC receiver answers, status and message, to calls an SDK would not make. */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GrpcReceiverTest {
  private static final String TOKEN = "grpc-ingest-token";
  private PipelineHarness pipeline;
  private HttpClient client;

  @BeforeAll
  void start(Vertx vertx) throws Exception {
    pipeline = PipelineHarness.start(vertx, TestDatabase.newDatabase(),
        config -> config.withReceiver(config.receiver().withLimits(config.receiver().maxBodyBytes(), TOKEN)));
    client = GrpcCalls.client(vertx, 1, 10);
  }

  @AfterAll
  void stop() throws Exception {
    client.close();
    pipeline.stop();
  }

  @Test
  @DisplayName("the authorization scheme is case-insensitive over gRPC too: bearer and BEARER are accepted, another token is not")
  void schemeCaseInsensitive() throws Exception {
    assertThat(call(OtlpRequests.apiRequests("grpc-case", 0, 1), "bearer " + TOKEN).status()).isZero();
    assertThat(call(OtlpRequests.apiRequests("grpc-case", 1, 1), "BEARER " + TOKEN).status()).isZero();
    GrpcCalls.Answer wrong = call(OtlpRequests.apiRequests("grpc-case", 2, 1), "bearer nope");
    assertThat(wrong.status()).isEqualTo(16);
    assertThat(wrong.message()).isEqualTo("wrong ingest token in Authorization header");
    assertThat(pipeline.count("select count(*) from events where session_id = 'grpc-case'")).isEqualTo(2);
  }

  @Test
  @DisplayName("a message that is not an export request is INVALID_ARGUMENT saying so in plain words")
  void malformedMessage() throws Exception {
    GrpcCalls.Answer answer = call(Buffer.buffer(new byte[] {0x0a, (byte) 0xff, 0x01, 0x02}), "Bearer " + TOKEN);
    assertThat(answer.status()).isEqualTo(3);
    assertThat(answer.message()).startsWith("cannot decode application/x-protobuf ExportLogsServiceRequest: ")
        .doesNotContain("java.", "com.google", "Exception");
  }

  @Test
  @DisplayName("a message beyond maxBodyBytes is RESOURCE_EXHAUSTED, whatever the call still sends")
  void oversizedMessage() throws Exception {
    int limit = pipeline.config.receiver().maxBodyBytes();
    GrpcCalls.Answer answer = call(Buffer.buffer(new byte[limit + 1]), "Bearer " + TOKEN);
    assertThat(answer.status()).isEqualTo(8);
  }

  private GrpcCalls.Answer call(Buffer message, String authorization) throws Exception {
    return PipelineHarness.await(GrpcCalls.call(client, pipeline.otlpGrpcPort(), GrpcCalls.LOGS, message,
        Map.of("authorization", authorization)));
  }
}
