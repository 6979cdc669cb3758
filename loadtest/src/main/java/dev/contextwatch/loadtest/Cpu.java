package dev.contextwatch.loadtest;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * CPU time of the run's processes over the sending phase, from {@code /proc/<pid>/stat} (utime +
 * stime): the generator's JVM, the pipeline's (the same with --embedded) and PostgreSQL's (the
 * postmaster named in its data directory's {@code postmaster.pid} and its children, found by
 * their parent pid), with the machine's busy time from {@code /proc/stat} and its load average. A
 * process that starts while sending counts from its start; one that ends before the phase does
 * is not counted (the pipeline's connections are pooled, so PostgreSQL's backends live through it).
 */
final class Cpu {
  /** {@code sysconf(_SC_CLK_TCK)}: 100 on Linux for every architecture Java runs on. */
  private static final double TICKS_PER_SECOND = 100;
  private static final Path PROC = Path.of("/proc");

  /** One group of processes: how many were counted and the cores they used on average. */
  record Usage(String name, int processes, double cores) {}

  /** What the sending phase used: per group, the machine as a whole (busy cores of {@code cores}), and the load average. */
  record Result(List<Usage> usage, double machineBusyCores, int cores, double loadAverageAtStart, double loadAverageAtEnd,
      double seconds) {
    double cores(String name) {
      return usage.stream().filter(u -> u.name().equals(name)).mapToDouble(Usage::cores).sum();
    }
  }

  /** Ticks of every process of each group, of the machine, and when. */
  record Snapshot(Map<String, Map<Long, Long>> groups, long machineBusy, long nanos, double loadAverage) {}

  /** Asked at each snapshot: nodes may have been killed, restarted or added in between. */
  private final Supplier<Target.Processes> processesNow;

  Cpu(Supplier<Target.Processes> processesNow) {
    this.processesNow = processesNow;
  }

  /** The figures now; empty without {@code /proc}. */
  Optional<Snapshot> snapshot() {
    if (!Files.isDirectory(PROC.resolve("self"))) {
      return Optional.empty();
    }
    Map<String, Map<Long, Long>> groups = new LinkedHashMap<>();
    Target.Processes processes = processesNow.get();
    boolean oneJvm = processes.pipelines().equals(List.of(processes.generator()));
    groups.put(oneJvm ? "generator+pipeline" : "generator", ticks(List.of(processes.generator())));
    if (!processes.pipelines().isEmpty() && !oneJvm) {
      groups.put("pipeline", ticks(processes.pipelines()));
    }
    processes.postgresDataDir().ifPresent(dir -> groups.put("postgres", ticks(postgres(dir))));
    return Optional.of(new Snapshot(groups, machineBusy(), System.nanoTime(), loadAverage()));
  }

  static Result between(Snapshot start, Snapshot end) {
    double seconds = (end.nanos() - start.nanos()) / 1e9;
    List<Usage> usage = new ArrayList<>();
    end.groups().forEach((name, ticks) -> {
      Map<Long, Long> before = start.groups().getOrDefault(name, Map.of());
      long used = ticks.entrySet().stream().mapToLong(e -> e.getValue() - before.getOrDefault(e.getKey(), 0L)).sum();
      usage.add(new Usage(name, ticks.size(), used / TICKS_PER_SECOND / seconds));
    });
    return new Result(usage, (end.machineBusy() - start.machineBusy()) / TICKS_PER_SECOND / seconds,
        Runtime.getRuntime().availableProcessors(), start.loadAverage(), end.loadAverage(), seconds);
  }

  static double loadAverage() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  /** The postmaster named in {@code dataDir/postmaster.pid} and its children. */
  private static List<Long> postgres(Path dataDir) {
    try {
      Optional<ProcessHandle> postmaster = SpawnedTarget.postmaster(dataDir);
      if (postmaster.isEmpty()) {
        return List.of();
      }
      long pid = postmaster.get().pid();
      List<Long> pids = new ArrayList<>(List.of(pid));
      try (Stream<Path> all = Files.list(PROC)) {
        all.map(p -> p.getFileName().toString()).filter(n -> n.chars().allMatch(Character::isDigit)).map(Long::parseLong)
            .filter(p -> stat(p).map(fields -> Long.parseLong(fields[1]) == pid).orElse(false))
            .forEach(pids::add);
      }
      return pids;
    } catch (IOException e) {
      return List.of();
    }
  }

  private static Map<Long, Long> ticks(List<Long> pids) {
    Map<Long, Long> ticks = new HashMap<>();
    for (long pid : pids) {
      stat(pid).ifPresent(fields -> ticks.put(pid, Long.parseLong(fields[11]) + Long.parseLong(fields[12])));
    }
    return ticks;
  }

  /**
   * The fields of {@code /proc/<pid>/stat} after the command name (which may hold spaces and
   * parentheses): index 0 is the state, 1 the parent pid, 11 utime, 12 stime.
   */
  private static Optional<String[]> stat(long pid) {
    try {
      String line = Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"));
      return Optional.of(line.substring(line.lastIndexOf(')') + 2).trim().split(" "));
    } catch (IOException | RuntimeException gone) {
      return Optional.empty();
    }
  }

  /** Ticks the machine's cores spent on anything but idle and I/O wait since boot. */
  private static long machineBusy() {
    try {
      String[] cpu = Files.readAllLines(PROC.resolve("stat")).get(0).trim().split("\\s+");
      long busy = 0;
      for (int i = 1; i <= 8 && i < cpu.length; i++) {
        busy += i == 4 || i == 5 ? 0 : Long.parseLong(cpu[i]);
      }
      return busy;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }
}
