package dev.contextwatch.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.testkit.TestDatabase;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.logs.OtlpGrpcLogRecordExporter;
import io.opentelemetry.exporter.otlp.metrics.OtlpGrpcMetricExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.export.BatchLogRecordProcessor;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Real OTLP clients: the OpenTelemetry Java SDK's exporters, over gRPC (4317) and HTTP/protobuf (4318), gzip on. */
@ExtendWith(VertxExtension.class)
class OtelSdkExportersTest {
  private static final String TOKEN = "sdk-ingest-token";
  private static final AttributeKey<String> SESSION = AttributeKey.stringKey("session.id");
  private static final int LOGS = 40;
  private static final int SPANS = 15;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"grpc", "http/protobuf"})
  @DisplayName("the SDK's exporters get every log record, data point and span stored, and a wrong token stores nothing")
  void exporters(String protocol, Vertx vertx) throws Exception {
    PipelineHarness pipeline = PipelineHarness.start(vertx, TestDatabase.newDatabase(),
        config -> config.withReceiver(config.receiver().withLimits(config.receiver().maxBodyBytes(), TOKEN)));
    try {
      String session = "sdk-" + protocol.replace('/', '-');

      assertThat(send(pipeline, protocol, session, "Bearer " + TOKEN)).as("exports acknowledged").isTrue();
      assertThat(pipeline.count("select count(*) from events where session_id = '" + session + "'")).isEqualTo(LOGS);
      assertThat(pipeline.count("select count(*) from spans where session_id = '" + session + "'")).isEqualTo(SPANS);
      assertThat(pipeline.query("select sum(delta)::bigint from metric_points where metric_name = 'claude_code.token.usage'"
          + " and session_id = '" + session + "'")).isEqualTo("70");
      // the SDK exports cumulative points again when it shuts down: the latest holds the one recorded value
      assertThat(pipeline.query("select count || ',' || value from metric_points where metric_type = 'histogram'"
          + " and session_id = '" + session + "' order by time desc limit 1")).isEqualTo("1,12.5");

      String rejected = session + "-wrong-token";
      assertThat(send(pipeline, protocol, rejected, "Bearer nope")).as("exports acknowledged").isFalse();
      assertThat(pipeline.count("select count(*) from events where session_id = '" + rejected + "'")).isZero();
    } finally {
      pipeline.stop();
    }
  }

  /** Emits LOGS log records, SPANS spans, a counter and a histogram; true when every export succeeded. */
  private static boolean send(PipelineHarness pipeline, String protocol, String session, String authorization) {
    boolean grpc = protocol.equals("grpc");
    String endpoint = "http://127.0.0.1:" + (grpc ? pipeline.otlpGrpcPort() : pipeline.otlpHttpPort());
    Resource resource = Resource.getDefault().merge(Resource.create(Attributes.builder()
        .put("service.name", "claude-code").put(SESSION, session).build()));

    LogRecordExporter logExporter = grpc
        ? OtlpGrpcLogRecordExporter.builder().setEndpoint(endpoint).setCompression("gzip").addHeader("authorization", authorization).build()
        : OtlpHttpLogRecordExporter.builder().setEndpoint(endpoint + "/v1/logs").setCompression("gzip").addHeader("Authorization", authorization).build();
    SpanExporter spanExporter = grpc
        ? OtlpGrpcSpanExporter.builder().setEndpoint(endpoint).setCompression("gzip").addHeader("authorization", authorization).build()
        : OtlpHttpSpanExporter.builder().setEndpoint(endpoint + "/v1/traces").setCompression("gzip").addHeader("Authorization", authorization).build();
    MetricExporter metricExporter = grpc
        ? OtlpGrpcMetricExporter.builder().setEndpoint(endpoint).setCompression("gzip").addHeader("authorization", authorization).build()
        : OtlpHttpMetricExporter.builder().setEndpoint(endpoint + "/v1/metrics").setCompression("gzip").addHeader("Authorization", authorization).build();
    Outcomes outcomes = new Outcomes();
    LogRecordExporter logs = outcomes.watch(logExporter);
    SpanExporter spans = outcomes.watch(spanExporter);
    MetricExporter metrics = outcomes.watch(metricExporter);

    try (SdkLoggerProvider loggers = SdkLoggerProvider.builder().setResource(resource)
            .addLogRecordProcessor(BatchLogRecordProcessor.builder(logs).setScheduleDelay(Duration.ofHours(1)).build()).build();
        SdkTracerProvider tracers = SdkTracerProvider.builder().setResource(resource)
            .addSpanProcessor(BatchSpanProcessor.builder(spans).setScheduleDelay(Duration.ofHours(1)).build()).build();
        SdkMeterProvider meters = SdkMeterProvider.builder().setResource(resource)
            .registerMetricReader(PeriodicMetricReader.builder(metrics).setInterval(Duration.ofHours(1)).build()).build()) {
      for (int i = 0; i < LOGS; i++) {
        loggers.get("com.anthropic.claude_code.events").logRecordBuilder().setBody("claude_code.api_request")
            .setAttribute(AttributeKey.stringKey("event.name"), "api_request").setAttribute(SESSION, session)
            .setAttribute(AttributeKey.longKey("event.sequence"), (long) i).setAttribute(AttributeKey.longKey("input_tokens"), 10L).emit();
      }
      for (int i = 0; i < SPANS; i++) {
        Span span = tracers.get("contextwatch-test").spanBuilder("tool-" + i).setAttribute(SESSION, session).startSpan();
        span.end();
      }
      LongCounter tokens = meters.get("com.anthropic.claude_code").counterBuilder("claude_code.token.usage").build();
      tokens.add(30, Attributes.of(SESSION, session, AttributeKey.stringKey("type"), "input"));
      tokens.add(40, Attributes.of(SESSION, session, AttributeKey.stringKey("type"), "input"));
      meters.get("com.anthropic.claude_code").histogramBuilder("tool.duration").build().record(12.5, Attributes.of(SESSION, session));
      loggers.forceFlush().join(20, TimeUnit.SECONDS);
      tracers.forceFlush().join(20, TimeUnit.SECONDS);
      meters.forceFlush().join(20, TimeUnit.SECONDS);
    }
    return outcomes.allSucceeded();
  }

  /** Whether every export went through: the SDK's processors swallow export failures. */
  private static final class Outcomes {
    private volatile boolean exported;
    private volatile boolean failed;

    CompletableResultCode record(CompletableResultCode result) {
      result.join(20, TimeUnit.SECONDS);
      exported = true;
      failed |= !result.isSuccess();
      return result;
    }

    boolean allSucceeded() {
      return exported && !failed;
    }

    LogRecordExporter watch(LogRecordExporter delegate) {
      return new LogRecordExporter() {
        @Override
        public CompletableResultCode export(Collection<LogRecordData> logs) {
          return record(delegate.export(logs));
        }

        @Override
        public CompletableResultCode flush() {
          return delegate.flush();
        }

        @Override
        public CompletableResultCode shutdown() {
          return delegate.shutdown();
        }
      };
    }

    SpanExporter watch(SpanExporter delegate) {
      return new SpanExporter() {
        @Override
        public CompletableResultCode export(Collection<SpanData> spans) {
          return record(delegate.export(spans));
        }

        @Override
        public CompletableResultCode flush() {
          return delegate.flush();
        }

        @Override
        public CompletableResultCode shutdown() {
          return delegate.shutdown();
        }
      };
    }

    MetricExporter watch(MetricExporter delegate) {
      return new MetricExporter() {
        @Override
        public CompletableResultCode export(Collection<MetricData> metrics) {
          return record(delegate.export(metrics));
        }

        @Override
        public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
          return delegate.getAggregationTemporality(instrumentType);
        }

        @Override
        public CompletableResultCode flush() {
          return delegate.flush();
        }

        @Override
        public CompletableResultCode shutdown() {
          return delegate.shutdown();
        }
      };
    }
  }
}
