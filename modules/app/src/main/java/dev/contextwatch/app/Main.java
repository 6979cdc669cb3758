package dev.contextwatch.app;

import dev.contextwatch.core.config.ConfigException;
import dev.contextwatch.core.config.ConfigLoader;
import dev.contextwatch.core.config.ContextwatchConfig;
import dev.contextwatch.core.metrics.Meters;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts contextwatch: configuration, database, verticles; stops them cleanly on SIGTERM. */
public final class Main {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);
  private static final String USAGE = """
      usage: contextwatch [--config FILE]
             contextwatch report daily|weekly|monthly|session|project|model [options] (--help for them)

        --config FILE   JSON configuration (default: ./config/contextwatch.json when present)

      Every key can also be set with an environment variable: pgUrl is CONTEXTWATCH_PG_URL.
      See docs/configuration.md. Cluster mode (several nodes, one PostgreSQL): clusterEnabled,
      clusterHost, clusterPort and clusterMembers; see docs/cluster.md.
      """;

  private Main() {}

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("report")) {
      // a client of a running instance's API: no configuration, database or pipeline
      System.exit(new ReportCommand(System.out, System.err).run(List.of(args).subList(1, args.length), System.getenv()));
    }
    ContextwatchConfig config;
    try {
      config = ConfigLoader.load(configFile(args), System.getenv());
    } catch (ConfigException e) {
      System.err.println("contextwatch: " + e.getMessage());
      System.exit(2);
      return;
    }
    try {
      run(config);
    } catch (Exception e) {
      LOG.error("event=start_failed reason=\"{}\"", e.getMessage(), e);
      System.exit(1);
    }
  }

  private static Path configFile(String[] args) {
    Path file = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--config" -> {
          if (i + 1 == args.length) {
            throw new ConfigException("--config needs a file name");
          }
          file = Path.of(args[++i]);
        }
        case "-h", "--help" -> {
          System.out.print(USAGE);
          System.exit(0);
        }
        default -> throw new ConfigException("unknown argument '" + args[i] + "'\n" + USAGE);
      }
    }
    return file;
  }

  private static void run(ContextwatchConfig config) throws Exception {
    Database database = Database.open(config.database());
    Vertx vertx;
    try {
      vertx = await(vertx(config), config.shutdownTimeoutMs() * 4L);
    } catch (Exception e) {
      database.close();
      throw e;
    }
    Pipeline pipeline;
    try {
      pipeline = await(Pipeline.start(vertx, config.withDatabase(config.database().withUrl(database.url()))),
          config.shutdownTimeoutMs() * 4L);
    } catch (Exception e) {
      await(vertx.close(), config.shutdownTimeoutMs());
      database.close();
      throw e;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> shutdown(config, vertx, pipeline, database), "contextwatch-shutdown"));
    LOG.info("event=contextwatch_ready dashboard={} otlp_http_port={} otlp_grpc_port={} api_port={}",
        config.api().dashboardUrl(pipeline.apiPort()), pipeline.otlpHttpPort(), pipeline.otlpGrpcPort(), pipeline.apiPort());
  }

  /** One node as before cluster mode unless it is on: then a clustered Vert.x that joined the others (no Hazelcast class is loaded otherwise). */
  static Future<Vertx> vertx(ContextwatchConfig config) {
    if (!config.cluster().enabled()) {
      return Future.succeededFuture(Vertx.vertx(Meters.vertxOptions()));
    }
    if (config.database().embedded()) {
      LOG.warn("event=cluster_embedded_database reason=\"each node's embedded PostgreSQL is its own: nodes of one cluster must share"
          + " one database (pgUrl), see docs/cluster.md\"");
    }
    return ClusterNode.start(config.cluster(), config.shutdownTimeoutMs(), Meters.vertxOptions());
  }

  private static void shutdown(ContextwatchConfig config, Vertx vertx, Pipeline pipeline, Database database) {
    LOG.info("event=shutdown_started");
    try {
      await(pipeline.stop(), config.shutdownTimeoutMs());
    } catch (Exception e) {
      LOG.warn("event=shutdown_incomplete reason=\"{}\"", e.getMessage());
    }
    try {
      // a clustered Vert.x leaves the cluster here, handing its partitions over, before the database closes
      await(vertx.close(), config.shutdownTimeoutMs());
      if (vertx.isClustered()) {
        LOG.info("event=cluster_left");
      }
      database.close();
    } catch (Exception e) {
      LOG.warn("event=shutdown_incomplete reason=\"{}\"", e.getMessage());
    }
    LOG.info("event=shutdown_complete");
  }

  private static <T> T await(Future<T> future, long timeoutMs) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(timeoutMs, TimeUnit.MILLISECONDS);
  }
}
