package dev.contextwatch.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.core.model.Synthetic;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.File;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * A month report over many stored events (docs/performance.md, "Reports over the usage rollup"):
 * an embedded PostgreSQL 17 in {@code -Dcontextwatch.bench.dir} (deleted after), the owners'
 * migrations, {@code -Dcontextwatch.bench.rows} api_request events (default 100 million) generated
 * with SQL over a year and rolled up the way V9's backfill does, then the monthly report through
 * {@link ReportQueries} against the old statement over the raw events. Opt-in, never in the
 * default suite:
 *
 * <pre>
 * nice -n 15 mvn -B -q verify -pl modules/api -am -Dtest=UsageRollupBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dcontextwatch.bench.rows=100000000 -Dcontextwatch.bench.dir=/var/tmp/rollup-bench
 * </pre>
 */
@EnabledIfSystemProperty(named = "contextwatch.bench.rows", matches = "\\d+")
class UsageRollupBenchmark {
  /** One session: this many requests, 20 s apart (two hours). */
  private static final int REQUESTS_PER_SESSION = 360;
  private static final int ROWS_PER_STATEMENT = 1_000_000;
  private static final LocalDate YEAR = LocalDate.parse("2026-01-01");
  private static final LocalDate MONTH = LocalDate.parse("2026-06-01");

  /** The monthly report's statement before the rollup: every api_request event of the month, grouped. */
  private static final String RAW_MONTH = """
      SELECT key, grp, grouping(key, grp) = 3 AS total, %s, count(*) AS requests FROM (
        SELECT to_char(time AT TIME ZONE 'UTC', 'YYYY-MM') AS key, NULL::text AS grp, events.* FROM events_view events
        LEFT JOIN (SELECT session_id, project, user_id, label FROM sessions_with_levels) s USING (session_id)
        WHERE time >= '2026-06-01T00:00:00Z' AND time < '2026-07-01T00:00:00Z' AND event_name = 'api_request'
          AND NOT EXISTS (SELECT 1 FROM sessions_with_levels marked WHERE marked.session_id = events.session_id AND marked.synthetic)
      ) events GROUP BY GROUPING SETS ((key, grp), ()) ORDER BY total, key NULLS LAST, grp NULLS LAST
      """.formatted(Rows.TOTALS);

