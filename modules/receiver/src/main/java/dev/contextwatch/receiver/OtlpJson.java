package dev.contextwatch.receiver;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;

/**
 * The OTLP/JSON mapping. It differs from protobuf's canonical JSON in one way that matters: trace
 * and span ids are hex, not base64. JsonFormat would read a hex id as base64 without complaint and
 * store garbage, so the ids are rewritten to base64 before JsonFormat sees the document.
 */
final class OtlpJson {
  private static final Set<String> ID_FIELDS =
      Set.of("traceId", "spanId", "parentSpanId", "trace_id", "span_id", "parent_span_id");
  private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();
  private static final JsonFormat.Printer PRINTER = JsonFormat.printer();

  private OtlpJson() {}

  static void merge(Buffer body, Message.Builder builder) throws InvalidProtocolBufferException {
    JsonObject document;
    try {
      document = new JsonObject(body);
    } catch (DecodeException | ClassCastException e) {
      throw new InvalidProtocolBufferException("not a JSON object: " + e.getMessage());
    }
    rewriteIds(document);
    PARSER.merge(document.encode(), builder);
  }

  static String print(Message message) {
    try {
      return PRINTER.print(message);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("OTLP responses always print", e);
    }
  }

  private static void rewriteIds(Object node) throws InvalidProtocolBufferException {
    if (node instanceof JsonObject object) {
      for (Map.Entry<String, Object> field : object) {
        if (ID_FIELDS.contains(field.getKey()) && field.getValue() instanceof String hex) {
          field.setValue(base64(field.getKey(), hex));
        } else {
          rewriteIds(field.getValue());
        }
      }
    } else if (node instanceof JsonArray array) {
      for (Object element : array) {
        rewriteIds(element);
      }
    }
  }

  private static String base64(String field, String hex) throws InvalidProtocolBufferException {
    try {
      return Base64.getEncoder().encodeToString(HexFormat.of().parseHex(hex));
    } catch (IllegalArgumentException e) {
      throw new InvalidProtocolBufferException(field + " is not a hex string: \"" + abbreviate(hex) + "\"");
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }
}
