package dev.contextwatch.checkpoint;

import dev.contextwatch.core.db.Migrations;
import io.vertx.pgclient.PgConnectOptions;
import java.util.List;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * The checkpoint module's migrations (db/checkpoint, history flyway_checkpoint_history): its
 * tables and the read models it publishes. Applied after persistence's, whose published sessions
 * view its own views read. Blocking, so it runs on a worker thread.
 */
public final class CheckpointMigrations {
  public static final Migrations.Owner OWNER = new Migrations.Owner("checkpoint", "classpath:db/checkpoint",
      "flyway_checkpoint_history", List.of());

  private CheckpointMigrations() {}

  public static MigrateResult apply(PgConnectOptions options) {
    return Migrations.apply(options, OWNER);
  }
}
