package dev.contextwatch.loadtest;

import dev.contextwatch.app.EmbeddedDatabase;
import dev.contextwatch.core.config.ConfigLoader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * {@code --nodes N}: ONE PostgreSQL (the app's embedded server, durable, in a temporary directory,
 * in this JVM) and N packaged pipelines, each in a JVM of its own on free loopback ports, all
 * pointed at it ({@code CONTEXTWATCH_PG_URL}, so none starts a database of its own). With
 * {@code --cluster} each node also gets the cluster keys with every node as a member; with
 * {@code --webhook-sink} each delivers its webhooks to the {@link WebhookSink}. Node 1 starts
 * first (it migrates the database), the others then together. During the run
 * ({@link #startFaults}) a node can be SIGKILLed, started again on the same ports, and one more
 * node can join. Every node is stopped on {@link #close} and, for Ctrl-C, from a shutdown hook.
 * Node K's output goes to {@code node-K.log} in {@code --out} (appended across restarts).
 */
final class SpawnedNodes implements Target {
  /** One node: its number (1 ..), its ports and its JVM. */
  record Node(int number, URI otlp, URI api, int clusterPort, PipelineProcess process) {}

  /** Something that happened to a node, seconds after sending started. */
  record Event(double atSeconds, int node, String what) {
    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%.1f s: node %d %s", atSeconds, node, what);
    }
  }

  /** How long a node waits for a database connection, unless CONTEXTWATCH_PG_CONNECT_TIMEOUT_MS says otherwise. */
  private static final Duration NODE_CONNECT_TIMEOUT = Duration.ofSeconds(30);

  private final Options options;
  private final Path dir;
  private final EmbeddedDatabase postgres;
  private final WebhookSink sink;
  /** Every node started so far, the one that joined included. */
  private final List<Node> nodes = new CopyOnWriteArrayList<>();
  private final Node joiner;
  private final List<Event> events = Collections.synchronizedList(new ArrayList<>());
  private final ExitHook stopOnExit = new ExitHook("loadtest-stop-nodes", this::stopQuietly);
  private volatile long sendingStartedNanos = System.nanoTime();
  private Thread faults;
  private volatile Exception faultFailure;

  private SpawnedNodes(Options options, Path dir, EmbeddedDatabase postgres, WebhookSink sink, List<Node> planned) {
    this.options = options;
    this.dir = dir;
    this.postgres = postgres;
    this.sink = sink;
    this.nodes.addAll(planned.subList(0, options.nodes));
    this.joiner = planned.size() > options.nodes ? planned.get(options.nodes) : null;
  }

  static SpawnedNodes start(Options options) throws Exception {
    List<String> command = PipelineProcess.command(options);
    Path dir = Files.createTempDirectory("contextwatch-loadtest-nodes");
    EmbeddedDatabase postgres = null;
    WebhookSink sink = null;
    SpawnedNodes target;
    try {
      postgres = EmbeddedDatabase.start(dir.resolve("pg"), 0);
      sink = options.webhookSink ? WebhookSink.start() : null;
      target = new SpawnedNodes(options, dir, postgres, sink, plan(options, command, dir, postgres.url(), sink));
    } catch (Exception e) {
      if (sink != null) {
        sink.close();
      }
      if (postgres != null) {
        postgres.close();
      }
      EmbeddedTarget.deleteTree(dir);
      throw e;
    }
    target.stopOnExit.arm();
    try {
      target.startAll();
      return target;
    } catch (Exception e) {
      target.close();
      throw e;
    }
  }

  /** The nodes of the run and the one that joins later (if --join-at), with their ports and environments. */
  private static List<Node> plan(Options options, List<String> command, Path dir, String databaseUrl, WebhookSink sink)
      throws Exception {
    int count = options.nodes + (options.joinAt != null ? 1 : 0);
    List<int[]> ports = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ports.add(new int[] {EmbeddedTarget.freePort(), EmbeddedTarget.freePort(), EmbeddedTarget.freePort()});
    }
    String members = ports.stream().map(p -> "127.0.0.1:" + p[2]).collect(Collectors.joining(","));
    List<Node> planned = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int[] p = ports.get(i);
      Map<String, String> env = EmbeddedTarget.pipelineEnvironment(options, p[0], p[1]);
      env.put(ConfigLoader.envName("pgUrl"), databaseUrl);
      // a node started mid-run opens its pools while the others keep the machine busy: connecting may take longer than 3 s
      env.putIfAbsent(ConfigLoader.envName("pgConnectTimeoutMs"), Long.toString(NODE_CONNECT_TIMEOUT.toMillis()));
      if (options.cluster) {
        env.put(ConfigLoader.envName("clusterEnabled"), "true");
        env.put(ConfigLoader.envName("clusterHost"), "127.0.0.1");
        env.put(ConfigLoader.envName("clusterPort"), Integer.toString(p[2]));
        env.put(ConfigLoader.envName("clusterMembers"), members);
      }
      if (sink != null) {
        env.put(ConfigLoader.envName("webhooks"), sink.endpoints());
        // a delivery that failed is tried again within seconds, so the outbox drains before the check's deadline
        env.put(ConfigLoader.envName("webhookBackoffBaseMs"), "1000");
      }
      Path workDir = Files.createDirectories(dir.resolve("node-" + (i + 1)));
      Path log = options.out.resolve("node-" + (i + 1) + ".log");
      Files.deleteIfExists(log);
      URI api = URI.create("http://127.0.0.1:" + p[1]);
      planned.add(new Node(i + 1, URI.create("http://127.0.0.1:" + p[0]), api, p[2], new PipelineProcess(command, env, workDir, log, api)));
    }
    return planned;
  }

  /** Node 1 alone (it creates the schema), then the others together; each until its /ready answers 200. */
  private void startAll() throws Exception {
    Node first = nodes.get(0);
    first.process().start();
    first.process().awaitReady();
    List<Node> rest = nodes.subList(1, nodes.size());
    for (Node node : rest) {
      node.process().start();
    }
    for (Node node : rest) {
      node.process().awaitReady();
    }
  }

  WebhookSink webhookSink() {
    return sink;
  }

  @Override
  public Optional<SpawnedNodes> nodes() {
    return Optional.of(this);
  }

  // ---- during the run ----

  /**
   * Sending starts now: from here the faults the options ask for happen, each at its share of
   * {@code --duration}, one after the other on a thread of their own; {@code joined} is told the
   * OTLP URL of a node that joined once it is ready.
   */
  void startFaults(Consumer<URI> joined) {
    sendingStartedNanos = System.nanoTime();
    List<Fault> plan = new ArrayList<>();
    if (options.killAt != null) {
      plan.add(new Fault(options.killAt, () -> kill(node(options.killNode))));
      if (options.restartAt != null) {
        plan.add(new Fault(options.restartAt, () -> restart(node(options.killNode))));
      }
    }
    if (joiner != null) {
      plan.add(new Fault(options.joinAt, () -> joined.accept(join())));
    }
    plan.sort((a, b) -> Double.compare(a.share, b.share));
    faults = new Thread(() -> run(plan), "loadtest-faults");
    faults.setDaemon(true);
    faults.start();
  }

  private interface Action {
    void run() throws Exception;
  }

  private record Fault(double share, Action action) {}

  private void run(List<Fault> plan) {
    try {
      for (Fault fault : plan) {
        long at = sendingStartedNanos + (long) (fault.share * options.duration.toNanos());
        long wait = (at - System.nanoTime()) / 1_000_000;
        if (wait > 0) {
          Thread.sleep(wait);
        }
        fault.action.run();
      }
    } catch (Exception e) {
      faultFailure = e;
      event(0, "fault failed: " + e.getMessage());
    }
  }

  /** Whether a fault is still under way: a node being started again or joining is not ready yet. */
  boolean faultsUnderWay() {
    return faults != null && faults.isAlive();
  }

  /** Waits for the faults still under way (a restart waits for its node to be ready); throws when one failed. */
  void awaitFaults() throws Exception {
    if (faults != null) {
      faults.join(PipelineProcess.START_TIMEOUT.toMillis() + 60_000);
    }
    if (faultFailure != null) {
      throw faultFailure;
    }
  }

  private Node node(int number) {
    return nodes.stream().filter(n -> n.number() == number).findFirst().orElseThrow();
  }

  private void kill(Node node) throws Exception {
    event(node.number(), "SIGKILL (pid " + node.process().pid() + ")");
    node.process().kill();
    event(node.number(), "gone");
  }

  private void restart(Node node) throws Exception {
    event(node.number(), "started again on the same ports");
    node.process().start();
    node.process().awaitReady();
    event(node.number(), "ready (pid " + node.process().pid() + ")");
  }

  private URI join() throws Exception {
    event(joiner.number(), "joining");
    nodes.add(joiner);
    joiner.process().start();
    joiner.process().awaitReady();
    event(joiner.number(), "ready (pid " + joiner.process().pid() + "); sessions are spread over it from now on");
    return joiner.otlp();
  }

  private void event(int node, String what) {
    Event event = new Event((System.nanoTime() - sendingStartedNanos) / 1e9, node, what);
    events.add(event);
    System.out.println("[loadtest] " + event);
  }

  List<Event> events() {
    synchronized (events) {
      return List.copyOf(events);
    }
  }

  // ---- Target ----

  @Override
  public List<URI> otlp() {
    return nodes.subList(0, options.nodes).stream().map(Node::otlp).toList();
  }

  @Override
  public List<URI> api() {
    return nodes.subList(0, options.nodes).stream().map(Node::api).toList();
  }

  /** The API of the first node that is up. */
  @Override
  public URI queryApi() {
    return nodes.stream().filter(n -> n.process().alive()).findFirst().orElse(nodes.get(0)).api();
  }

  @Override
  public String databaseUrl() {
    return postgres.url();
  }

  @Override
  public String describe() {
    return nodes.size() + " pipeline nodes in JVMs of their own (" + (options.cluster ? "cluster mode" : "not clustered")
        + (options.pipelineJvmOpts.isBlank() ? "" : ", " + options.pipelineJvmOpts.trim()) + ") on one embedded PostgreSQL (port "
        + postgres.port() + ", data directory " + postgres.dataDir() + "); OTLP " + Target.urls(otlp()) + ", API " + Target.urls(api());
  }

  /** Stops every node; the database, which runs in this JVM, stays for the ceiling. */
  @Override
  public String ceilingServer() throws Exception {
    stopNodes();
    return postgres.url();
  }

  @Override
  public Processes processes() {
    return new Processes(ProcessHandle.current().pid(),
        nodes.stream().filter(n -> n.process().alive()).map(n -> n.process().pid()).toList(), Optional.of(postgres.dataDir()));
  }

  @Override
  public synchronized void close() throws Exception {
    if (!stopOnExit.standDown()) {
      return;
    }
    try {
      stopNodes();
    } finally {
      try {
        if (sink != null) {
          sink.close();
        }
        postgres.close();
      } finally {
        EmbeddedTarget.deleteTree(dir);
      }
    }
  }

  private void stopNodes() throws Exception {
    Exception first = null;
    for (Node node : nodes) {
      try {
        node.process().stop();
      } catch (Exception e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
  }

  private void stopQuietly() {
    try {
      close();
    } catch (Exception e) {
      System.err.println("contextwatch-loadtest: stopping the nodes: " + e);
    }
  }
}
