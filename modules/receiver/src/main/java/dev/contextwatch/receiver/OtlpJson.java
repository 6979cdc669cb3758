package dev.contextwatch.receiver;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The OTLP/JSON mapping, read along the request's protobuf schema before JsonFormat sees it, for
 * two reasons. Trace and span ids are hex, not base64: JsonFormat would read a hex id as base64
 * without complaint and store garbage, so they are rewritten to base64. And JsonFormat reads a
 * 64-bit or unsigned integer given as a string through {@code BigDecimal.toBigIntegerExact()}: a
 * 150-byte request with {@code "endTimeUnixNano": "1e16000000"} held an event loop for 6 seconds,
 * longer with a longer exponent (found by fuzzing). So a numeric field takes only a number of a sane
 * size; numbers written as JSON numbers are already bounded by the JSON parser.
 */
final class OtlpJson {
  private static final Set<String> ID_FIELDS = Set.of("trace_id", "span_id", "parent_span_id");
  /** Any number an exporter writes, with up to 40 digits on each side of the point and a 3-digit exponent. */
  private static final Pattern NUMBER =
      Pattern.compile("[+-]?(\\d{1,40}(\\.\\d{0,40})?|\\.\\d{1,40})([eE][+-]?\\d{1,3})?|NaN|-?Infinity");
  private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();
  private static final JsonFormat.Printer PRINTER = JsonFormat.printer();

  private OtlpJson() {}

  static void merge(Buffer body, Message.Builder builder) throws InvalidProtocolBufferException {
    Object parsed;
    try {
      parsed = Json.decodeValue(body);
    } catch (DecodeException e) {
      throw new InvalidProtocolBufferException("not valid JSON" + where(e.getCause()));
    }
    if (!(parsed instanceof JsonObject document)) {
      throw new InvalidProtocolBufferException("the body is JSON but not an object");
    }
    prepare(document, builder.getDescriptorForType());
    PARSER.merge(document.encode(), builder);
  }

  static String print(Message message) {
    try {
      return PRINTER.print(message);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("OTLP responses always print", e);
    }
  }

  /** Rewrites the ids and checks the numbers of one message; fields the schema does not know are left to the parser, which ignores them. */
  private static void prepare(JsonObject message, Descriptor type) throws InvalidProtocolBufferException {
    for (Map.Entry<String, Object> entry : message) {
      FieldDescriptor field = field(type, entry.getKey());
      if (field == null) {
        continue;
      }
      if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
        for (Object element : elements(entry.getValue())) {
          if (element instanceof JsonObject child) {
            prepare(child, field.getMessageType());
          }
        }
      } else if (ID_FIELDS.contains(field.getName()) && entry.getValue() instanceof String hex) {
        entry.setValue(base64(field, hex));
      } else if (isNumber(field)) {
        for (Object element : elements(entry.getValue())) {
          checkNumber(field, element);
        }
      }
    }
  }

  /** A field by its JSON name, as OTLP/JSON writes it, or by its protobuf name, which JsonFormat also accepts. */
  private static FieldDescriptor field(Descriptor type, String key) {
    FieldDescriptor byName = type.findFieldByName(key);
    if (byName != null) {
      return byName;
    }
    return type.getFields().stream().filter(f -> f.getJsonName().equals(key)).findFirst().orElse(null);
  }

  /** The values of a repeated field, or the one value of a singular one (JsonArray's iterator wraps nested objects). */
  private static Iterable<Object> elements(Object value) {
    return value instanceof JsonArray array ? array : value == null ? List.of() : List.of(value);
  }

  private static boolean isNumber(FieldDescriptor field) {
    return switch (field.getJavaType()) {
      case INT, LONG, FLOAT, DOUBLE -> true;
      default -> false;
    };
  }

  private static void checkNumber(FieldDescriptor field, Object value) throws InvalidProtocolBufferException {
    if (value instanceof String text && !NUMBER.matcher(text).matches()) {
      throw new InvalidProtocolBufferException(field.getJsonName() + " is not a number of a sane size: \"" + abbreviate(text) + "\"");
    }
  }

  private static String base64(FieldDescriptor field, String hex) throws InvalidProtocolBufferException {
    try {
      return Base64.getEncoder().encodeToString(HexFormat.of().parseHex(hex));
    } catch (IllegalArgumentException e) {
      throw new InvalidProtocolBufferException(field.getJsonName() + " is not a hex string: \"" + abbreviate(hex) + "\"");
    }
  }

  /** Where the parser stopped, as a line and column the user can find in the body. */
  private static String where(Throwable cause) {
    return cause instanceof JsonProcessingException parser && parser.getLocation() != null
        ? " (line " + parser.getLocation().getLineNr() + ", column " + parser.getLocation().getColumnNr() + ")"
        : "";
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }
}
