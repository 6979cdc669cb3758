package dev.contextwatch.loadtest;

import dev.contextwatch.app.EmbeddedDatabase;
import dev.contextwatch.app.Pipeline;
import dev.contextwatch.core.config.ConfigLoader;
import dev.contextwatch.core.config.ContextwatchConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A whole pipeline in this JVM, on its own Vert.x, writing to the pipeline's own embedded
 * PostgreSQL 17 (started as contextwatch starts it: durable, with a password) in a temporary
 * directory that is deleted afterwards. The configuration is the pipeline's bundled
 * defaults (or {@code --pipeline-config}) and CONTEXTWATCH_* variables, with the database,
 * loopback addresses and free ports put over it. The receiver gets an explicit free port: with port 0 the
 * pipeline would run a single receiver instance, which is not what a deployment runs.
 */
final class EmbeddedTarget implements Target {
  private static final int FIRST_CHOSEN_PORT = 20_000;
  private static final int CHOSEN_PORTS = 12_000;
  private static final Random RANDOM = new Random();
  private final Path dataDir;
  private final EmbeddedDatabase postgres;
  private final Vertx vertx;
  private final Pipeline pipeline;
  private final String databaseUrl;
  private final ContextwatchConfig config;

  private EmbeddedTarget(Path dataDir, EmbeddedDatabase postgres, Vertx vertx, Pipeline pipeline, String databaseUrl,
      ContextwatchConfig config) {
    this.dataDir = dataDir;
    this.postgres = postgres;
    this.vertx = vertx;
    this.pipeline = pipeline;
    this.databaseUrl = databaseUrl;
    this.config = config;
  }

  static EmbeddedTarget start(Options options) throws Exception {
    Path dataDir = Files.createTempDirectory("contextwatch-loadtest-pg");
    EmbeddedDatabase postgres = EmbeddedDatabase.start(dataDir.resolve("pg"), 0);
    String url = postgres.url();
    ContextwatchConfig config = ConfigLoader.load(configFile(options), environment(options, url));
    Vertx vertx = Vertx.vertx();
    try {
      Pipeline pipeline = await(Pipeline.start(vertx, config), 120);
      return new EmbeddedTarget(dataDir, postgres, vertx, pipeline, url, config);
    } catch (Exception e) {
      vertx.close();
      postgres.close();
      deleteTree(dataDir);
      throw e;
    }
  }

  /**
   * {@code --pipeline-config}, else the defaults bundled with the pipeline: not ./config/contextwatch.json,
   * which belongs to whatever checkout the load test happens to run in.
   */
  static Path configFile(Options options) throws IOException {
    if (options.pipelineConfig != null) {
      return options.pipelineConfig;
    }
    Path defaults = Files.createTempFile("contextwatch-defaults", ".json");
    defaults.toFile().deleteOnExit();
    Files.writeString(defaults, ConfigLoader.bundledDefaults().encodePrettily());
    return defaults;
  }

  /** The CONTEXTWATCH_* variables with this run's database, addresses and tokens put over them. */
  private static Map<String, String> environment(Options options, String databaseUrl) throws IOException {
    Map<String, String> env = pipelineEnvironment(options, freePort(), 0);
    env.put(ConfigLoader.envName("pgUrl"), databaseUrl);
    return env;
  }

  /**
   * The CONTEXTWATCH_* variables of this process with loopback addresses, the given ports (no gRPC)
   * and the run's tokens put over them: for a pipeline in this JVM or in a child.
   */
  static Map<String, String> pipelineEnvironment(Options options, int otlpHttpPort, int apiPort) {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put(ConfigLoader.envName("otlpHttpHost"), "127.0.0.1");
    env.put(ConfigLoader.envName("otlpHttpPort"), Integer.toString(otlpHttpPort));
    env.put(ConfigLoader.envName("otlpGrpcPort"), "0");
    env.put(ConfigLoader.envName("apiHost"), "127.0.0.1");
    env.put(ConfigLoader.envName("apiPort"), Integer.toString(apiPort));
    if (options.receiverInstances > 0) {
      env.put(ConfigLoader.envName("receiverInstances"), Integer.toString(options.receiverInstances));
    }
    if (options.token != null) {
      env.put(ConfigLoader.envName("ingestToken"), options.token);
    }
    if (options.apiToken != null) {
      env.put(ConfigLoader.envName("apiToken"), options.apiToken);
    }
    if (options.adminToken != null) {
      env.put(ConfigLoader.envName("adminToken"), options.adminToken);
    }
    return env;
  }

  /**
   * A port free now, below Linux's ephemeral range (32768 and up): a port is chosen here but bound
   * later by a child JVM, and meanwhile every outgoing connection and every port-0 listener (the
   * clustered event bus) of the running nodes takes ephemeral ports, which could be this one.
   */
  static int freePort() throws IOException {
    for (int attempt = 0; attempt < 200; attempt++) {
      int port = FIRST_CHOSEN_PORT + RANDOM.nextInt(CHOSEN_PORTS);
      try (ServerSocket socket = new ServerSocket(port)) {
        return socket.getLocalPort();
      } catch (IOException taken) {
        // in use: try another
      }
    }
    throw new IOException("no free port between " + FIRST_CHOSEN_PORT + " and " + (FIRST_CHOSEN_PORT + CHOSEN_PORTS));
  }

  @Override
  public List<URI> otlp() {
    return List.of(URI.create("http://127.0.0.1:" + pipeline.otlpHttpPort()));
  }

  @Override
  public List<URI> api() {
    return List.of(URI.create("http://127.0.0.1:" + pipeline.apiPort()));
  }

  @Override
  public String databaseUrl() {
    return databaseUrl;
  }

  @Override
  public String describe() {
    return "embedded pipeline (" + config.receiver().instances() + " receiver instances, pool " + config.database().poolSize()
        + ", writer " + config.writer() + ") on embedded PostgreSQL " + postgres.port();
  }

  /** Stops the pipeline but keeps the database, for the ceiling, which writes there without it. */
  @Override
  public String ceilingServer() throws Exception {
    await(pipeline.stop(), 60);
    return databaseUrl;
  }

  @Override
  public Processes processes() {
    long self = ProcessHandle.current().pid();
    return new Processes(self, List.of(self), Optional.of(postgres.dataDir()));
  }

  ContextwatchConfig config() {
    return config;
  }

  @Override
  public void close() throws Exception {
    try {
      await(pipeline.stop().recover(e -> Future.succeededFuture()), 60);
      await(vertx.close(), 60);
    } finally {
      postgres.close();
      deleteTree(dataDir);
    }
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  static <T> T await(Future<T> future, long seconds) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
  }
}
