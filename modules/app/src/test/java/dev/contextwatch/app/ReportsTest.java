package dev.contextwatch.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.contextwatch.testkit.Fixtures;
import dev.contextwatch.testkit.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reports of {@code GET /api/v1/reports/{report}} and of {@code contextwatch report}, over the
 * recorded CLI runs replayed into one pipeline and over requests posted at chosen times.
 */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReportsTest {
  private static final List<String> REPORTS = List.of("daily", "weekly", "monthly", "session", "project", "model");
  private static final List<String> GROUPS = List.of("project", "model", "user", "label");
  private static final String[] TOKENS = {"inputTokens", "outputTokens", "cacheCreationTokens", "cacheReadTokens", "totalTokens",
      "requests"};
  /** Saturday 2026-01-31 23:30 UTC: Sunday 00:30 in Berlin, Saturday afternoon in Los Angeles. */
  private static final Instant SATURDAY_NIGHT = Instant.parse("2026-01-31T23:30:00Z");
  /** Sunday 2026-02-01 00:30 UTC: a new month in UTC, still January in Los Angeles (Saturday 16:30). */
  private static final Instant SUNDAY_EARLY = Instant.parse("2026-02-01T00:30:00Z");
  /** Sunday 2026-02-01 23:30 UTC: Monday 00:30 in Berlin, Sunday afternoon (February) in Los Angeles. */
  private static final Instant SUNDAY_NIGHT = Instant.parse("2026-02-01T23:30:00Z");

  /** A project whose name CSV must quote. */
  private static final String QUOTED = "a,\"b\"";

  private Vertx vertx;
  private PipelineHarness pipeline;

  @BeforeAll
  void start() throws Exception {
    vertx = Vertx.vertx();
    pipeline = PipelineHarness.start(vertx);
    for (Fixtures.Folder folder : Fixtures.folders()) {
      for (Fixtures.Request request : folder.requests()) {
        post(request.path(), request.contentType(), request.body());
      }
    }
    post("/v1/logs", OtlpRequests.PROTOBUF, OtlpRequests.requestAt("edge", "edge-1", SATURDAY_NIGHT, 1, 1000, 0.001));
    post("/v1/logs", OtlpRequests.PROTOBUF, OtlpRequests.requestAt("edge", "edge-1", SUNDAY_EARLY, 2, 200, 0.0002));
    post("/v1/logs", OtlpRequests.PROTOBUF, OtlpRequests.requestAt("edge", "edge-1", SUNDAY_NIGHT, 3, 30, 0.00003));
    post("/v1/logs", OtlpRequests.PROTOBUF, OtlpRequests.requestAt(QUOTED, "quoted-1", Instant.parse("2026-03-10T12:00:00Z"), 1, 7, 0));
  }

  @AfterAll
  void stop() throws Exception {
    try {
      pipeline.stop();
    } finally {
      PipelineHarness.await(vertx.close());
    }
  }

  @Test
  @DisplayName("every report, split by every field, adds up to the stored rows' sums, and its rows to its total row")
  void totalsEqualStoredRows() throws Exception {
    JsonObject stored = storedSums("true");
    for (String report : REPORTS) {
      for (String by : splits(report)) {
        JsonObject answer = pipeline.apiGet("/api/v1/reports/" + report + (by == null ? "" : "?by=" + by));
        String what = report + " by " + by;
        assertThat(answer.getString("report")).isEqualTo(report);
        assertFigures(answer.getJsonObject("total"), stored, what + ": total");
        assertFigures(rowSums(answer.getJsonArray("rows")), stored, what + ": rows");
      }
    }
  }

  @Test
  @DisplayName("each recorded run's session row and the fixtures' sum equal what the CLI itself reported")
  void sessionRowsEqualTheCli() throws Exception {
    JsonObject answer = pipeline.apiGet("/api/v1/reports/session");
    Map<String, JsonObject> rows = new LinkedHashMap<>();
    answer.getJsonArray("rows").forEach(row -> rows.put(((JsonObject) row).getString("sessionId"), (JsonObject) row));
    JsonObject cliSum = new JsonObject();
    for (Fixtures.Folder folder : Fixtures.folders()) {
      JsonObject cli = cli(folder);
      assertFigures(rows.get(folder.sessionId()), cli, folder.name());
      cli.forEach(e -> cliSum.put(e.getKey(), ((Number) e.getValue()).doubleValue() + cliSum.getDouble(e.getKey(), 0.0)));
    }
    JsonArray recorded = new JsonArray();
    pipeline.apiGet("/api/v1/reports/project").getJsonArray("rows").forEach(row -> {
      String project = ((JsonObject) row).getString("project");
      if (!"edge".equals(project) && !QUOTED.equals(project)) {
        recorded.add(row);
      }
    });
    JsonObject fixtures = rowSums(recorded);
    for (String field : List.of("inputTokens", "outputTokens", "cacheCreationTokens", "cacheReadTokens", "requests")) {
      assertThat(Math.round(fixtures.getDouble(field))).as(field).isEqualTo(Math.round(cliSum.getDouble(field)));
    }
    assertThat(fixtures.getDouble("costUsd")).isCloseTo(cliSum.getDouble("costUsd"), within(1e-9));
  }

  @Test
  @DisplayName("a month begins at midnight of the asked time zone: UTC, Europe/Berlin and America/Los_Angeles")
  void monthBoundary() throws Exception {
    assertThat(keys("monthly", "UTC", "monday")).containsExactly("2026-01=1000", "2026-02=230");
    assertThat(keys("monthly", "Europe/Berlin", "monday")).containsExactly("2026-02=1230");
    assertThat(keys("monthly", "America/Los_Angeles", "monday")).containsExactly("2026-01=1200", "2026-02=30");
    assertThat(keys("daily", "Europe/Berlin", "monday")).containsExactly("2026-02-01=1200", "2026-02-02=30");
  }

  @Test
  @DisplayName("a week begins on the asked day at midnight of the asked time zone")
  void weekBoundary() throws Exception {
    assertThat(keys("weekly", "UTC", "monday")).containsExactly("2026-01-26=1230");
    assertThat(keys("weekly", "Europe/Berlin", "monday")).containsExactly("2026-01-26=1200", "2026-02-02=30");
    assertThat(keys("weekly", "UTC", "sunday")).containsExactly("2026-01-25=1000", "2026-02-01=230");
    assertThat(keys("weekly", "Europe/Berlin", "sunday")).containsExactly("2026-02-01=1230");
  }

  @Test
  @DisplayName("since and until are whole days of the time zone, both included")
  void range() throws Exception {
    JsonObject answer = pipeline.apiGet("/api/v1/reports/daily?since=20260201&until=2026-02-01&tz=UTC");
    assertThat(answer.getJsonArray("rows")).hasSize(1);
    assertThat(answer.getJsonObject("total").getLong("inputTokens")).isEqualTo(230);
    assertThat(answer.getString("since")).isEqualTo("2026-02-01");
    JsonObject empty = pipeline.apiGet("/api/v1/reports/daily?since=2020-01-01&until=2020-01-02");
    assertThat(empty.getJsonArray("rows")).isEmpty();
    assertThat(empty.getJsonObject("total").getDouble("costUsd")).isZero();
    assertThat(empty.getJsonObject("total").getLong("requests")).isZero();
  }

  @Test
  @DisplayName("the JSON names its key column and every figure; a total row has them all")
  void jsonShape() throws Exception {
    JsonObject answer = pipeline.apiGet("/api/v1/reports/daily?since=2026-01-31&until=2026-02-01&by=project&tz=Europe/Berlin");
    assertThat(answer.getString("key")).isEqualTo("date");
    assertThat(answer.getString("tz")).isEqualTo("Europe/Berlin");
    assertThat(answer.getString("weekStart")).isEqualTo("monday");
    JsonObject first = answer.getJsonArray("rows").getJsonObject(0);
    assertThat(first.fieldNames()).containsExactlyInAnyOrder("date", "project", "inputTokens", "outputTokens",
        "cacheCreationTokens", "cacheReadTokens", "totalTokens", "costUsd", "requests");
    assertThat(first.getString("project")).isEqualTo("edge");
    assertThat(first.getDouble("costUsd")).isCloseTo(0.0012, within(1e-12));
    // Sunday night in UTC is Monday in Berlin: after the range
    assertThat(answer.getJsonObject("total").getLong("totalTokens")).isEqualTo(1200);
  }

  @Test
  @DisplayName("CSV, by format=csv or by Accept: text/csv, has a header, a line per row and the total line last")
  void csvShape() throws Exception {
    String path = "/api/v1/reports/weekly?since=2026-01-31&until=2026-02-02&by=project&tz=Europe/Berlin";
    String byParameter = csv(path + "&format=csv", Map.of());
    String byAccept = csv(path, Map.of("Accept", "text/csv"));
    assertThat(byAccept).isEqualTo(byParameter);
    assertThat(byParameter.split("\r\n")).containsExactly(
        "week,project,inputTokens,outputTokens,cacheCreationTokens,cacheReadTokens,totalTokens,costUsd,requests",
        "2026-01-26,edge,1200,0,0,0,1200,0.0012,2",
        "2026-02-02,edge,30,0,0,0,30,0.00003,1",
        "Total,,1230,0,0,0,1230,0.00123,3");
  }

  @Test
  @DisplayName("a CSV cell holding a comma or a quote is quoted, its quotes doubled")
  void csvQuoting() throws Exception {
    assertThat(csv("/api/v1/reports/monthly?since=2026-03-01&until=2026-03-31&by=project&format=csv", Map.of()).split("\r\n"))
        .contains("2026-03,\"a,\"\"b\"\"\",7,0,0,0,7,0,1");
  }

  @Test
  @DisplayName("./contextwatch's entry point runs the report subcommand in its own JVM without starting a pipeline")
  void commandThroughMain(@TempDir Path dir) throws Exception {
    Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
        System.getProperty("java.class.path"), Main.class.getName(), "report", "weekly", "--tz", "Europe/Berlin",
        "--since", "2026-01-31", "--until", "2026-02-02", "--api", "http://127.0.0.1:" + pipeline.apiPort())
        .redirectErrorStream(true).redirectOutput(dir.resolve("out.txt").toFile()).start();
    try {
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
      String out = Files.readString(dir.resolve("out.txt"));
      assertThat(process.exitValue()).as(out).isZero();
      List<String> lines = out.lines().toList();
      assertThat(lines.get(0)).startsWith("Week ");
      assertThat(lines.get(lines.size() - 1)).startsWith("Total").contains("1,230");
      assertThat(out).doesNotContain("event=");
    } finally {
      process.destroyForcibly();
    }
  }

  @Test
  @DisplayName("contextwatch report prints a table whose last row is the total, and --csv prints the API's CSV")
  void command() throws Exception {
    String api = "http://127.0.0.1:" + pipeline.apiPort();
    String table = command("monthly", "--tz", "America/Los_Angeles", "--since", "2026-01-01", "--until", "2026-02-28",
        "--by", "project", "--api", api);
    List<String> lines = table.lines().toList();
    assertThat(lines.get(0)).startsWith("Month    Project").contains("Input", "Cache Create", "Cache Read", "Total Tokens", "Cost (USD)");
    assertThat(lines.get(2)).startsWith("2026-01  edge").contains("1,200").endsWith("$0.00");
    assertThat(lines.get(3)).startsWith("2026-02  edge").contains("   30  ");
    assertThat(lines.get(4)).matches("-+(  -+)+");
    assertThat(lines.get(5)).startsWith("Total").contains("1,230");
    assertThat(lines).hasSize(6);
    assertThat(command("monthly", "--csv", "--tz", "UTC", "--since", "2026-01-01", "--until", "2026-02-28", "--api", api))
        .isEqualTo(csv("/api/v1/reports/monthly?tz=UTC&since=2026-01-01&until=2026-02-28&format=csv", Map.of()));
  }

  @Test
  @DisplayName("contextwatch report exits 1 with the API's sentence for a bad parameter, and 2 for a bad argument")
  void commandErrors() {
    String api = "http://127.0.0.1:" + pipeline.apiPort();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    ReportCommand report = new ReportCommand(new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true));
    assertThat(report.run(List.of("daily", "--tz", "Mars/Olympus", "--api", api), Map.of())).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("400", "query parameter 'tz'");
    assertThat(report.run(List.of("daily", "--colour"), Map.of())).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown argument '--colour'");
  }

  @Test
  @DisplayName("contextwatch report sends --token (or CONTEXTWATCH_API_TOKEN) to an instance that needs one, and says so without it")
  void commandToken() throws Exception {
    // a Vert.x of its own (the event-bus addresses are the other pipeline's too) and a database of its own
    // (its retention would delete the other tests' requests of January)
    Vertx other = Vertx.vertx();
    PipelineHarness secured = PipelineHarness.start(other, TestDatabase.newDatabase(),
        config -> config.withApi(config.api().withPort(0).withTokens("report-token", "")));
    try {
      Fixtures.Folder folder = Fixtures.folder("tool-loop-delta-protobuf");
      for (Fixtures.Request request : folder.requests()) {
        assertThat(secured.postAndWait(request.path(), request.contentType(), request.body(), Map.of()).status()).isEqualTo(200);
      }
      String input = String.format(Locale.ROOT, "%,d", folder.cliResult().getJsonObject("usage").getLong("input_tokens"));
      String api = "http://127.0.0.1:" + secured.apiPort();
      assertThat(command("session", "--api", api, "--token", "report-token").lines().reduce((first, second) -> second)
          .orElseThrow()).startsWith("Total").contains(" " + input + " ");
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      ReportCommand report = new ReportCommand(new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true));
      assertThat(report.run(List.of("monthly", "--api", api), Map.of("CONTEXTWATCH_API_TOKEN", "report-token"))).isZero();
      assertThat(report.run(List.of("monthly", "--api", api), Map.of())).isEqualTo(1);
      assertThat(err.toString(StandardCharsets.UTF_8)).contains("401", "needs the API token");
    } finally {
      try {
        secured.stop();
      } finally {
        PipelineHarness.await(other.close());
      }
    }
  }

  @Test
  @DisplayName("a bad parameter is a 400 naming it; an unknown report a 404 listing the reports")
  void badParameters() throws Exception {
    Map<String, String> bad = new LinkedHashMap<>();
    bad.put("since=2026-13-01", "query parameter 'since'");
    bad.put("until=yesterday", "query parameter 'until'");
    bad.put("since=2026-02-02&until=2026-02-01", "query parameter 'since' must not be after 'until'");
    bad.put("tz=Mars/Olympus", "query parameter 'tz'");
    bad.put("weekStart=someday", "query parameter 'weekStart'");
    bad.put("by=colour", "query parameter 'by'");
    bad.put("format=xml", "query parameter 'format'");
    for (Map.Entry<String, String> e : bad.entrySet()) {
      JsonObject error = pipeline.api(HttpMethod.GET, "/api/v1/reports/daily?" + e.getKey(), 400);
      assertThat(error.getString("message")).as(e.getKey()).startsWith(e.getValue());
    }
    assertThat(pipeline.api(HttpMethod.GET, "/api/v1/reports/project?by=project", 400).getString("message"))
        .startsWith("query parameter 'by'");
    assertThat(pipeline.api(HttpMethod.GET, "/api/v1/reports/yearly", 404).getString("message"))
        .contains("daily, weekly, monthly, session, project, model");
  }

  private void post(String path, String contentType, Buffer body) throws Exception {
    PipelineHarness.Response response = pipeline.postAndWait(path, contentType, body, Map.of());
    assertThat(response.status()).as("%s", response.body()).isEqualTo(200);
  }

  private String command(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = new ReportCommand(new PrintStream(out, true), new PrintStream(err, true)).run(List.of(args), Map.of());
    assertThat(status).as(err.toString(StandardCharsets.UTF_8)).isZero();
    return out.toString(StandardCharsets.UTF_8);
  }

  private String csv(String path, Map<String, String> headers) throws Exception {
    PipelineHarness.Response response = PipelineHarness.await(pipeline.apiRequest(HttpMethod.GET, path, Buffer.buffer(), headers));
    assertThat(response.status()).as(response.body().toString()).isEqualTo(200);
    assertThat(response.headers().get("Content-Type")).startsWith("text/csv");
    return response.body().toString(StandardCharsets.UTF_8);
  }

  /** The report's rows of the edge project's requests as {@code key=input tokens}. */
  private List<String> keys(String report, String tz, String weekStart) throws Exception {
    JsonObject answer = pipeline.apiGet("/api/v1/reports/" + report + "?since=2026-01-30&until=2026-02-03&tz=" + tz
        + "&weekStart=" + weekStart);
    List<String> keys = new ArrayList<>();
    answer.getJsonArray("rows").forEach(row -> keys.add(((JsonObject) row).getString(answer.getString("key")) + "="
        + ((JsonObject) row).getLong("inputTokens")));
    return keys;
  }

  private static List<String> splits(String report) {
    List<String> splits = new ArrayList<>();
    splits.add(null);
    GROUPS.stream().filter(by -> !by.equals(report)).forEach(splits::add);
    return splits;
  }

  /** The stored api_request events' sums, straight from the table. */
  private JsonObject storedSums(String condition) throws Exception {
    String sums = pipeline.query("select json_build_object('inputTokens', sum(input_tokens), 'outputTokens', sum(output_tokens),"
        + " 'cacheCreationTokens', sum(cache_creation_tokens), 'cacheReadTokens', sum(cache_read_tokens),"
        + " 'totalTokens', sum(coalesce(input_tokens, 0) + coalesce(output_tokens, 0) + coalesce(cache_creation_tokens, 0)"
        + " + coalesce(cache_read_tokens, 0)), 'costUsd', sum(round(cost_usd::numeric, 6)), 'requests', count(*))::text"
        + " from events where event_name = 'api_request' and " + condition);
    return new JsonObject(sums);
  }

  private static JsonObject rowSums(JsonArray rows) {
    JsonObject sums = new JsonObject();
    rows.forEach(row -> ((JsonObject) row).forEach(e -> {
      if (e.getValue() instanceof Number n) {
        sums.put(e.getKey(), n.doubleValue() + sums.getDouble(e.getKey(), 0.0));
      }
    }));
    return sums;
  }

  /** The CLI's own totals of a recorded run, in the report's figures. */
  private static JsonObject cli(Fixtures.Folder folder) {
    JsonObject result = folder.cliResult();
    JsonObject usage = result.getJsonObject("usage");
    long input = usage.getLong("input_tokens");
    long output = usage.getLong("output_tokens");
    long cacheCreation = usage.getLong("cache_creation_input_tokens");
    long cacheRead = usage.getLong("cache_read_input_tokens");
    return new JsonObject().put("inputTokens", input).put("outputTokens", output).put("cacheCreationTokens", cacheCreation)
        .put("cacheReadTokens", cacheRead).put("totalTokens", input + output + cacheCreation + cacheRead)
        .put("costUsd", result.getDouble("total_cost_usd")).put("requests", result.getLong("num_turns"));
  }

  private static void assertFigures(JsonObject actual, JsonObject expected, String what) {
    assertThat(actual).as(what).isNotNull();
    for (String field : TOKENS) {
      assertThat(Math.round(((Number) actual.getValue(field)).doubleValue())).as("%s: %s", what, field)
          .isEqualTo(Math.round(((Number) expected.getValue(field)).doubleValue()));
    }
    assertThat(((Number) actual.getValue("costUsd")).doubleValue()).as("%s: costUsd", what)
        .isCloseTo(((Number) expected.getValue("costUsd")).doubleValue(), within(1e-9));
  }
}
