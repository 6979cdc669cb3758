package dev.contextwatch.receiver;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.regex.Pattern;

/**
 * The status and message that answer a failed OTLP request, in the user's terms. A refusal the
 * receiver chose ({@link OtlpException}) says what is wrong with the request; anything else is an
 * internal error whose details (a Java exception, "Java heap space") go to the server log only.
 */
record Refusal(int status, String message) {
  static final String INTERNAL_ERROR = "internal error, see the server log";
  /** A qualified Java class name, as exception messages quote them: java.lang.String, com.google.gson.JsonObject. */
  private static final Pattern CLASS_NAME = Pattern.compile("\\b[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+\\.[A-Z]\\w*");

  static Refusal of(Throwable failure, int statusCode) {
    if (failure instanceof OtlpException refused) {
      return new Refusal(refused.status, refused.getMessage());
    }
    if (statusCode >= 400 && statusCode < 500) {
      return new Refusal(statusCode, "request refused: " + HttpResponseStatus.valueOf(statusCode).reasonPhrase());
    }
    return new Refusal(500, INTERNAL_ERROR);
  }

  /** Whether the request failed on our side, so that the server log needs the whole failure. */
  boolean internal() {
    return status == 500;
  }

  /**
   * A library's explanation of what is wrong with a request, when it is one a user can read; else
   * {@code fallback}. Parser messages are mostly plain ("unexpected end of input"), but some name
   * the parser's own classes.
   */
  static String detail(Throwable error, String fallback) {
    String message = error.getMessage();
    return message == null || message.isBlank() || CLASS_NAME.matcher(message).find() ? fallback : message;
  }
}
