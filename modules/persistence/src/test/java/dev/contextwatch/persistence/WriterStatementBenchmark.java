package dev.contextwatch.persistence;

import static dev.contextwatch.persistence.CopyAgainstUnnestBenchmark.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.core.model.EventRecord;
import dev.contextwatch.core.model.MetricPoint;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The group flush's events and data points inserts, one form of the statement against another on
 * the same rows (docs/performance.md, "Issue 17: the events insert's cost in PostgreSQL"): the
 * flushes of {@link CopyAgainstUnnestBenchmark} (5,000 records, 50 requests of one origin each),
 * one transaction per flush, every run into emptied tables, the forms taking turns. Per row of
 * each statement: the CPU time of the server process that ran it ({@code /proc/<pid>/schedstat} of
 * the connection's backend, around the statement: no waiting for a core counted, which matters on
 * a shared machine) and its execution time as pg_stat_statements saw it (wall time, waits
 * included); the run's wall time and the whole server's CPU are printed beside them.
 * Durable commits, as the app's embedded server runs. Opt-in, never in the default suite:
 *
 * <pre>
 * nice -n 10 mvn -B -q verify -pl modules/persistence -am -Dtest=WriterStatementBenchmark \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dcontextwatch.bench.statement.records=100000 -Dcontextwatch.bench.statement.rounds=3
 * </pre>
 *
 * With {@code -Dcontextwatch.bench.statement.originPerRecord=true} every record has an origin of
 * its own: a statement's distinct shared values are as many as its rows (the worst case for them).
 */
@EnabledIfSystemProperty(named = "contextwatch.bench.statement.records", matches = "\\d+")
class WriterStatementBenchmark {
  /** One form of the two inserts: the statements, and whether they skip stored keys ({@code ON CONFLICT DO NOTHING}). */
  private record Form(BulkInsert<EventRecord> events, BulkInsert<MetricPoint> points, boolean onConflict) {
    String sql(BulkInsert<?> table) {
      return onConflict ? table.sql() : table.sqlFailingOnDuplicates();
    }
  }

  private static final Map<String, Form> FORMS = forms();

  /** The writer's group statements before issue 17's changes to them, after the first, and now. */
  private static Map<String, Form> forms() {
    Map<String, Form> forms = new LinkedHashMap<>();
    forms.put("on-conflict,resource-per-row", new Form(RecordTables.EVENTS.perRow(), RecordTables.METRIC_POINTS.perRow(), true));
    forms.put("plain,resource-per-row", new Form(RecordTables.EVENTS.perRow(), RecordTables.METRIC_POINTS.perRow(), false));
    forms.put("plain,resource-once", new Form(RecordTables.EVENTS, RecordTables.METRIC_POINTS, false));
    return forms;
  }

