package dev.contextwatch.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.core.config.ConfigLoader;
import dev.contextwatch.core.db.DatabasePool;
import dev.contextwatch.core.db.Databases;
import dev.contextwatch.core.model.EventRecord;
import dev.contextwatch.core.model.MetricPoint;
import dev.contextwatch.core.model.Origin;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * The writer's statement against binary COPY (docs/performance.md, "Issue 17: storage"): the same
 * events and data points, in flushes of 5,000 records (3,000 events, 2,000 points of 50 requests
 * of one origin each), one transaction per flush, written by (a) the writer's prepared {@code
 * INSERT ... SELECT ... FROM unnest(...) ON CONFLICT DO NOTHING} through the pg client and (b) the
 * only COPY that keeps the writer's guarantees: binary COPY on a JDBC connection into a temporary
 * staging table, then {@code INSERT ... SELECT ... FROM} it {@code ON CONFLICT DO NOTHING} (the
 * dedup index decides what is new, the rollup trigger sees only rows stored). Both build the
 * values with {@link BulkInsert#tuple}; a server of its own with durable commits (fsync,
 * synchronous_commit, full_page_writes on, as the app's embedded server runs). Runs alternate, the
 * tables are emptied and checkpointed between them, and every run must store the same rows.
 * Opt-in, never in the default suite:
 *
 * <pre>
 * nice -n 10 mvn -B -q verify -pl modules/persistence -am -Dtest=CopyAgainstUnnestBenchmark \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dcontextwatch.bench.copy.records=100000 -Dcontextwatch.bench.copy.rounds=3
 * </pre>
 */
@EnabledIfSystemProperty(named = "contextwatch.bench.copy.records", matches = "\\d+")
class CopyAgainstUnnestBenchmark {
  private static final int REQUEST_EVENTS = 60;
  private static final int REQUEST_POINTS = 40;
  private static final int FLUSH_REQUESTS = 50;
  private static final Instant T0 = Instant.parse("2026-11-23T05:28:55.263Z");
  private static final Pattern WIRE_TYPE = Pattern.compile("\\$\\d+::(\\w+)\\[]");
  private static final long POSTGRES_EPOCH_MICROS = Instant.parse("2000-01-01T00:00:00Z").getEpochSecond() * 1_000_000L;
  private static final byte[] COPY_HEADER = "PGCOPY\n\377\r\n\0".getBytes(StandardCharsets.ISO_8859_1);

  @Test
  @DisplayName("unnest against binary COPY through a staging table, on the same rows with durable commits")
  void compare() throws Exception {
    int records = Integer.getInteger("contextwatch.bench.copy.records");
    int rounds = Integer.getInteger("contextwatch.bench.copy.rounds", 3);
    List<Flush> flushes = flushes(records / (REQUEST_EVENTS + REQUEST_POINTS));
    try (DurableServer server = DurableServer.start("target/copy-bench");
        Connection jdbc = server.postgres().getPostgresDatabase().getConnection()) {
      File dataDirectory = server.dataDirectory();
      Pool pool = server.pool();
      Copy copy = new Copy(jdbc);
      Map<String, Method> methods = Map.of("unnest", flush -> unnest(pool, flush), "copy", copy::write);
      String expected = null;
      List<String> order = new ArrayList<>(List.of("unnest", "copy")); // a warm-up run each, not counted
      for (int round = 0; round < rounds; round++) {
        order.addAll(round % 2 == 0 ? List.of("unnest", "copy") : List.of("copy", "unnest"));
      }
      for (int run = 0; run < order.size(); run++) {
        String method = order.get(run);
        empty(jdbc);
        double javaCpu = cpuSeconds(ProcessHandle.current());
        double postgresCpu = postgresCpuSeconds(dataDirectory);
        long start = System.nanoTime();
        for (Flush flush : flushes) {
          methods.get(method).write(flush);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        javaCpu = cpuSeconds(ProcessHandle.current()) - javaCpu;
        postgresCpu = postgresCpuSeconds(dataDirectory) - postgresCpu;
        String stored = stored(jdbc);
        expected = expected == null ? stored : expected;
        assertThat(stored).as(method + " stores the same rows").isEqualTo(expected);
        System.out.printf("copy-bench run=%d method=%s warmup=%s records=%d seconds=%.3f records_per_s=%.0f java_cpu_s=%.2f"
            + " postgres_cpu_s=%.2f load=%s stored=%s%n", run, method, run < 2, records, seconds, records / seconds, javaCpu,
            postgresCpu, loadAverage(), stored);
      }
    }
  }

  /** One flush's rows. */
  record Flush(List<EventRecord> events, List<MetricPoint> points) {}

  private interface Method {
    void write(Flush flush) throws Exception;
  }

  /** The writer's way: both prepared unnest inserts in one transaction, each must insert every row. */
  private static void unnest(Pool pool, Flush flush) throws Exception {
    await(pool.withTransaction(conn -> insert(conn, RecordTables.EVENTS, flush.events())
        .compose(v -> insert(conn, RecordTables.METRIC_POINTS, flush.points()))));
  }

  private static <R> Future<Void> insert(SqlConnection conn, BulkInsert<R> table, List<R> rows) {
    return conn.preparedQuery(table.sql()).execute(table.tuple(rows))
        .compose(result -> result.rowCount() == rows.size() ? Future.succeededFuture() : Future.failedFuture("conflict"));
  }

  /**
   * Binary COPY into a temporary staging table per record table (made once per connection, emptied
   * by every commit), then the writer's own {@code SELECT ... ON CONFLICT DO NOTHING} from it.
   */
  private static final class Copy {
    private final Connection jdbc;
    private final CopyManager copies;

    Copy(Connection jdbc) throws Exception {
      this.jdbc = jdbc;
      this.copies = jdbc.unwrap(PGConnection.class).getCopyAPI();
      try (Statement s = jdbc.createStatement()) {
        s.execute(stagingTable(RecordTables.EVENTS.perRow()));
        s.execute(stagingTable(RecordTables.METRIC_POINTS.perRow()));
      }
    }

    void write(Flush flush) throws Exception {
      jdbc.setAutoCommit(false);
      try {
        copy(RecordTables.EVENTS, flush.events());
        copy(RecordTables.METRIC_POINTS, flush.points());
        jdbc.commit();
      } catch (Exception e) {
        jdbc.rollback();
        throw e;
      } finally {
        jdbc.setAutoCommit(true);
      }
    }

    /** COPY sends every row's values, the shared ones included: the statement's per-row form. */
    private <R> void copy(BulkInsert<R> writers, List<R> rows) throws Exception {
      BulkInsert<R> table = writers.perRow();
      copies.copyIn("COPY stage_" + table.table() + " FROM STDIN (FORMAT binary)",
          new ByteArrayInputStream(binary(table, table.tuple(rows), rows.size())));
      try (Statement s = jdbc.createStatement()) {
        int inserted = s.executeUpdate(fromStaging(table));
        if (inserted != rows.size()) {
          throw new IllegalStateException("conflict");
        }
      }
    }
  }

  /** The staging table: the insert's columns, with the types its unnest arrays bind (JSON as text, cast on insert). */
  private static String stagingTable(BulkInsert<?> table) {
    List<String> names = columnNames(table);
    List<String> types = wireTypes(table);
    List<String> columns = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      columns.add(names.get(i) + " " + types.get(i));
    }
    return "CREATE TEMPORARY TABLE stage_" + table.table() + " (" + String.join(", ", columns) + ") ON COMMIT DELETE ROWS";
  }

  /** The writer's statement with the staging table in place of the unnest arrays. */
  private static String fromStaging(BulkInsert<?> table) {
    return table.sql().replaceFirst("FROM unnest\\(.*\\) AS u\\([^)]*\\)", "FROM stage_" + table.table());
  }

  private static List<String> columnNames(BulkInsert<?> table) {
    return List.of(table.sql().replaceFirst("^INSERT INTO \\w+ \\(([^)]*)\\).*", "$1").split(", "));
  }

  private static List<String> wireTypes(BulkInsert<?> table) {
    List<String> types = new ArrayList<>();
    Matcher matcher = WIRE_TYPE.matcher(table.sql());
    while (matcher.find()) {
      types.add(matcher.group(1));
    }
    return types;
  }

  /** PostgreSQL's binary COPY format of the tuple's column arrays. */
  private static byte[] binary(BulkInsert<?> table, Tuple columns, int rows) throws IOException {
    List<String> types = wireTypes(table);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(rows * 1024);
    DataOutputStream out = new DataOutputStream(bytes);
    out.write(COPY_HEADER);
    out.writeInt(0);
    out.writeInt(0);
    for (int row = 0; row < rows; row++) {
      out.writeShort(types.size());
      for (int column = 0; column < types.size(); column++) {
        field(out, types.get(column), ((Object[]) columns.getValue(column))[row]);
      }
    }
    out.writeShort(-1);
    return bytes.toByteArray();
  }

  private static void field(DataOutputStream out, String type, Object value) throws IOException {
    if (value == null) {
      out.writeInt(-1);
      return;
    }
    switch (type) {
      case "text" -> {
        byte[] text = ((String) value).getBytes(StandardCharsets.UTF_8);
        out.writeInt(text.length);
        out.write(text);
      }
      case "timestamptz" -> {
        Instant instant = ((OffsetDateTime) value).toInstant();
        out.writeInt(8);
        out.writeLong(instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1_000 - POSTGRES_EPOCH_MICROS);
      }
      case "int8" -> {
        out.writeInt(8);
        out.writeLong((Long) value);
      }
      case "int4" -> {
        out.writeInt(4);
        out.writeInt((Integer) value);
      }
      case "float8" -> {
        out.writeInt(8);
        out.writeDouble((Double) value);
      }
      case "bool" -> {
        out.writeInt(1);
        out.writeByte((Boolean) value ? 1 : 0);
      }
      default -> throw new IllegalArgumentException("no binary form for " + type);
    }
  }

  static void empty(Connection jdbc) throws Exception {
    try (Statement s = jdbc.createStatement()) {
      s.execute("TRUNCATE events, metric_points, usage_rollup");
      s.execute("CHECKPOINT");
    }
  }

  /** What a run stored: counts, the rollup, and a digest of every row's content. */
  static String stored(Connection jdbc) throws Exception {
    try (Statement s = jdbc.createStatement(); ResultSet rs = s.executeQuery("""
        SELECT (SELECT count(*) FROM events) || ' events ' || (SELECT count(*) FROM metric_points) || ' points '
          || (SELECT count(*) || ' rollup rows ' || sum(input_tokens) FROM usage_rollup) || ' '
          || (SELECT md5(string_agg(e::text, ',' ORDER BY dedup_key)) FROM (SELECT time, session_id, event_sequence, cost_usd, input_tokens,
                resource, attributes, dedup_key FROM events) e) || ' '
          || (SELECT md5(string_agg(p::text, ',' ORDER BY dedup_key)) FROM (SELECT time, start_time, value, delta, data,
                resource, attributes, dedup_key FROM metric_points) p)
        """)) {
      rs.next();
      return rs.getString(1);
    }
  }

  /** Requests of one session and one origin each, 60 api_request events and 40 token and cost points. */
  static List<Flush> flushes(int requests) {
    return flushes(requests, false);
  }

  /** With {@code originPerRecord}, every record has an origin of its own (same content), as requests of one record each would. */
  static List<Flush> flushes(int requests, boolean originPerRecord) {
    List<Flush> flushes = new ArrayList<>();
    List<EventRecord> events = new ArrayList<>();
    List<MetricPoint> points = new ArrayList<>();
    for (int request = 0; request < requests; request++) {
      String session = UUID.nameUUIDFromBytes(("session-" + request).getBytes(StandardCharsets.UTF_8)).toString();
      Origin origin = new Origin(resource(request), "com.anthropic.claude_code.events", "2.1.197");
      for (int i = 0; i < REQUEST_EVENTS; i++) {
        events.add(event(session, request * 100L + i, originPerRecord ? copy(origin) : origin));
      }
      for (int i = 0; i < REQUEST_POINTS; i++) {
        points.add(point(session, request * 100L + i, originPerRecord ? copy(origin) : origin));
      }
      if ((request + 1) % FLUSH_REQUESTS == 0 || request == requests - 1) {
        flushes.add(new Flush(events, points));
        events = new ArrayList<>();
        points = new ArrayList<>();
      }
    }
    return flushes;
  }

  private static Origin copy(Origin origin) {
    return new Origin(origin.resource().copy(), origin.scopeName(), origin.scopeVersion());
  }

  private static JsonObject resource(int request) {
    return new JsonObject().put("service.name", "claude-code").put("service.version", "2.1.197").put("os.type", "linux")
        .put("os.version", "6.8.0-1019-aws").put("host.arch", "amd64").put("telemetry.sdk.name", "opentelemetry")
        .put("telemetry.sdk.language", "nodejs").put("telemetry.sdk.version", "2.0.1")
        .put("user.id", "user-" + request % 40).put("contextwatch.project", "project-" + request % 7);
  }

  private static JsonObject attributes(String session, long sequence) {
    return new JsonObject().put("user.id", "9f2c4b1e8a7d6c5b4a3928171615141312111009080706050403020100ffeedd")
        .put("session.id", session).put("organization.id", "1b6d6f2a-3c1e-4f5a-9b8c-7d6e5f4a3b2c")
        .put("user.email", "dev@example.com").put("user.account_uuid", "0e8f7a6b-5c4d-4e3f-8a9b-1c2d3e4f5a6b")
        .put("terminal.type", "vscode").put("event.name", "api_request")
        .put("event.timestamp", T0.plusMillis(sequence * 250).toString()).put("event.sequence", sequence)
        .put("prompt.id", "p-" + sequence / 6).put("model", "claude-sonnet-4-5").put("input_tokens", "500")
        .put("output_tokens", "60").put("cache_read_tokens", "16000").put("cache_creation_tokens", "3500")
        .put("cost_usd", "0.0421").put("duration_ms", "2013").put("query_source", "main");
  }

  private static EventRecord event(String session, long sequence, Origin origin) {
    return new EventRecord(T0.plusMillis(sequence * 250), T0.plusMillis(sequence * 250 + 3), session, "api_request", sequence,
        "p-" + sequence / 6, "claude-sonnet-4-5", 500L, 60L, 16000L, 3500L, 42_100L, 2013.0, 9, "INFO",
        "claude_code.api_request", null, null, origin, attributes(session, sequence), session + "-e-" + sequence);
  }

  private static MetricPoint point(String session, long sequence, Origin origin) {
    JsonObject attributes = new JsonObject().put("user.id", "9f2c4b1e8a7d6c5b4a3928171615141312111009080706050403020100ffeedd")
        .put("session.id", session).put("organization.id", "1b6d6f2a-3c1e-4f5a-9b8c-7d6e5f4a3b2c")
        .put("terminal.type", "vscode").put("model", "claude-sonnet-4-5").put("type", sequence % 2 == 0 ? "input" : "output");
    return new MetricPoint(T0.plusMillis(sequence * 250), T0, session, "claude_code.token.usage", MetricPoint.MetricType.SUM,
        MetricPoint.Temporality.CUMULATIVE, true, "tokens", 500.0 * sequence, null, new JsonObject(), origin, attributes,
        session + "-p-" + sequence, 500.0);
  }

  static double cpuSeconds(ProcessHandle process) {
    return process.info().totalCpuDuration().map(cpu -> cpu.toNanos() / 1e9).orElse(0.0);
  }

  /** CPU of the server: the postmaster and every process it started (backends, WAL writer, checkpointer). */
  static double postgresCpuSeconds(File dataDirectory) throws IOException {
    long postmaster = Long.parseLong(java.nio.file.Files.readAllLines(dataDirectory.toPath().resolve("postmaster.pid")).get(0).trim());
    ProcessHandle server = ProcessHandle.of(postmaster).orElseThrow();
    return cpuSeconds(server) + server.descendants().mapToDouble(CopyAgainstUnnestBenchmark::cpuSeconds).sum();
  }

  static String loadAverage() throws IOException {
    return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ")[0];
  }

  /**
   * A PostgreSQL of the benchmark's own, with durable commits as the app's embedded server runs
   * (plus {@code settings}, name and value by turns), both owners' migrations applied, and the
   * writer's pool; its directory is {@code contextwatch.bench.dir}, else {@code defaultDirectory}.
   */
  record DurableServer(File dataDirectory, EmbeddedPostgres postgres, Vertx vertx, Pool pool) implements AutoCloseable {
    static DurableServer start(String defaultDirectory, String... settings) throws Exception {
      File dataDirectory = new File(System.getProperty("contextwatch.bench.dir", defaultDirectory));
      EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
          .setDataDirectory(dataDirectory)
          .setCleanDataDirectory(true)
          .setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on").setServerConfig("full_page_writes", "on");
      for (int i = 0; i < settings.length; i += 2) {
        builder.setServerConfig(settings[i], settings[i + 1]);
      }
      EmbeddedPostgres postgres = builder.start();
      Vertx vertx = Vertx.vertx();
      String url = "postgresql://postgres:postgres@localhost:" + postgres.getPort() + "/postgres";
      Migrations.apply(PgConnectOptions.fromUri(url));
      Pool pool = Databases.pool(vertx, ConfigLoader.defaults().database().withUrl(url), DatabasePool.PERSISTENCE);
      return new DurableServer(dataDirectory, postgres, vertx, pool);
    }

    @Override
    public void close() throws Exception {
      await(pool.close());
      await(vertx.close());
      postgres.close();
    }
  }

  static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
  }
}
