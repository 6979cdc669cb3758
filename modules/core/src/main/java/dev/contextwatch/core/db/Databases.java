package dev.contextwatch.core.db;

import dev.contextwatch.core.config.DatabaseConfig;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** Connection settings derived from the one {@code postgresql://} URL in the configuration. */
public final class Databases {
  private Databases() {}

  public static PgConnectOptions connectOptions(DatabaseConfig config) {
    return PgConnectOptions.fromUri(config.url()).setCachePreparedStatements(true);
  }

  /**
   * One of the {@link DatabasePool}s, sized there; every verticle that reads or writes has its own.
   * Its name is the {@code pool_name} of its {@code vertx_pool_*} series: without one, every pool
   * counted into the same series under the default name.
   */
  public static Pool pool(Vertx vertx, DatabaseConfig config, DatabasePool pool) {
    return PgBuilder.pool()
        .with(new PoolOptions().setName(pool.poolName()).setMaxSize(pool.size(config)).setConnectionTimeout(config.connectTimeoutMs())
            .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS))
        .with(new NetClientOptions().setConnectTimeout(config.connectTimeoutMs()))
        .connectingTo(connectOptions(config))
        .using(vertx)
        .build();
  }

  /**
   * The database refused the data, not the connection: data exceptions (22), integrity violations
   * (23), cardinality (21), program limits such as an index row too large (54). Sending the same
   * data again cannot succeed, so callers isolate it instead of retrying.
   */
  public static boolean refusedData(Throwable cause) {
    return cause instanceof PgException pg && pg.getSqlState() != null && pg.getSqlState().length() >= 2
        && Set.of("21", "22", "23", "54").contains(pg.getSqlState().substring(0, 2));
  }

  /** The JDBC URL Flyway needs, without credentials (they travel separately, never in a log line). */
  public static String jdbcUrl(PgConnectOptions options) {
    return "jdbc:postgresql://" + options.getHost() + ":" + options.getPort() + "/" + options.getDatabase();
  }
}