  @Test
  @DisplayName("the group flush's inserts in each form, on the same rows with durable commits")
  void compare() throws Exception {
    int records = Integer.getInteger("contextwatch.bench.statement.records");
    int rounds = Integer.getInteger("contextwatch.bench.statement.rounds", 3);
    List<CopyAgainstUnnestBenchmark.Flush> flushes = CopyAgainstUnnestBenchmark.flushes(records / 100,
        Boolean.getBoolean("contextwatch.bench.statement.originPerRecord"));
    try (CopyAgainstUnnestBenchmark.DurableServer server = CopyAgainstUnnestBenchmark.DurableServer.start("target/statement-bench", "shared_preload_libraries", "pg_stat_statements");
        Connection jdbc = server.postgres().getPostgresDatabase().getConnection()) {
      File dataDirectory = server.dataDirectory();
      Pool pool = server.pool();
      jdbc.createStatement().execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
      List<String> order = new ArrayList<>(FORMS.keySet()); // a warm-up run each, not counted
      for (int round = 0; round < rounds; round++) {
        List<String> turn = new ArrayList<>(FORMS.keySet());
        if (round % 2 == 1) {
          Collections.reverse(turn);
        }
        order.addAll(turn);
      }
      Map<String, double[]> totals = new LinkedHashMap<>();
      String expected = null;
      for (int run = 0; run < order.size(); run++) {
        String name = order.get(run);
        Form form = FORMS.get(name);
        CopyAgainstUnnestBenchmark.empty(jdbc);
        jdbc.createStatement().execute("SELECT pg_stat_statements_reset()");
        double postgresCpu = CopyAgainstUnnestBenchmark.postgresCpuSeconds(dataDirectory);
        long start = System.nanoTime();
        long[] cpuNanos = new long[2];
        for (CopyAgainstUnnestBenchmark.Flush flush : flushes) {
          await(pool.withTransaction(conn -> backendPid(conn)
              .compose(pid -> insert(conn, form, form.events(), flush.events(), pid, cpuNanos, 0)
                  .compose(v -> insert(conn, form, form.points(), flush.points(), pid, cpuNanos, 1)))));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        postgresCpu = CopyAgainstUnnestBenchmark.postgresCpuSeconds(dataDirectory) - postgresCpu;
        double eventsMs = executionMs(jdbc, form.sql(form.events()));
        double pointsMs = executionMs(jdbc, form.sql(form.points()));
        String stored = CopyAgainstUnnestBenchmark.stored(jdbc);
        expected = expected == null ? stored : expected;
        assertThat(stored).as(name + " stores the same rows").isEqualTo(expected);
        int events = flushes.stream().mapToInt(f -> f.events().size()).sum();
        int points = flushes.stream().mapToInt(f -> f.points().size()).sum();
        boolean warmup = run < FORMS.size();
        if (!warmup) {
          double[] sum = totals.computeIfAbsent(name, n -> new double[6]);
          sum[0] += cpuNanos[0] / 1e3 / events;
          sum[1] += cpuNanos[1] / 1e3 / points;
          sum[2] += eventsMs * 1000 / events;
          sum[3] += pointsMs * 1000 / points;
          sum[4] += seconds;
          sum[5] += postgresCpu;
        }
        System.out.printf("statement-bench run=%d form=%s warmup=%s events_cpu_us_per_row=%.2f points_cpu_us_per_row=%.2f"
            + " events_exec_us_per_row=%.2f points_exec_us_per_row=%.2f seconds=%.3f postgres_cpu_s=%.2f load=%s%n", run, name,
            warmup, cpuNanos[0] / 1e3 / events, cpuNanos[1] / 1e3 / points, eventsMs * 1000 / events, pointsMs * 1000 / points,
            seconds, postgresCpu, CopyAgainstUnnestBenchmark.loadAverage());
      }
      totals.forEach((name, sum) -> System.out.printf("statement-bench mean form=%s events_cpu_us_per_row=%.2f"
          + " points_cpu_us_per_row=%.2f events_exec_us_per_row=%.2f points_exec_us_per_row=%.2f seconds=%.3f postgres_cpu_s=%.2f%n",
          name, sum[0] / rounds, sum[1] / rounds, sum[2] / rounds, sum[3] / rounds, sum[4] / rounds, sum[5] / rounds));
    }
  }

  /** One insert, which must store every row; the CPU its backend spent on it is added to {@code cpuNanos[slot]}. */
  private static <R> Future<Void> insert(SqlConnection conn, Form form, BulkInsert<R> table, List<R> rows, long pid,
      long[] cpuNanos, int slot) {
    long before = cpuNanos(pid);
    return conn.preparedQuery(form.sql(table)).execute(table.tuple(rows))
        .compose(result -> {
          cpuNanos[slot] += cpuNanos(pid) - before;
          return result.rowCount() == rows.size() ? Future.succeededFuture() : Future.failedFuture("conflict");
        });
  }

  private static Future<Long> backendPid(SqlConnection conn) {
    return conn.query("SELECT pg_backend_pid()").execute().map(rows -> rows.iterator().next().getLong(0));
  }

  /** CPU time the process has run on a core, in nanoseconds (the first field of its schedstat). */
  private static long cpuNanos(long pid) {
    try {
      return Long.parseLong(Files.readString(Path.of("/proc/" + pid + "/schedstat")).split(" ")[0]);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The server's execution time of one statement since the last reset, in milliseconds. */
  private static double executionMs(Connection jdbc, String sql) throws Exception {
    try (PreparedStatement s = jdbc.prepareStatement("SELECT coalesce(sum(total_exec_time), 0) FROM pg_stat_statements WHERE query = ?")) {
      s.setString(1, sql);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        double ms = rs.getDouble(1);
        assertThat(ms).as("pg_stat_statements saw " + sql).isPositive();
        return ms;
      }
    }
  }
}
