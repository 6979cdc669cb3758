package dev.contextwatch.app;

import static dev.contextwatch.app.DecodedRecords.apiRequest;
import static dev.contextwatch.app.DecodedRecords.logs;
import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.testkit.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class SessionCloseTest {

  @Test
  @DisplayName("closing a session writes its row alone: closed, its totals kept, no record stored again")
  void closeWritesTheRowAlone(Vertx vertx) throws Exception {
    PipelineHarness pipeline = PipelineHarness.start(vertx, TestDatabase.newDatabase(), config -> config);
    try {
      pipeline.ingest(logs(apiRequest("to-close", 1, 100L, 10_000L)));

      pipeline.api(HttpMethod.POST, "/api/v1/sessions/to-close/close", 200);

      assertThat(pipeline.count("select count(*) from sessions where session_id = 'to-close' and closed_at is not null")).isEqualTo(1);
      assertThat(pipeline.query("select input_tokens from sessions where session_id = 'to-close'")).isEqualTo("100");
      assertThat(pipeline.count("select count(*) from events where session_id = 'to-close'")).isEqualTo(1);
    } finally {
      pipeline.stop();
    }
  }
}
