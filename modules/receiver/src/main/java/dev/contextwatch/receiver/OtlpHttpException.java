package dev.contextwatch.receiver;

/** A request the receiver refuses, with the HTTP status to answer and a message naming the problem. */
final class OtlpHttpException extends RuntimeException {
  final int status;

  OtlpHttpException(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }
}
