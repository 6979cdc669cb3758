package dev.contextwatch.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.contextwatch.testkit.Fixtures;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Session totals and context through the whole pipeline and the query API, against the CLI's own numbers. */
@ExtendWith(VertxExtension.class)
class SessionTotalsTest {

  static Stream<Fixtures.Folder> folders() {
    return Fixtures.folders().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("folders")
  @DisplayName("a session's totals from the API equal the CLI's, also after the run is replayed a second time")
  void totalsMatchTheCli(Fixtures.Folder folder, Vertx vertx) throws Exception {
    PipelineHarness pipeline = PipelineHarness.start(vertx);
    try {
      replay(pipeline, folder.requests());
      assertTotals(pipeline, folder);
      replay(pipeline, folder.requests());
      assertTotals(pipeline, folder);
    } finally {
      pipeline.stop();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("folders")
  @DisplayName("a restart of the pipeline between every two requests of a run neither counts twice nor loses anything")
  void restartBetweenRequests(Fixtures.Folder folder, Vertx vertx) throws Exception {
    PipelineHarness pipeline = PipelineHarness.start(vertx);
    try {
      for (Fixtures.Request request : folder.requests()) {
        replay(pipeline, List.of(request));
        pipeline.restart();
      }
      assertTotals(pipeline, folder);
    } finally {
      pipeline.stop();
    }
  }

  @Test
  @DisplayName("a request and its retry in flight at the same time (an exporter whose timeout fired) count once in the totals")
  void concurrentRetryCountsOnce(Vertx vertx) throws Exception {
    PipelineHarness pipeline = PipelineHarness.start(vertx);
    try {
      Fixtures.Folder folder = Fixtures.folder("tool-loop-delta-protobuf");
      for (Fixtures.Request request : folder.requests()) {
        List<Future<PipelineHarness.Response>> copies = List.of(
            pipeline.post(request.path(), request.contentType(), request.body(), Map.of()),
            pipeline.post(request.path(), request.contentType(), request.body(), Map.of()));
        PipelineHarness.await(Future.all(copies));
        assertThat(copies).allSatisfy(copy -> assertThat(copy.result().status()).isEqualTo(200));
      }
      assertTotals(pipeline, folder);
    } finally {
      pipeline.stop();
    }
  }

  @Test
  @DisplayName("after a tool loop the context is the last main-thread prompt, as a share of a 200k window for claude-sonnet-4-5")
  void contextOnTwoHundredK(Vertx vertx) throws Exception {
    JsonObject context = contextAfter(vertx, Fixtures.folder("tool-loop-delta-protobuf"));
    assertThat(context.getLong("tokens")).isEqualTo(lastMainPromptTokens("tool-loop-delta-protobuf", vertx));
    assertThat(context.getLong("window")).isEqualTo(200_000L);
    assertThat(context.getLong("threshold")).isEqualTo(167_000L);
    assertThat(context.getDouble("percentOfWindow")).isCloseTo(100.0 * context.getLong("tokens") / 200_000, within(1e-9));
    assertThat(context.getDouble("growthPerRequest")).isPositive();
  }

  @Test
  @DisplayName("claude-opus-4-8 runs on a 1M window")
  void contextOnOneMillion(Vertx vertx) throws Exception {
    JsonObject context = contextAfter(vertx, Fixtures.folder("tool-loop-delta-json"));
    assertThat(context.getLong("window")).isEqualTo(1_000_000L);
    assertThat(context.getLong("threshold")).isEqualTo(967_000L);
    assertThat(context.getDouble("percentOfWindow")).isCloseTo(100.0 * context.getLong("tokens") / 1_000_000, within(1e-9));
  }

  @Test
  @DisplayName("the run named in contextwatch.run_id lists its session, with the project and label from the resource")
  void runs(Vertx vertx) throws Exception {
    PipelineHarness pipeline = PipelineHarness.start(vertx);
    try {
      Fixtures.Folder folder = Fixtures.folder("tool-loop-delta-protobuf");
      replay(pipeline, folder.requests());
      JsonObject run = pipeline.apiGet("/api/v1/runs/run-42");
      assertThat(run.getJsonArray("tree")).hasSize(1);
      JsonObject session = run.getJsonArray("tree").getJsonObject(0);
      assertThat(session.getString("sessionId")).isEqualTo(folder.sessionId());
      assertThat(session.getString("project")).isEqualTo("acme");
      assertThat(session.getString("label")).isEqualTo("term-1");
      assertThat(run.getJsonObject("totals").getLong("inputTokens"))
          .isEqualTo(folder.cliResult().getJsonObject("usage").getLong("input_tokens"));
    } finally {
      pipeline.stop();
    }
  }

  private JsonObject contextAfter(Vertx vertx, Fixtures.Folder folder) throws Exception {
    PipelineHarness pipeline = PipelineHarness.start(vertx);
    try {
      replay(pipeline, folder.requests());
      return pipeline.apiGet("/api/v1/sessions/" + folder.sessionId()).getJsonObject("context");
    } finally {
      pipeline.stop();
    }
  }

  /** The prompt size of the folder's last main-thread api_request, read straight from the stored events. */
  private long lastMainPromptTokens(String folderName, Vertx vertx) throws Exception {
    PipelineHarness pipeline = PipelineHarness.start(vertx);
    try {
      Fixtures.Folder folder = Fixtures.folder(folderName);
      replay(pipeline, folder.requests());
      return pipeline.count("select input_tokens + cache_read_tokens + cache_creation_tokens from events"
          + " where event_name = 'api_request' and attributes->>'query_source' in ('main', 'sdk')"
          + " and session_id = '" + folder.sessionId() + "' order by time desc, event_sequence desc limit 1");
    } finally {
      pipeline.stop();
    }
  }

  private static void replay(PipelineHarness pipeline, List<Fixtures.Request> requests) throws Exception {
    for (Fixtures.Request request : requests) {
      PipelineHarness.Response response = pipeline.postAndWait(request.path(), request.contentType(), request.body(), Map.of());
      assertThat(response.status()).as("%s: %s", request.file(), response.body()).isEqualTo(200);
    }
  }

  private static void assertTotals(PipelineHarness pipeline, Fixtures.Folder folder) throws Exception {
    CliTotals.assertMatch(pipeline.apiGet("/api/v1/sessions/" + folder.sessionId()), folder);
  }
}
