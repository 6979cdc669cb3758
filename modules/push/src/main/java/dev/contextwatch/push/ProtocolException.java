package dev.contextwatch.push;

/** A client frame the protocol does not accept; its message goes back to the client in an {@code error} frame. */
final class ProtocolException extends RuntimeException {
  ProtocolException(String message) {
    super(message, null, false, false);
  }
}
