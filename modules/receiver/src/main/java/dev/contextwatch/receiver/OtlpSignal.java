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
import java.util.function.Function;

/** One OTLP export service: its path, request type, decoder and response with partial success. */
enum OtlpSignal {
  LOGS("/v1/logs", ExportLogsServiceRequest.getDefaultInstance(),
      request -> OtlpDecoder.logs((ExportLogsServiceRequest) request)) {
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
  METRICS("/v1/metrics", ExportMetricsServiceRequest.getDefaultInstance(),
      request -> OtlpDecoder.metrics((ExportMetricsServiceRequest) request)) {
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
  TRACES("/v1/traces", ExportTraceServiceRequest.getDefaultInstance(),
      request -> OtlpDecoder.traces((ExportTraceServiceRequest) request)) {
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

  final String path;
  private final Message prototype;
  private final Function<Message, RecordBatch> decoder;

  OtlpSignal(String path, Message prototype, Function<Message, RecordBatch> decoder) {
    this.path = path;
    this.prototype = prototype;
    this.decoder = decoder;
  }

  /** Parses and decodes a request body; a body that is not an export request is a 400. */
  RecordBatch decode(Buffer body, OtlpEncoding encoding) {
    try {
      Message request = switch (encoding) {
        case PROTOBUF -> prototype.getParserForType().parseFrom(body.getBytes());
        case JSON -> {
          Message.Builder builder = prototype.newBuilderForType();
          OtlpJson.merge(body, builder);
          yield builder.build();
        }
      };
      return decoder.apply(request);
    } catch (InvalidProtocolBufferException e) {
      throw new OtlpHttpException(400, "cannot decode " + encoding.mediaType + " "
          + prototype.getDescriptorForType().getName() + ": " + e.getMessage());
    }
  }

  abstract Message response(RecordBatch batch);
}
