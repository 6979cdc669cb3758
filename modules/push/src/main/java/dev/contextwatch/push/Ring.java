package dev.contextwatch.push;

import java.util.function.Consumer;

/**
 * The last live frames, for clients that resume, bounded both in frames and in bytes (the frames'
 * JSON): the oldest go first when either bound is passed; a frame larger than the byte bound on
 * its own is not kept, and nothing older then is either. Positions are consecutive, so the frames
 * after a position are all held exactly when that position is no older than the oldest frame's
 * predecessor.
 */
final class Ring {
  private final Frame[] frames;
  private final long maxBytes;
  private int oldest;
  private int size;
  private long bytes;

  Ring(int capacity, long maxBytes) {
    this.frames = new Frame[capacity];
    this.maxBytes = maxBytes;
  }

  void add(Frame frame) {
    if (frame.heldBytes() > maxBytes) {
      // no resume can cross it: hold nothing older either
      while (size > 0) {
        dropOldest();
      }
      return;
    }
    if (size == frames.length) {
      dropOldest();
    }
    frames[(oldest + size) % frames.length] = frame;
    size++;
    bytes += frame.heldBytes();
    while (bytes > maxBytes) {
      dropOldest();
    }
  }

  private void dropOldest() {
    bytes -= frames[oldest].heldBytes();
    frames[oldest] = null;
    oldest = (oldest + 1) % frames.length;
    size--;
  }

  /** The bytes of the frames held. */
  long bytes() {
    return bytes;
  }

  int size() {
    return size;
  }

  /** Whether every frame after {@code position} up to {@code current}, the latest position given out, is held. */
  boolean covers(long position, long current) {
    long firstHeld = size == 0 ? current + 1 : frames[oldest].position;
    return position <= current && position >= firstHeld - 1;
  }

  /** The frames after {@code position}, oldest first; call only when {@link #covers} said so. */
  void forEachAfter(long position, Consumer<Frame> action) {
    if (size == 0) {
      return;
    }
    long skip = Math.max(0, position + 1 - frames[oldest].position);
    for (long i = skip; i < size; i++) {
      action.accept(frames[(int) ((oldest + i) % frames.length)]);
    }
  }
}
