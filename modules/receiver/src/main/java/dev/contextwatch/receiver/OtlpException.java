package dev.contextwatch.receiver;

/**
 * A request the receiver refuses: the HTTP status that answers it (the gRPC receiver maps it to a
 * gRPC status) and a message naming the problem.
 */
final class OtlpException extends RuntimeException {
  final int status;

  OtlpException(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }
}
