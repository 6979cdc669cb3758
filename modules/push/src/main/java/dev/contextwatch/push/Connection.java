package dev.contextwatch.push;

import io.vertx.core.http.ServerWebSocket;

/**
 * One client of the live feed. Touched only from the push verticle's context. Frames go through
 * the {@link Outbox} and on to the socket while the socket's write queue has room; the drain
 * handler writes the rest.
 */
final class Connection {
  final ServerWebSocket socket;
  private final Outbox outbox;
  /** What the client subscribed to; null before its first subscribe and after an unsubscribe. */
  Filter filter;
  /** What its snapshot and session.updated frames carry of each session. */
  SummaryShape shape = SummaryShape.FULL;
  /** Bumped by every subscribe and unsubscribe, so a snapshot read for an earlier one is dropped. */
  int generation;
  /** A snapshot is wanted: live frames wait in the ring until it is sent. */
  boolean loading;
  /** The position the snapshot wanted starts from, and why it is sent. */
  long loadingFrom;
  String loadingReason;
  /** A snapshot is being read from the database; at most one per connection, however often it subscribes. */
  boolean reading;
  int malformedInARow;
  long lastWriteNanos = System.nanoTime();
  private long seq;
  private boolean closed;

  Connection(ServerWebSocket socket, int queueFrames, long queueBytes) {
    this.socket = socket;
    this.outbox = new Outbox(queueFrames, queueBytes);
  }

  /** Whether a live frame goes to this client now. */
  boolean wants(Frame frame) {
    return filter != null && !loading && !closed && filter.matches(frame);
  }

  /** Whether this client's subscription includes the event frame of that session (while its snapshot loads too). */
  boolean wantsEvent(String sessionId, String project, String runId, boolean synthetic) {
    return filter != null && !closed && filter.matches(Frame.EVENT, sessionId, project, runId, synthetic);
  }

  /** A subscribe or unsubscribe replaces the subscription: what the earlier one still had waiting is dropped. */
  void replaceSubscription(Filter newFilter, SummaryShape newShape) {
    filter = newFilter;
    shape = newShape;
    generation++;
    loading = false;
    outbox.dropSubscription();
  }

  /** Queues the frame and writes what the socket takes; false when the client is too far behind. */
  boolean send(Frame frame) {
    if (closed) {
      return true;
    }
    boolean room = outbox.offer(frame, frame.bytes(shape));
    pump();
    return room;
  }

  /** Writes waiting frames until the socket's write queue is full (the drain handler calls again). */
  void pump() {
    while (!closed && !outbox.isEmpty() && !socketFull()) {
      Outbox.Entry entry = outbox.poll();
      entry.frame.writeTo(socket, ++seq, entry.coalesced, shape);
      lastWriteNanos = System.nanoTime();
    }
  }

  /** The socket may close on its own event loop at any time; then nothing more is written to it. */
  private boolean socketFull() {
    try {
      return socket.writeQueueFull();
    } catch (IllegalStateException closedMeanwhile) {
      return true;
    }
  }

  int waiting() {
    return outbox.size();
  }

  long waitingBytes() {
    return outbox.bytes();
  }

  boolean closed() {
    return closed;
  }

  void close(short code, String reason) {
    if (!closed) {
      closed = true;
      outbox.clear();
      socket.close(code, reason);
    }
  }
}
