package dev.contextwatch.loadtest;

/**
 * Stops what a run started (child JVMs, a PostgreSQL server) when the JVM exits first, on Ctrl-C,
 * and stands down once the run stopped them itself: whichever comes first stops them, once. The
 * owner's close stays synchronized, so that the hook waits for a close under way before the JVM exits.
 */
final class ExitHook {
  private final Thread thread;
  private boolean done;

  /** {@code stop} runs at exit unless {@link #standDown} was called first; arm with {@link #arm}. */
  ExitHook(String name, Runnable stop) {
    this.thread = new Thread(stop, name);
  }

  void arm() {
    Runtime.getRuntime().addShutdownHook(thread);
  }

  /** True the first time only, for the caller to stop what it started; later calls (the hook's own included) get false. */
  synchronized boolean standDown() {
    if (done) {
      return false;
    }
    done = true;
    try {
      Runtime.getRuntime().removeShutdownHook(thread);
    } catch (IllegalStateException shuttingDown) {
      // called from the hook itself, or never armed
    }
    return true;
  }
}
