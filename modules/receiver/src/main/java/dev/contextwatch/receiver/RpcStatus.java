package dev.contextwatch.receiver;

import com.google.protobuf.CodedOutputStream;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * google.rpc.Status, the body of every OTLP/HTTP error. Encoded by hand (code = field 1, message =
 * field 2) rather than pulling in the common-protos artifact for one message.
 */
record RpcStatus(int code, String message) {
  static final int INVALID_ARGUMENT = 3;
  static final int DEADLINE_EXCEEDED = 4;
  static final int NOT_FOUND = 5;
  static final int RESOURCE_EXHAUSTED = 8;
  static final int UNIMPLEMENTED = 12;
  static final int INTERNAL = 13;
  static final int UNAVAILABLE = 14;
  static final int UNAUTHENTICATED = 16;

  static RpcStatus forHttpStatus(int httpStatus, String message) {
    int code = switch (httpStatus) {
      case 400, 415 -> INVALID_ARGUMENT;
      case 401 -> UNAUTHENTICATED;
      case 404 -> NOT_FOUND;
      case 408 -> DEADLINE_EXCEEDED;
      case 405 -> UNIMPLEMENTED;
      case 413, 429 -> RESOURCE_EXHAUSTED;
      case 503 -> UNAVAILABLE;
      default -> INTERNAL;
    };
    return new RpcStatus(code, message);
  }

  Buffer toProtobuf() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    try {
      out.writeInt32(1, code);
      out.writeString(2, message);
      out.flush();
    } catch (IOException e) {
      throw new IllegalStateException("writing to memory cannot fail", e);
    }
    return Buffer.buffer(bytes.toByteArray());
  }

  Buffer toJson() {
    return new JsonObject().put("code", code).put("message", message).toBuffer();
  }
}
