package dev.contextwatch.core.db;

import dev.contextwatch.core.config.DatabaseConfig;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.util.concurrent.TimeUnit;

/** Connection settings derived from the one {@code postgresql://} URL in the configuration. */
public final class Databases {
  private Databases() {}

  public static PgConnectOptions connectOptions(DatabaseConfig config) {
    return PgConnectOptions.fromUri(config.url()).setCachePreparedStatements(true);
  }

  /**
   * A pool of {@code maxSize} connections; every verticle that reads or writes has its own. Its
   * {@code name} is the {@code pool_name} of its {@code vertx_pool_*} series: without one, every
   * pool counted into the same series under the default name.
   */
  public static Pool pool(Vertx vertx, DatabaseConfig config, String name, int maxSize) {
    return PgBuilder.pool()
        .with(new PoolOptions().setName(name).setMaxSize(maxSize).setConnectionTimeout(config.connectTimeoutMs())
            .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS))
        .with(new NetClientOptions().setConnectTimeout(config.connectTimeoutMs()))
        .connectingTo(connectOptions(config))
        .using(vertx)
        .build();
  }

  /** The JDBC URL Flyway needs, without credentials (they travel separately, never in a log line). */
  public static String jdbcUrl(PgConnectOptions options) {
    return "jdbc:postgresql://" + options.getHost() + ":" + options.getPort() + "/" + options.getDatabase();
  }
}
