package dev.contextwatch.receiver;

import com.google.protobuf.Message;
import io.vertx.core.buffer.Buffer;
import java.util.Locale;

/** The two OTLP/HTTP body encodings; responses use the request's. */
enum OtlpEncoding {
  PROTOBUF("application/x-protobuf"),
  JSON("application/json");

  final String mediaType;

  OtlpEncoding(String mediaType) {
    this.mediaType = mediaType;
  }

  /** The encoding a Content-Type header names, ignoring parameters such as charset; null if neither. */
  static OtlpEncoding of(String contentType) {
    if (contentType == null) {
      return null;
    }
    String mediaType = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    for (OtlpEncoding encoding : values()) {
      if (encoding.mediaType.equals(mediaType)) {
        return encoding;
      }
    }
    return null;
  }

  Buffer encode(Message message) {
    return this == PROTOBUF ? Buffer.buffer(message.toByteArray()) : Buffer.buffer(OtlpJson.print(message));
  }

  Buffer encode(RpcStatus status) {
    return this == PROTOBUF ? status.toProtobuf() : status.toJson();
  }
}
