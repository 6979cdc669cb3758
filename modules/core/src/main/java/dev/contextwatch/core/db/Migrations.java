package dev.contextwatch.core.db;

import io.vertx.pgclient.PgConnectOptions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one Flyway runner: each module that owns tables applies its own migrations with it, from its
 * own classpath location and into its own history table, so no module's history names another's
 * tables. Blocking, so it runs on a worker thread.
 */
public final class Migrations {
  private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);

  private Migrations() {}

  /**
   * One owner's migrations. {@code rewritten} lists migrations whose text was changed on purpose
   * after databases had applied them (see {@link Rewritten}).
   */
  public record Owner(String owner, String location, String historyTable, List<Rewritten> rewritten) {
    public Owner {
      rewritten = List.copyOf(rewritten);
    }
  }

  /**
   * An applied migration whose text was later changed on purpose: a database that recorded it with
   * {@code appliedChecksum} (the old text's) gets the new text's checksum and {@code description}
   * (from its new file name) recorded instead, so that validation accepts it. Any other checksum still fails validation, as an edited migration should.
   */
  public record Rewritten(String version, int appliedChecksum, String description) {}

  /**
   * Applies {@code owner}'s pending migrations. Each owner's history starts at a baseline of 0 when
   * the schema already holds another owner's tables (the owners migrate one after the other into
   * the same schema), so every owner's V1 still runs.
   */
  public static MigrateResult apply(PgConnectOptions options, Owner owner) {
    Flyway flyway = flyway(options, owner);
    acceptRewritten(flyway, owner);
    MigrateResult result = flyway.migrate();
    LOG.info("event=migrations_applied owner={} applied={} schema_version={}", owner.owner(), result.migrationsExecuted,
        result.targetSchemaVersion == null ? "current" : result.targetSchemaVersion);
    return result;
  }

  /** Flyway as {@link #apply} runs it for {@code owner}: its location, its history table. */
  public static Flyway flyway(PgConnectOptions options, Owner owner) {
    return Flyway.configure()
        .dataSource(Databases.jdbcUrl(options), options.getUser(), options.getPassword())
        .locations(owner.location())
        .table(owner.historyTable())
        .baselineOnMigrate(true)
        .baselineVersion("0")
        .connectRetries(0)
        .load();
  }

  private static void acceptRewritten(Flyway flyway, Owner owner) {
    if (owner.rewritten().isEmpty()) {
      return;
    }
    MigrationInfo[] known = flyway.info().all();
    for (Rewritten rewritten : owner.rewritten()) {
      for (MigrationInfo info : known) {
        if (info.getVersion() != null && info.getVersion().getVersion().equals(rewritten.version())
            && Integer.valueOf(rewritten.appliedChecksum()).equals(info.getAppliedChecksum()) && info.getResolvedChecksum() != null) {
          recordRewritten(flyway, owner, rewritten, info);
        }
      }
    }
  }

  private static void recordRewritten(Flyway flyway, Owner owner, Rewritten rewritten, MigrationInfo resolved) {
    String sql = "UPDATE " + owner.historyTable() + " SET checksum = ?, description = ? WHERE version = ? AND checksum = ?";
    try (Connection c = flyway.getConfiguration().getDataSource().getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
      s.setInt(1, resolved.getResolvedChecksum());
      s.setString(2, rewritten.description());
      s.setString(3, rewritten.version());
      s.setInt(4, rewritten.appliedChecksum());
      s.executeUpdate();
      LOG.info("event=migration_rewritten owner={} version={}", owner.owner(), rewritten.version());
    } catch (SQLException e) {
      throw new IllegalStateException("cannot record the new checksum of " + owner.owner() + " migration " + rewritten.version(), e);
    }
  }
}
