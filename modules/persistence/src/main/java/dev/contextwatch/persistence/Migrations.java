package dev.contextwatch.persistence;

import dev.contextwatch.core.db.Databases;
import io.vertx.pgclient.PgConnectOptions;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Applies the SQL migrations under db/migration; blocking, so it runs on a worker thread. */
public final class Migrations {
  private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);

  private Migrations() {}

  public static MigrateResult apply(PgConnectOptions options) {
    MigrateResult result = Flyway.configure()
        .dataSource(Databases.jdbcUrl(options), options.getUser(), options.getPassword())
        .locations("classpath:db/migration")
        .connectRetries(0)
        .load()
        .migrate();
    LOG.info("event=migrations_applied applied={} schema_version={}", result.migrationsExecuted,
        result.targetSchemaVersion == null ? "current" : result.targetSchemaVersion);
    return result;
  }
}
