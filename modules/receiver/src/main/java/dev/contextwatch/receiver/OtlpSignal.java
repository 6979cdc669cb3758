package dev.contextwatch.receiver;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.contextwatch.core.model.RecordBatch;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsPartialSuccess;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsPartialSuccess;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.vertx.core.buffer.Buffer;
import java.util.function.BiFunction;

/** One OTLP export service: its HTTP path and gRPC service, request type, decoder and response with partial success. */
enum OtlpSignal {
  LOGS("/v1/logs", "opentelemetry.proto.collector.logs.v1.LogsService", ExportLogsServiceRequest.getDefaultInstance(),
      (decoder, request) -> decoder.logs((ExportLogsServiceRequest) request)) {
    @Override
    Message response(RecordBatch batch) {
      ExportLogsServiceResponse.Builder response = ExportLogsServiceResponse.newBuilder();
      if (batch.rejected() > 0) {
        response.setPartialSuccess(ExportLogsPartialSuccess.newBuilder()
            .setRejectedLogRecords(batch.rejected()).setErrorMessage(batch.rejectionMessage()));
      }
      return response.build();
    }
  },
  METRICS("/v1/metrics", "opentelemetry.proto.collector.metrics.v1.MetricsService",
      ExportMetricsServiceRequest.getDefaultInstance(),
      (decoder, request) -> decoder.metrics((ExportMetricsServiceRequest) request)) {
    @Override
    Message response(RecordBatch batch) {
      ExportMetricsServiceResponse.Builder response = ExportMetricsServiceResponse.newBuilder();
      if (batch.rejected() > 0) {
        response.setPartialSuccess(ExportMetricsPartialSuccess.newBuilder()
            .setRejectedDataPoints(batch.rejected()).setErrorMessage(batch.rejectionMessage()));
      }
      return response.build();
    }
  },
  TRACES("/v1/traces", "opentelemetry.proto.collector.trace.v1.TraceService", ExportTraceServiceRequest.getDefaultInstance(),
      (decoder, request) -> decoder.traces((ExportTraceServiceRequest) request)) {
    @Override
    Message response(RecordBatch batch) {
      ExportTraceServiceResponse.Builder response = ExportTraceServiceResponse.newBuilder();
      if (batch.rejected() > 0) {
        response.setPartialSuccess(ExportTracePartialSuccess.newBuilder()
            .setRejectedSpans(batch.rejected()).setErrorMessage(batch.rejectionMessage()));
      }
      return response.build();
    }
  };

  /** The OTLP/HTTP path. */
  final String path;
  /** The OTLP/gRPC service; its one method is Export. */
  final String grpcService;
  /** An empty request, for parsers. */
  final Message prototype;
  private final BiFunction<OtlpDecoder, Message, RecordBatch> decoder;

  OtlpSignal(String path, String grpcService, Message prototype, BiFunction<OtlpDecoder, Message, RecordBatch> decoder) {
    this.path = path;
    this.grpcService = grpcService;
    this.prototype = prototype;
    this.decoder = decoder;
  }

  /** Records of an already parsed export request. */
  RecordBatch decode(OtlpDecoder with, Message request) {
    return decoder.apply(with, request);
  }

  /** Parses and decodes a request body; a body that is not an export request is a 400. */
  RecordBatch decode(OtlpDecoder with, Buffer body, OtlpEncoding encoding) {
    try {
      Message request = switch (encoding) {
        case PROTOBUF -> prototype.getParserForType().parseFrom(body.getBytes());
        case JSON -> {
          Message.Builder builder = prototype.newBuilderForType();
          OtlpJson.merge(body, builder);
          yield builder.build();
        }
      };
      return decode(with, request);
    } catch (InvalidProtocolBufferException e) {
      throw new OtlpException(400, "cannot decode " + encoding.mediaType + " "
          + prototype.getDescriptorForType().getName() + ": " + Refusal.detail(e, "not a valid " + encoding.mediaType + " body"));
    }
  }

  abstract Message response(RecordBatch batch);
}
