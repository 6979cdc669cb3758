package dev.contextwatch.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.testkit.Fixtures;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The threshold a project's sessions compacted at, for its sessions that have not compacted yet:
 * 2.1.332 recordings replayed as sessions of one project (docs/claude-code-setup.md, What
 * contextwatch derives).
 */
@ExtendWith(VertxExtension.class)
class ProjectThresholdReplayTest {
  private static final Fixtures.Folder COMPACTED = new Fixtures.Folder(Fixtures.CLIENT_2_1_332, "reactive-compaction-delta-json");
  private static final Fixtures.Folder SAME_MODEL = new Fixtures.Folder(Fixtures.CLIENT_2_1_332, "subagent-delta-json");
  private static final Fixtures.Folder AFTER_RESTART = new Fixtures.Folder(Fixtures.CLIENT_2_1_332, "subagent-traces-delta-json");
  private static final Fixtures.Folder OTHER_MODEL = new Fixtures.Folder(Fixtures.CLIENT_2_1_332, "tool-loop-delta-json");

  @Test
  @DisplayName("a 2.1.332 session that has not compacted takes the threshold its project's session of the same model and version compacted at, also after a restart; another model's session does not")
  void projectThreshold(Vertx vertx) throws Exception {
    PipelineHarness pipeline = PipelineHarness.start(vertx);
    try {
      replayInProject(pipeline, COMPACTED, "acme");
      JsonObject compacted = context(pipeline, COMPACTED);
      assertThat(compacted.getString("thresholdSource")).isEqualTo("observed");
      long learnt = compacted.getLong("observedThreshold");

      replayInProject(pipeline, SAME_MODEL, "acme");
      JsonObject sameModel = context(pipeline, SAME_MODEL);
      assertThat(sameModel.getString("thresholdSource")).isEqualTo("project");
      assertThat(sameModel.getLong("threshold")).isEqualTo(learnt);
      assertThat(sameModel.getInteger("compactions")).isZero();
      assertThat(context(pipeline, SAME_MODEL).containsKey("observedThreshold")).isFalse();

      // a new processor learns it again from what is stored
      pipeline = pipeline.restart();
      replayInProject(pipeline, AFTER_RESTART, "acme");
      assertThat(context(pipeline, AFTER_RESTART).getString("thresholdSource")).isEqualTo("project");
      assertThat(context(pipeline, AFTER_RESTART).getLong("threshold")).isEqualTo(learnt);

      replayInProject(pipeline, OTHER_MODEL, "acme");
      assertThat(context(pipeline, OTHER_MODEL).getString("thresholdSource")).isIn("model", "formula");
    } finally {
      pipeline.stop();
    }
  }

  private static JsonObject context(PipelineHarness pipeline, Fixtures.Folder folder) throws Exception {
    return pipeline.apiGet("/api/v1/sessions/" + folder.sessionId()).getJsonObject("context");
  }

  /** Replays a recording sent as OTLP/JSON with {@code service.namespace} (the project) added to every resource. */
  private static void replayInProject(PipelineHarness pipeline, Fixtures.Folder folder, String project) throws Exception {
    for (Fixtures.Request request : folder.requests()) {
      JsonObject body = request.body().toJsonObject();
      for (String resources : List.of("resourceLogs", "resourceMetrics", "resourceSpans")) {
        for (Object resource : body.getJsonArray(resources, new JsonArray())) {
          ((JsonObject) resource).getJsonObject("resource").getJsonArray("attributes").add(new JsonObject()
              .put("key", "service.namespace").put("value", new JsonObject().put("stringValue", project)));
        }
      }
      PipelineHarness.Response response = pipeline.postAndWait(request.path(), request.contentType(), Buffer.buffer(body.encode()),
          Map.of());
      assertThat(response.status()).as("%s: %s", request.file(), response.body()).isEqualTo(200);
    }
  }
}
