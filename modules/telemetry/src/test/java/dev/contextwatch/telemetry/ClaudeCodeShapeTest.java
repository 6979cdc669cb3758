package dev.contextwatch.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.testkit.Fixtures;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The generated telemetry against the requests the CLI really sent (the recorded fixtures). */
class ClaudeCodeShapeTest {
  private static final String SESSION = "6a0e8a4e-3d5b-4c41-9d4a-2f0e0d1c2b3a";
  private static final List<KeyValue> USER_ATTRIBUTES = List.of(Otlp.text("service.namespace", "acme"));
  private static final EventHeader AT = new EventHeader(ClaudeCode.identity(List.of(), "u".repeat(64), SESSION),
      1_795_411_800_000_000_000L, 7, "prompt-1");

  @Test
  @DisplayName("every attribute of a generated event has the name and value type the CLI sends on that event")
  void eventsHaveTheRecordedShapes() throws Exception {
    Map<String, Map<String, AnyValue.ValueCase>> recorded = recordedEventShapes();
    List<LogRecord> generated = List.of(
        ClaudeCode.apiRequest(AT, ApiCall.priced(Model.SONNET, "main", 500, 320, 12_000, 6_500, 900)).build(),
        ClaudeCode.userPrompt(AT, 42, "<REDACTED>").build(),
        ClaudeCode.toolDecision(AT, "Bash", "toolu_1").build(),
        ClaudeCode.toolResult(AT, "Bash", "toolu_1", true, 40, 61, 200).build());
    for (LogRecord record : generated) {
      String name = record.getBody().getStringValue().substring("claude_code.".length());
      assertThat(recorded).as("recorded events").containsKey(name);
      assertThat(recorded.get(name)).as(name).containsAllEntriesOf(shape(record.getAttributesList()));
    }
  }

  @Test
  @DisplayName("the generated resource and scopes are the CLI's")
  void resourceAndScopesAreTheRecordedOnes() throws Exception {
    ResourceLogs recorded = recordedLogs().get(0).getResourceLogs(0);
    assertThat(withoutUserAttributes(shape(ClaudeCode.resource(USER_ATTRIBUTES).getAttributesList())))
        .isEqualTo(withoutUserAttributes(shape(recorded.getResource().getAttributesList())));
    assertThat(recorded.getScopeLogs(0).getScope()).isEqualTo(ClaudeCode.EVENTS);
  }

  /** The attributes the CLI adds to the user's OTEL_RESOURCE_ATTRIBUTES. */
  private static Map<String, AnyValue.ValueCase> withoutUserAttributes(Map<String, AnyValue.ValueCase> shape) {
    Map<String, AnyValue.ValueCase> cli = new TreeMap<>(shape);
    cli.keySet().retainAll(List.of("host.arch", "os.type", "os.version", "service.name", "service.version"));
    return cli;
  }

  /** For each event name in the fixtures, the attributes its records carry and their value types. */
  private static Map<String, Map<String, AnyValue.ValueCase>> recordedEventShapes() throws Exception {
    Map<String, Map<String, AnyValue.ValueCase>> shapes = new HashMap<>();
    for (ExportLogsServiceRequest request : recordedLogs()) {
      for (ResourceLogs resource : request.getResourceLogsList()) {
        for (ScopeLogs scope : resource.getScopeLogsList()) {
          for (LogRecord record : scope.getLogRecordsList()) {
            String name = record.getBody().getStringValue().substring("claude_code.".length());
            shapes.computeIfAbsent(name, n -> new TreeMap<>()).putAll(shape(record.getAttributesList()));
          }
        }
      }
    }
    return shapes;
  }

  private static List<ExportLogsServiceRequest> recordedLogs() throws Exception {
    List<ExportLogsServiceRequest> logs = new ArrayList<>();
    for (Fixtures.Folder folder : Fixtures.folders()) {
      for (Fixtures.Request request : folder.requests()) {
        if (request.path().equals("/v1/logs") && request.contentType().contains("protobuf") && request.contentEncoding() == null) {
          logs.add(ExportLogsServiceRequest.parseFrom(request.body().getBytes()));
        }
      }
    }
    assertThat(logs).as("recorded protobuf logs requests").isNotEmpty();
    return logs;
  }

  private static Map<String, AnyValue.ValueCase> shape(List<KeyValue> attributes) {
    Map<String, AnyValue.ValueCase> shape = new TreeMap<>();
    attributes.forEach(a -> shape.put(a.getKey(), a.getValue().getValueCase()));
    return shape;
  }
}
