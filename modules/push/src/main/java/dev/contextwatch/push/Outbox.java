package dev.contextwatch.push;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * A connection's frames that its socket did not take yet, bounded. While they wait, a newer
 * {@code session.updated} replaces the waiting one of the same session (it carries the whole
 * summary, so the older one says nothing the newer does not): it goes to the back, so positions
 * stay in order, and counts what it replaced.
 */
final class Outbox {
  /** A waiting frame; {@code coalesced} older updates of the same session were folded into it. */
  static final class Entry {
    final Frame frame;
    final int coalesced;
    private boolean superseded;

    private Entry(Frame frame, int coalesced) {
      this.frame = frame;
      this.coalesced = coalesced;
    }
  }

  private final int capacity;
  private final ArrayDeque<Entry> entries = new ArrayDeque<>();
  private final Map<String, Entry> updates = new HashMap<>();
  private int waiting;

  Outbox(int capacity) {
    this.capacity = capacity;
  }

  /** Queues the frame; false when more than the capacity would then wait, even after coalescing. */
  boolean offer(Frame frame) {
    boolean update = Frame.SESSION_UPDATED.equals(frame.type);
    Entry older = update ? updates.get(frame.sessionId) : null;
    if (older != null) {
      older.superseded = true;
      waiting--;
    }
    Entry entry = new Entry(frame, older == null ? 0 : older.coalesced + 1);
    if (update) {
      updates.put(frame.sessionId, entry);
    }
    entries.add(entry);
    waiting++;
    // superseded entries stay in the deque until polled; sweep them before they outnumber the live ones
    if (entries.size() > 2 * capacity) {
      entries.removeIf(e -> e.superseded);
    }
    return waiting <= capacity;
  }

  /** The oldest waiting frame, or null. */
  Entry poll() {
    Entry entry = entries.poll();
    while (entry != null && entry.superseded) {
      entry = entries.poll();
    }
    if (entry != null) {
      waiting--;
      if (Frame.SESSION_UPDATED.equals(entry.frame.type)) {
        updates.remove(entry.frame.sessionId, entry);
      }
    }
    return entry;
  }

  boolean isEmpty() {
    return waiting == 0;
  }

  int size() {
    return waiting;
  }

  void clear() {
    entries.clear();
    updates.clear();
    waiting = 0;
  }
}
