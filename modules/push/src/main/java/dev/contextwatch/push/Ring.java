package dev.contextwatch.push;

import java.util.function.Consumer;

/**
 * The last live frames, for clients that resume. Positions are consecutive, so the frames after
 * a position are all held exactly when that position is no older than the oldest frame's predecessor.
 */
final class Ring {
  private final Frame[] frames;
  private int oldest;
  private int size;

  Ring(int capacity) {
    frames = new Frame[capacity];
  }

  void add(Frame frame) {
    int slot = (oldest + size) % frames.length;
    frames[slot] = frame;
    if (size < frames.length) {
      size++;
    } else {
      oldest = (oldest + 1) % frames.length;
    }
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
