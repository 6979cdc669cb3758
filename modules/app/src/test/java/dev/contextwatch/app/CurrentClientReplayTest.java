package dev.contextwatch.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.contextwatch.testkit.Fixtures;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every run recorded from Claude Code 2.1.332 (npm's latest: subagents, reactive compaction,
 * retries, resume, traces; over OTLP/HTTP and gRPC) replayed through the whole pipeline: the
 * session's totals are the sums of the CLI's own {@code modelUsage}, however often it is replayed.
 */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CurrentClientReplayTest {
  private PipelineHarness pipeline;
  private HttpClient grpc;

  @BeforeAll
  void start(Vertx vertx) throws Exception {
    pipeline = PipelineHarness.start(vertx);
    grpc = GrpcCalls.client(vertx, 1, 10);
  }

  @AfterAll
  void stop() throws Exception {
    try {
      PipelineHarness.await(grpc.close());
    } finally {
      pipeline.stop();
    }
  }

  Stream<Fixtures.Folder> folders() {
    return Fixtures.folders(Fixtures.CLIENT_2_1_332).stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("folders")
  @DisplayName("a recorded 2.1.332 run adds up to the CLI's modelUsage and total cost, also when replayed twice")
  void totalsEqualModelUsage(Fixtures.Folder folder) throws Exception {
    replay(folder);
    assertTotals(folder);
    replay(folder);
    assertTotals(folder);
  }

  @Test
  @DisplayName("the recorded 2.1.332 trace gives the tree of agents: the main agent, and under it the general-purpose subagent with the requests and tokens its events count")
  void agentTree() throws Exception {
    Fixtures.Folder folder = new Fixtures.Folder(Fixtures.CLIENT_2_1_332, "subagent-traces-delta-json");
    replay(folder);
    String path = "/api/v1/sessions/" + folder.sessionId();
    JsonObject byType = pipeline.apiGet(path).getJsonObject("subagents").getJsonObject("byType").getJsonObject("general-purpose");
    JsonObject tree = pipeline.apiGet(path + "/agents");
    assertThat(tree.getBoolean("truncated")).isFalse();
    JsonObject main = tree.getJsonObject("main");
    assertThat(main.getString("agentType")).isEqualTo("main");
    assertThat(main.getLong("requests")).isEqualTo(5);
    assertThat(main.getLong("toolCalls")).as("Bash, Agent, Bash").isEqualTo(3);
    assertThat(main.getJsonArray("agents")).hasSize(1);
    JsonObject subagent = main.getJsonArray("agents").getJsonObject(0);
    assertThat(subagent.getString("agentId")).isEqualTo("a6fb604f8263b854e");
    assertThat(subagent.getString("agentType")).isEqualTo("general-purpose");
    assertThat(subagent.getLong("toolCalls")).isEqualTo(3);
    for (String key : List.of("apiRequests:requests", "inputTokens:inputTokens", "outputTokens:outputTokens",
        "cacheReadTokens:cacheReadTokens", "cacheCreationTokens:cacheCreationTokens")) {
      String[] keys = key.split(":");
      assertThat(subagent.getLong(keys[1])).as(keys[1]).isEqualTo(byType.getLong(keys[0]));
    }
    assertThat(pipeline.api(HttpMethod.GET, "/api/v1/sessions/no-such-session/agents", 404)
        .getString("message")).contains("no-such-session");
  }

  Stream<Fixtures.Folder> subagentFolders() {
    return folders().filter(folder -> folder.name().contains("subagent"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("subagentFolders")
  @DisplayName("a recorded 2.1.332 subagent's requests count as subagent work under its type, its run is kept, and only the main thread's requests move the context")
  void subagentWork(Fixtures.Folder folder) throws Exception {
    replay(folder);
    String path = "/api/v1/sessions/" + folder.sessionId();
    JsonObject session = pipeline.apiGet(path);
    List<JsonObject> requests = items(pipeline.apiGet(path + "/events?name=api_request&limit=1000"));
    List<JsonObject> ofSubagent = requests.stream().filter(r -> querySource(r).startsWith("agent:builtin:general-purpose"))
        .toList();
    List<JsonObject> ofMain = requests.stream().filter(r -> querySource(r).equals("sdk")).toList();
    assertThat(ofSubagent).as("the fixture's subagent requests").isNotEmpty();

    assertThat(session.getJsonObject("byThread").fieldNames()).contains("main", "subagent");
    assertThat(session.getJsonObject("byThread").getJsonObject("subagent").getLong("apiRequests"))
        .isEqualTo(ofSubagent.size());
    JsonObject generalPurpose = session.getJsonObject("subagents").getJsonObject("byType").getJsonObject("general-purpose");
    assertThat(session.getJsonObject("subagents").getJsonObject("byType").fieldNames()).containsExactly("general-purpose");
    assertThat(generalPurpose.getLong("apiRequests")).isEqualTo(ofSubagent.size());
    assertThat(generalPurpose.getLong("inputTokens")).isEqualTo(sum(ofSubagent, "inputTokens"));
    assertThat(generalPurpose.getLong("cacheReadTokens")).isEqualTo(sum(ofSubagent, "cacheReadTokens"));
    assertThat(generalPurpose.getLong("costMicros")).isEqualTo(sum(ofSubagent, "costMicros"));

    JsonObject completed = items(pipeline.apiGet(path + "/events?name=subagent_completed")).get(0).getJsonObject("attributes");
    assertThat(session.getJsonObject("subagents").getLong("runCount")).isEqualTo(1);
    JsonObject run = session.getJsonObject("subagents").getJsonArray("runs").getJsonObject(0);
    assertThat(run.getString("agentType")).isEqualTo("general-purpose");
    assertThat(run.getString("agentId")).isEqualTo(completed.getString("agent_id"));
    assertThat(run.getLong("totalTokens")).isEqualTo(Long.parseLong(String.valueOf(completed.getValue("total_tokens"))));
    assertThat(run.getLong("totalToolUses")).isPositive();
    assertThat(run.getString("model")).isEqualTo(completed.getString("model"));

    assertThat(items(session.getJsonArray("contextSeries")).stream().map(s -> s.getLong("tokens")).sorted().toList())
        .as("the context follows the main thread's requests alone")
        .isEqualTo(ofMain.stream().map(r -> sum(List.of(r), "inputTokens", "cacheReadTokens", "cacheCreationTokens")).sorted()
            .toList());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("folders")
  @DisplayName("a recorded 2.1.332 session shows how it started: the resumed run's session says resume, the others fresh")
  void startTypes(Fixtures.Folder folder) throws Exception {
    replay(folder);
    JsonObject session = pipeline.apiGet("/api/v1/sessions/" + folder.sessionId());
    boolean resumed = folder.name().startsWith("resume");

    assertThat(session.getBoolean("resumed")).isEqualTo(resumed);
    assertThat(session.getJsonArray("startTypes").getList())
        .isEqualTo(resumed ? List.of("fresh", "resume") : List.of("fresh"));
  }

  private static List<JsonObject> items(JsonObject page) {
    return items(page.getJsonArray("items"));
  }

  private static List<JsonObject> items(JsonArray array) {
    return array.stream().map(JsonObject.class::cast).toList();
  }

  private static String querySource(JsonObject request) {
    return request.getJsonObject("attributes").getString("query_source", "");
  }

  private static long sum(List<JsonObject> requests, String... keys) {
    return requests.stream().mapToLong(r -> Stream.of(keys).mapToLong(k -> r.getLong(k, 0L)).sum()).sum();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("folders")
  @DisplayName("a recorded 2.1.332 run's context window is the one the CLI reported in modelUsage for its model")
  void windowAsTheCliReports(Fixtures.Folder folder) throws Exception {
    replay(folder);
    for (JsonObject result : folder.cliResults()) {
      JsonObject context = pipeline.apiGet("/api/v1/sessions/" + result.getString("session_id")).getJsonObject("context");
      String model = context.getString("model");
      if (model != null) { // a run whose every request failed has no main-thread request, so no model
        assertThat(context.getLong("window")).as(model)
            .isEqualTo(result.getJsonObject("modelUsage").getJsonObject(model).getLong("contextWindow"));
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"reactive-compaction-delta-json, 195098, 2982", "reactive-compaction-cumulative-protobuf, 169526, 2764"})
  @DisplayName("a reactive compaction is counted with its pre and post tokens, its pre_tokens becomes the threshold, and the request the API refused as too long is counted as the error that forced it")
  void reactiveCompaction(String name, long preTokens, long postTokens) throws Exception {
    Fixtures.Folder folder = new Fixtures.Folder(Fixtures.CLIENT_2_1_332, name);
    replay(folder);
    replay(folder);
    JsonObject session = pipeline.apiGet("/api/v1/sessions/" + folder.sessionId());
    JsonObject context = session.getJsonObject("context");
    assertThat(context.getInteger("compactions")).isEqualTo(1);
    assertThat(context.getJsonObject("lastCompaction")).isEqualTo(new JsonObject().put("trigger", "auto").put("success", true)
        .put("preTokens", preTokens).put("postTokens", postTokens));
    assertThat(context.getLong("threshold")).isEqualTo(preTokens);
    assertThat(context.getString("thresholdSource")).isEqualTo("observed");
    JsonObject errors = session.getJsonObject("errors");
    assertThat(errors.getLong("apiErrors")).isEqualTo(1);
    assertThat(errors.getLong("promptTooLong")).isEqualTo(1);
    assertThat(errors.getLong("retriesExhausted")).isZero();
    assertThat(errors.getJsonObject("byStatus")).isEqualTo(new JsonObject().put("400", 1));
    assertThat(errors.getJsonObject("last").getString("message")).startsWith("prompt is too long: ");
  }

  @Test
  @DisplayName("a request whose retries ran out is counted as an api_error and as retries exhausted, with the client's message and attempts")
  void retriesExhausted() throws Exception {
    Fixtures.Folder folder = new Fixtures.Folder(Fixtures.CLIENT_2_1_332, "api-retries-exhausted-delta-protobuf");
    replay(folder);
    replay(folder);
    JsonObject errors = pipeline.apiGet("/api/v1/sessions/" + folder.sessionId()).getJsonObject("errors");
    assertThat(errors.getLong("apiErrors")).isEqualTo(1);
    assertThat(errors.getLong("retriesExhausted")).isEqualTo(1);
    assertThat(errors.getLong("promptTooLong")).isZero();
    assertThat(errors.getJsonObject("byStatus")).as("2.1.332 sends no status_code here").isEqualTo(new JsonObject().put("unknown", 1));
    JsonObject last = errors.getJsonObject("last");
    assertThat(last.getString("kind")).isEqualTo("api_retries_exhausted");
    assertThat(last.getString("message")).isEqualTo("Repeated 529 Overloaded errors");
    assertThat(last.getInteger("attempt")).isEqualTo(3);
  }

  private void replay(Fixtures.Folder folder) throws Exception {
    for (Fixtures.Request request : folder.requests()) {
      if (request.contentType().equals("application/grpc")) {
        GrpcCalls.Answer answer = PipelineHarness.await(GrpcCalls.call(grpc, pipeline.otlpGrpcPort(), request.path(),
            request.body(), Map.of()));
        assertThat(answer.status()).as("%s: %s", request.file(), answer.message()).isZero();
      } else {
        PipelineHarness.Response response = pipeline.postAndWait(request.path(), request.contentType(), request.body(), Map.of());
        assertThat(response.status()).as("%s: %s", request.file(), response.body()).isEqualTo(200);
      }
    }
  }

  /** Each session of the folder (a resumed run may start another) against the sums of its runs' modelUsage. */
  private void assertTotals(Fixtures.Folder folder) throws Exception {
    for (JsonObject result : folder.cliResults()) {
      assertThat(Fixtures.ModelUsage.of(result).costUsd()).as("modelUsage cost vs total_cost_usd")
          .isCloseTo(result.getDouble("total_cost_usd"), within(1e-9));
    }
    for (Map.Entry<String, Fixtures.ModelUsage> session : folder.modelUsageBySession().entrySet()) {
      CliTotals.assertMatch(pipeline.apiGet("/api/v1/sessions/" + session.getKey()), session.getValue());
    }
  }
}
