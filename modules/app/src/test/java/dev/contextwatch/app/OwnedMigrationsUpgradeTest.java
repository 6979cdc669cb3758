package dev.contextwatch.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.checkpoint.CheckpointMigrations;
import dev.contextwatch.core.db.Migrations;
import dev.contextwatch.testkit.TestDatabase;
import io.vertx.pgclient.PgConnectOptions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.ValidateResult;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Databases migrated before each module owned its tables (persistence's V1–V5, kept in test
 * resources under db/before-ownership) upgrade to one history per owner and keep every row.
 */
class OwnedMigrationsUpgradeTest {
  private static final List<Migrations.Owner> OWNERS =
      List.of(dev.contextwatch.persistence.Migrations.OWNER, CheckpointMigrations.OWNER);

  @Test
  @DisplayName("a database migrated by the old V1–V5 upgrades: both owners' histories validate and every row of every table is intact")
  void upgradesKeepingRows() throws Exception {
    String url = TestDatabase.newDatabase();
    PgConnectOptions options = PgConnectOptions.fromUri(url);
    Flyway.configure().dataSource(jdbc(options), options.getUser(), options.getPassword())
        .locations("classpath:db/before-ownership").load().migrate();
    insertRows(url);

    migrateEveryOwner(options);

    assertThat(validate(options)).isEmpty();
    assertThat(rows(url)).containsExactly(
        "session-1|4.5|1", "session-1|warning|2", "session-1|warning|[{\"tokens\": 150000}]", "pending|context.warning|3");
    assertThat(history(url, "flyway_schema_history")).contains("3|context prediction|true");
    assertThat(history(url, "flyway_checkpoint_history")).contains("1|levels checkpoints outbox|true");
    assertThat(dev.contextwatch.persistence.Migrations.apply(options).migrationsExecuted).isZero();
    assertThat(CheckpointMigrations.apply(options).migrationsExecuted).isZero();
  }

  @Test
  @DisplayName("a new database gets every owner's tables from its own migrations, and both histories validate")
  void newDatabase() throws Exception {
    String url = TestDatabase.newDatabase();
    PgConnectOptions options = PgConnectOptions.fromUri(url);

    migrateEveryOwner(options);

    assertThat(validate(options)).isEmpty();
    insertRows(url);
    assertThat(rows(url)).hasSize(4);
  }

  private static void migrateEveryOwner(PgConnectOptions options) {
    dev.contextwatch.persistence.Migrations.apply(options);
    CheckpointMigrations.apply(options);
  }

  /** The validation errors of every owner's history, none when all validate. */
  private static List<String> validate(PgConnectOptions options) {
    List<String> errors = new ArrayList<>();
    for (Migrations.Owner owner : OWNERS) {
      ValidateResult result = Migrations.flyway(options, owner).validateWithResult();
      if (!result.validationSuccessful) {
        errors.add(owner.owner() + ": " + result.getAllErrorMessages());
      }
    }
    return errors;
  }

  private static void insertRows(String url) throws Exception {
    try (Connection c = TestDatabase.connect(url); Statement s = c.createStatement()) {
      s.execute("""
          INSERT INTO sessions (session_id, pseudo, first_seen, last_seen, last_received_at, input_tokens, output_tokens,
            cache_read_tokens, cache_creation_tokens, cost_usd, api_requests, api_errors, compactions, summary, requests_left)
          VALUES ('session-1', false, now(), now(), now(), 1, 2, 3, 4, 0.5, 1, 0, 0, '{}', 4.5)""");
      s.execute("INSERT INTO session_levels (session_id, level, epoch, announced_level, status)"
          + " VALUES ('session-1', 'warning', 2, 'warning', 'active')");
      s.execute("INSERT INTO checkpoints (session_id, level, epoch, totals, samples)"
          + " VALUES ('session-1', 'warning', 2, '{}', '[{\"tokens\": 150000}]')");
      s.execute("INSERT INTO webhook_deliveries (id, endpoint, event_type, event_key, session_id, payload, status, attempts)"
          + " VALUES (gen_random_uuid(), 'harness', 'context.warning', 'context.warning:session-1:2', 'session-1', '{}', 'pending', 3)");
    }
  }

  private static List<String> rows(String url) throws Exception {
    return strings(url, "SELECT session_id || '|' || requests_left || '|' || version FROM sessions"
        + " UNION ALL SELECT session_id || '|' || level || '|' || epoch FROM session_levels"
        + " UNION ALL SELECT session_id || '|' || level || '|' || samples FROM checkpoints"
        + " UNION ALL SELECT status || '|' || event_type || '|' || attempts FROM webhook_deliveries");
  }

  private static List<String> history(String url, String table) throws Exception {
    return strings(url, "SELECT version || '|' || description || '|' || success FROM " + table + " ORDER BY installed_rank");
  }

  private static List<String> strings(String url, String sql) throws Exception {
    List<String> found = new ArrayList<>();
    try (Connection c = TestDatabase.connect(url); Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
      while (r.next()) {
        found.add(r.getString(1));
      }
    }
    return found;
  }

  private static String jdbc(PgConnectOptions options) {
    return dev.contextwatch.core.db.Databases.jdbcUrl(options);
  }
}
