package dev.contextwatch.persistence;

import dev.contextwatch.core.db.Migrations.Owner;
import dev.contextwatch.core.db.Migrations.Rewritten;
import io.vertx.pgclient.PgConnectOptions;
import java.util.List;
import org.flywaydb.core.api.output.MigrateResult;

/** Persistence's migrations (db/persistence, history flyway_schema_history); blocking, so it runs on a worker thread. */
public final class Migrations {
  /**
   * V3 created the checkpoint module's tables too until that module owned them; its text now adds
   * only persistence's column, and a database that applied the old text records the new one's
   * checksum (the tables stay, now the checkpoint module's: its V1 creates them only if missing).
   */
  static final Rewritten V3_WITHOUT_CHECKPOINT_TABLES = new Rewritten("3", -1146093386, "context prediction");

  public static final Owner OWNER = new Owner("persistence", "classpath:db/persistence", "flyway_schema_history",
      List.of(V3_WITHOUT_CHECKPOINT_TABLES));

  private Migrations() {}

  public static MigrateResult apply(PgConnectOptions options) {
    return dev.contextwatch.core.db.Migrations.apply(options, OWNER);
  }
}