  @Test
  @DisplayName("a month report over the rollup of a year of events, against the raw scan")
  void monthReport() throws Exception {
    long rows = Long.getLong("contextwatch.bench.rows");
    File dir = new File(System.getProperty("contextwatch.bench.dir", "target/rollup-bench"));
    EmbeddedPostgres postgres = EmbeddedPostgres.builder().setDataDirectory(dir).setCleanDataDirectory(true)
        .setServerConfig("fsync", "off").setServerConfig("synchronous_commit", "off")
        .setServerConfig("max_wal_size", "2GB").setServerConfig("maintenance_work_mem", "1GB")
        .setServerConfig("shared_buffers", "1GB").start();
    Vertx vertx = Vertx.vertx();
    try {
      String url = "postgresql://postgres:postgres@localhost:" + postgres.getPort() + "/postgres";
      ApiHarness.createSchema(url);
      try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
        generate(s, rows);
        report(s, rows);
      }
      Pool pool = PgBuilder.pool().connectingTo(PgConnectOptions.fromUri(url)).using(vertx).build();
      ReportQueries reports = new ReportQueries(pool);
      ReportQuery month = new ReportQuery("monthly", MONTH, MONTH.plusMonths(1).minusDays(1), ZoneId.of("UTC"), DayOfWeek.MONDAY,
          null, Synthetic.EXCLUDE);
      ReportQuery byProject = new ReportQuery("daily", MONTH, MONTH.plusMonths(1).minusDays(1), ZoneId.of("UTC"),
          DayOfWeek.MONDAY, "project", Synthetic.EXCLUDE);
      ReportQuery year = new ReportQuery("monthly", null, null, ZoneId.of("UTC"), DayOfWeek.MONDAY, null, Synthetic.EXCLUDE);
      JsonObject rolled = time("monthly report, rollup", () -> await(reports.report(month)));
      time("daily report by project for the month, rollup", () -> await(reports.report(byProject)));
      time("monthly report over the whole year, rollup", () -> await(reports.report(year)));
      long rawRequests = time("monthly report, raw events (the statement before the rollup)",
          () -> await(pool.query(RAW_MONTH).execute()).iterator().next().getLong("requests"));
      assertThat(rolled.getJsonObject("total").getLong("requests")).isEqualTo(rawRequests);
      await(pool.close());
    } finally {
      await(vertx.close());
      postgres.close();
      deleteTree(dir);
    }
  }

  /**
   * Sessions of {@value #REQUESTS_PER_SESSION} api_requests spread evenly over {@link #YEAR}, each
   * request alternating two models, 50 projects and 200 users; narrow rows (no attributes, no
   * resource), then the indexes, the rollup's backfill and statistics, each timed.
   */
  private static void generate(Statement s, long rows) throws Exception {
    long sessions = (rows + REQUESTS_PER_SESSION - 1) / REQUESTS_PER_SESSION;
    double spacingSeconds = 365.0 * 86_400 / sessions;
    List<String> indexes = new ArrayList<>();
    try (ResultSet rs = s.executeQuery("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'events'")) {
      while (rs.next()) {
        indexes.add(rs.getString(2));
      }
    }
    String start = "timestamptz '" + YEAR + "T00:00:00Z'";
    time("sessions", () -> s.executeUpdate("INSERT INTO sessions (session_id, pseudo, project, user_id, first_seen, last_seen,"
        + " last_received_at, input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens, cost_usd, api_requests,"
        + " api_errors, compactions, summary) SELECT 's' || k, false, 'project-' || k % 50, 'user-' || k % 200, t, t, t, 0, 0, 0, 0,"
        + " 0, 0, 0, 0, '{}' FROM (SELECT k, " + start + " + k * " + spacingSeconds + " * interval '1 second' AS t"
        + " FROM generate_series(0, " + (sessions - 1) + ") k) g"));
    s.execute("ALTER TABLE events DISABLE TRIGGER events_usage_rollup");
    for (String index : List.of("events_dedup", "events_session_time", "events_name_time")) {
      s.execute("DROP INDEX " + index);
    }
    time("events", () -> {
      for (long from = 0; from < rows; from += ROWS_PER_STATEMENT) {
        s.executeUpdate("INSERT INTO events (time, session_id, event_name, event_sequence, model, input_tokens, output_tokens,"
            + " cache_read_tokens, cache_creation_tokens, cost_usd, resource, attributes, dedup_key)"
            + " SELECT " + start + " + ((g / " + REQUESTS_PER_SESSION + ") * " + spacingSeconds + " + (g % " + REQUESTS_PER_SESSION
            + ") * 20) * interval '1 second', 's' || g / " + REQUESTS_PER_SESSION + ", 'api_request', g % " + REQUESTS_PER_SESSION
            + ", CASE WHEN g % 4 = 0 THEN 'claude-haiku-4-5' ELSE 'claude-sonnet-4-5' END, 100 + g % 1000, 50 + g % 500,"
            + " 10000 + g % 5000, g % 2000, (g % 1000) / 100000.0, '{}', '{}', g::text"
            + " FROM generate_series(" + from + ", " + (Math.min(rows, from + ROWS_PER_STATEMENT) - 1) + ") g");
      }
      return null;
    });
    time("events' indexes", () -> {
      for (String index : indexes) {
        s.execute(index);
      }
      return null;
    });
    time("rollup backfill (V9's usage_rollup_backfill)", () -> s.execute("SELECT usage_rollup_backfill()"));
    s.execute("ALTER TABLE events ENABLE TRIGGER events_usage_rollup");
    time("vacuum analyze", () -> s.execute("VACUUM ANALYZE"));
  }

  private static void report(Statement s, long rows) throws Exception {
    try (ResultSet rs = s.executeQuery("SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM usage_rollup),"
        // events is partitioned by day: its size is its partitions'
        + " pg_size_pretty((SELECT sum(pg_total_relation_size(relid)) FROM pg_partition_tree('events'))),"
        + " pg_size_pretty(pg_total_relation_size('usage_rollup')),"
        + " pg_size_pretty(pg_database_size(current_database()))")) {
      rs.next();
      System.out.printf("rows: events=%d (asked %d) usage_rollup=%d; sizes with indexes: events=%s usage_rollup=%s database=%s%n",
          rs.getLong(1), rows, rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5));
    }
  }

  /** Runs {@code what} three times and prints each time: the first run reads from disk, the others mostly from memory. */
  private static <T> T time(String name, Callable<T> what) throws Exception {
    T result = null;
    List<String> times = new ArrayList<>();
    int runs = name.contains("report") ? 3 : 1;
    for (int run = 0; run < runs; run++) {
      long start = System.nanoTime();
      result = what.call();
      times.add(String.format("%.3f s", (System.nanoTime() - start) / 1e9));
    }
    System.out.println("benchmark: " + name + ": " + String.join(", ", times));
    return result;
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.MINUTES);
  }

  private static void deleteTree(File file) {
    File[] children = file.listFiles();
    if (children != null) {
      for (File child : children) {
        deleteTree(child);
      }
    }
    file.delete();
  }
}
