package dev.contextwatch.api;

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
}
