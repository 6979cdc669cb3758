package dev.contextwatch.api;

import dev.contextwatch.core.bus.StoreFailure;
import io.vertx.core.eventbus.ReplyException;

/** A request the API refuses: the HTTP status, a short error code and a sentence naming what is wrong. */
final class ApiException extends RuntimeException {
  final int status;
  final String code;

  private ApiException(int status, String code, String message) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
  }

  static ApiException badRequest(int status, String message) {
    return new ApiException(status, "bad_request", message);
  }

  static ApiException badParameter(String name, String problem) {
    return new ApiException(400, "bad_parameter", "query parameter '" + name + "' " + problem);
  }

  static ApiException unauthorized(String message) {
    return new ApiException(401, "unauthorized", message);
  }

  static ApiException forbidden(String message) {
    return new ApiException(403, "forbidden", message);
  }

  static ApiException notFound(String message) {
    return new ApiException(404, "not_found", message);
  }

  static ApiException conflict(String message) {
    return new ApiException(409, "conflict", message);
  }

  static ApiException methodNotAllowed(String message) {
    return new ApiException(405, "method_not_allowed", message);
  }

  static ApiException internal(String message) {
    return new ApiException(500, "internal", message);
  }

  static ApiException unavailable(String message) {
    return new ApiException(503, "unavailable", message);
  }

  /**
   * An event-bus request to another verticle that failed, in the client's terms: 503 when nobody
   * listens or answers in time (asked to {@code action}), or when the recipient could not do it
   * now; anything else as it is.
   */
  static Throwable ofReply(Throwable error, String recipient, String action, int timeoutMs) {
    if (!(error instanceof ReplyException reply)) {
      return error;
    }
    return switch (reply.failureType()) {
      case NO_HANDLERS -> unavailable("no " + recipient + " is running to " + action + "; retry later");
      case TIMEOUT -> unavailable("the " + recipient + " did not confirm within " + timeoutMs + " ms that it could " + action
          + "; it may still do so: retry later");
      case RECIPIENT_FAILURE -> reply.failureCode() == StoreFailure.UNAVAILABLE.code ? unavailable(reply.getMessage()) : reply;
      default -> reply;
    };
  }
}
