package dev.contextwatch.loadtest;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.contextwatch.loadtest.Options.Encoding;
import dev.contextwatch.telemetry.ClaudeCode;
import dev.contextwatch.telemetry.Otlp;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.resource.v1.Resource;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPOutputStream;

/**
 * Request bodies as the CLI's exporter writes them: one resource and one scope per request, in
 * protobuf or OTLP/JSON (enums as integers, 64-bit integers as strings, trace and span ids in hex),
 * optionally gzip-compressed.
 */
final class OtlpEncoder {
  static final String PROTOBUF = "application/x-protobuf";
  static final String JSON = "application/json";
  private static final Set<String> ID_FIELDS = Set.of("traceId", "spanId", "parentSpanId");
  private static final JsonFormat.Printer PRINTER = JsonFormat.printer().printingEnumsAsInts().omittingInsignificantWhitespace();

  private final Encoding encoding;
  private final boolean gzip;

  OtlpEncoder(Encoding encoding, boolean gzip) {
    this.encoding = encoding;
    this.gzip = gzip;
  }

  String contentType() {
    return encoding == Encoding.JSON ? JSON : PROTOBUF;
  }

  /** The Content-Encoding header, or null. */
  String contentEncoding() {
    return gzip ? "gzip" : null;
  }

  Buffer logs(Resource resource, List<LogRecord> records) {
    return encode(Otlp.logs(resource, ClaudeCode.EVENTS, records));
  }

  Buffer metrics(Resource resource, List<Metric> metrics) {
    return encode(Otlp.metrics(resource, ClaudeCode.METRICS, metrics));
  }

  private Buffer encode(Message request) {
    byte[] body = encoding == Encoding.JSON ? json(request).getBytes(StandardCharsets.UTF_8) : request.toByteArray();
    return Buffer.buffer(gzip ? gzip(body) : body);
  }

  /** OTLP/JSON: protobuf's JSON mapping with integer enums and hex ids instead of base64. */
  static String json(Message request) {
    String printed;
    try {
      printed = PRINTER.print(request);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("an OTLP request always prints", e);
    }
    if (!printed.contains("Id\"")) {
      return printed;
    }
    JsonObject document = new JsonObject(printed);
    hexIds(document);
    return document.encode();
  }

  private static void hexIds(Object node) {
    if (node instanceof JsonObject object) {
      for (Map.Entry<String, Object> field : object) {
        if (ID_FIELDS.contains(field.getKey()) && field.getValue() instanceof String base64) {
          field.setValue(HexFormat.of().formatHex(Base64.getDecoder().decode(base64)));
        } else {
          hexIds(field.getValue());
        }
      }
    } else if (node instanceof JsonArray array) {
      array.forEach(OtlpEncoder::hexIds);
    }
  }

  private static byte[] gzip(byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(body.length / 4 + 64);
    try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
      zip.write(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
