package dev.contextwatch.app;

import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import io.vertx.core.buffer.Buffer;

/** Small OTLP requests shaped like Claude Code's, for tests that need many distinct records. */
final class OtlpRequests {
  static final String PROTOBUF = "application/x-protobuf";
  static final String JSON = "application/json";
  private static final long T0 = 1_795_411_735_000_000_000L;

  private OtlpRequests() {}

  /** {@code count} api_request events of one session with sequence numbers from {@code firstSequence}. */
  static Buffer apiRequests(String session, long firstSequence, int count) {
    ScopeLogs.Builder scope = ScopeLogs.newBuilder();
    for (long seq = firstSequence; seq < firstSequence + count; seq++) {
      scope.addLogRecords(LogRecord.newBuilder()
          .setTimeUnixNano(T0 + seq * 1_000_000L)
          .setBody(AnyValue.newBuilder().setStringValue("claude_code.api_request"))
          .addAttributes(string("session.id", session))
          .addAttributes(string("event.name", "api_request"))
          .addAttributes(KeyValue.newBuilder().setKey("event.sequence").setValue(AnyValue.newBuilder().setIntValue(seq)))
          .addAttributes(KeyValue.newBuilder().setKey("input_tokens").setValue(AnyValue.newBuilder().setIntValue(100))));
    }
    return Buffer.buffer(ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
        .setResource(Resource.newBuilder().addAttributes(string("service.name", "claude-code")))
        .addScopeLogs(scope)).build().toByteArray());
  }

  private static KeyValue string(String key, String value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }
}
