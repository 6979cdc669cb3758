package dev.contextwatch.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.core.config.TlsFiles;
import dev.contextwatch.testkit.TestDatabase;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.exporter.otlp.logs.OtlpGrpcLogRecordExporter;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.export.SimpleLogRecordProcessor;
import io.opentelemetry.sdk.resources.Resource;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Every listener with a self-signed certificate: OTLP/HTTP, OTLP/gRPC and the API speak TLS only. */
@ExtendWith(VertxExtension.class)
class TlsTest {
  @TempDir
  Path dir;

  @Test
  @DisplayName("with a PEM certificate and key configured, OTLP/HTTP, OTLP/gRPC and the API answer over TLS and store what they receive")
  void everyListenerOverTls(Vertx vertx) throws Exception {
    TlsFiles tls = TestCertificate.copyTo(dir);
    PipelineHarness pipeline = PipelineHarness.start(vertx, TestDatabase.newDatabase(), config -> config
        .withReceiver(config.receiver().withTls(tls))
        .withApi(config.api().withTls(tls)));
    try {
      HttpClient https = vertx.createHttpClient(new HttpClientOptions().setSsl(true)
          .setTrustOptions(new PemTrustOptions().addCertPath(tls.certFile())));

      int status = PipelineHarness.await(https.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("localhost")
              .setPort(pipeline.otlpHttpPort()).setURI("/v1/logs").putHeader("Content-Type", OtlpRequests.PROTOBUF))
          .compose(request -> request.send(OtlpRequests.apiRequests("tls-http", 0, 3)))
          .map(response -> response.statusCode()));
      assertThat(status).isEqualTo(200);
      assertThat(pipeline.count("select count(*) from events where session_id = 'tls-http'")).isEqualTo(3);

      try (SdkLoggerProvider loggers = SdkLoggerProvider.builder()
          .setResource(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "claude-code")))
          .addLogRecordProcessor(SimpleLogRecordProcessor.create(OtlpGrpcLogRecordExporter.builder()
              .setEndpoint("https://localhost:" + pipeline.otlpGrpcPort())
              .setTrustedCertificates(Files.readAllBytes(Path.of(tls.certFile()))).build()))
          .build()) {
        loggers.get("test").logRecordBuilder().setBody("claude_code.user_prompt")
            .setAttribute(AttributeKey.stringKey("session.id"), "tls-grpc").emit();
        assertThat(loggers.forceFlush().join(20, TimeUnit.SECONDS).isSuccess()).isTrue();
      }
      assertThat(pipeline.count("select count(*) from events where session_id = 'tls-grpc'")).isEqualTo(1);

      int ready = PipelineHarness.await(https.request(HttpMethod.GET, pipeline.apiPort(), "localhost", "/ready")
          .compose(request -> request.send()).map(response -> response.statusCode()));
      assertThat(ready).isEqualTo(200);

      PipelineHarness.Response plain = PipelineHarness.await(pipeline.post("/v1/logs", OtlpRequests.PROTOBUF,
          OtlpRequests.apiRequests("plain", 0, 1), Map.of()).recover(e -> Future.succeededFuture(
              new PipelineHarness.Response(-1, null, Buffer.buffer()))));
      assertThat(plain.status()).as("plain HTTP is refused on a TLS listener").isNotEqualTo(200);
    } finally {
      pipeline.stop();
    }
  }
}
