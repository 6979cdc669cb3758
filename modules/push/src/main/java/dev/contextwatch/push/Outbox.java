package dev.contextwatch.push;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * A connection's frames that its socket did not take yet, bounded in frames and in bytes (their
 * JSON). While they wait, a newer {@code session.updated} replaces the waiting one of the same
 * session (it carries the whole summary, so the older one says nothing the newer does not): it
 * goes to the back, so positions stay in order, and counts what it replaced. A new subscription
 * drops what the one before it still had waiting ({@link #dropSubscription}).
 */
final class Outbox {
  /** A waiting frame; {@code coalesced} older updates of the same session were folded into it. */
  static final class Entry {
    final Frame frame;
    final int coalesced;
    /** The size of the text the connection will be sent. */
    private final int bytes;
    private boolean dropped;

    private Entry(Frame frame, int coalesced, int bytes) {
      this.frame = frame;
      this.coalesced = coalesced;
      this.bytes = bytes;
    }
  }

  private final int capacity;
  private final long capacityBytes;
  private final ArrayDeque<Entry> entries = new ArrayDeque<>();
  private final Map<String, Entry> updates = new HashMap<>();
  private int waiting;
  private long waitingBytes;

  Outbox(int capacity, long capacityBytes) {
    this.capacity = capacity;
    this.capacityBytes = capacityBytes;
  }

  /**
   * Queues the frame, whose text for this connection is {@code bytes} long; false when more than the
   * capacity, in frames or bytes, would then wait, even after coalescing.
   */
  boolean offer(Frame frame, int bytes) {
    boolean update = Frame.SESSION_UPDATED.equals(frame.type);
    Entry older = update ? updates.get(frame.sessionId) : null;
    if (older != null) {
      drop(older);
    }
    Entry entry = new Entry(frame, older == null ? 0 : older.coalesced + 1, bytes);
    if (update) {
      updates.put(frame.sessionId, entry);
    }
    entries.add(entry);
    waiting++;
    waitingBytes += bytes;
    // dropped entries stay in the deque until polled; sweep them before they outnumber the live ones
    if (entries.size() > 2 * capacity) {
      entries.removeIf(e -> e.dropped);
    }
    return waiting <= capacity && waitingBytes <= capacityBytes;
  }

  /** The oldest waiting frame, or null. */
  Entry poll() {
    Entry entry = entries.poll();
    while (entry != null && entry.dropped) {
      entry = entries.poll();
    }
    if (entry != null) {
      waiting--;
      waitingBytes -= entry.bytes;
      if (Frame.SESSION_UPDATED.equals(entry.frame.type)) {
        updates.remove(entry.frame.sessionId, entry);
      }
    }
    return entry;
  }

  /** Drops the frames a subscription streamed that still wait (its snapshot, its live frames); answers to the client stay. */
  void dropSubscription() {
    entries.removeIf(e -> {
      if (!e.dropped && e.frame.partOfSubscription()) {
        drop(e);
      }
      return e.dropped;
    });
    updates.clear();
  }

  /** Stops counting the entry; it leaves the deque when polled or swept. */
  private void drop(Entry entry) {
    entry.dropped = true;
    waiting--;
    waitingBytes -= entry.bytes;
  }

  boolean isEmpty() {
    return waiting == 0;
  }

  int size() {
    return waiting;
  }

  long bytes() {
    return waitingBytes;
  }

  void clear() {
    entries.clear();
    updates.clear();
    waiting = 0;
    waitingBytes = 0;
  }
}
