package dev.contextwatch.app;

import static dev.contextwatch.app.OtlpRequests.PROTOBUF;
import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.testkit.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.VertxExtension;
import java.sql.Connection;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The database, not the processor's memory, decides what is new: a retry is never counted twice in
 * the totals, however late its original commits and whatever the dedup cache still holds.
 */
@ExtendWith(VertxExtension.class)
class RetryCountedOnceTest {

  @Test
  @DisplayName("a batch answered 503 after the processor's store time-out that commits later is not counted again when the client retries it")
  void lateCommitThenRetry(Vertx vertx) throws Exception {
    String url = TestDatabase.newDatabase();
    PipelineHarness pipeline = PipelineHarness.start(vertx, url,
        config -> config.withSessions(config.sessions().withProcessorStoreTimeoutMs(500)));
    try {
      assertThat(post(pipeline, OtlpRequests.apiRequests("late", 0, 1)).status()).isEqualTo(200);
      Buffer batch = OtlpRequests.apiRequests("late", 1, 10);
      try (Connection stall = TestDatabase.connect(url)) {
        stall.setAutoCommit(false);
        stall.createStatement().execute("LOCK TABLE events IN ACCESS EXCLUSIVE MODE");
        // the processor gives up after 500 ms and answers 503; the batch stays queued behind the lock
        PipelineHarness.Response timedOut = post(pipeline, batch);
        assertThat(timedOut.status()).as(timedOut.body().toString()).isEqualTo(503);
        assertThat(timedOut.body().toString()).as("said in the client's terms").doesNotContain("__vertx").doesNotContain("Exception");
        stall.rollback();
      }
      pipeline.awaitCount("select count(*) from events where session_id = 'late'", 11);

      PipelineHarness.Response retried = post(pipeline, batch);
      assertThat(retried.status()).as(retried.body().toString()).isEqualTo(200);
      assertThat(pipeline.count("select count(*) from events where session_id = 'late'")).isEqualTo(11);
      assertThat(pipeline.count("select api_requests from sessions where session_id = 'late'")).isEqualTo(11);
      StoredTotals.assertEqualRows(url, "after the retry");
    } finally {
      pipeline.stop();
    }
  }

  @Test
  @DisplayName("with a dedup cache of two keys, every request retried at once is still counted once")
  void tinyDedupCache(Vertx vertx) throws Exception {
    String url = TestDatabase.newDatabase();
    PipelineHarness pipeline = PipelineHarness.start(vertx, url,
        config -> config.withSessions(config.sessions().withDedupCacheRecords(2)));
    try {
      for (int request = 0; request < 10; request++) {
        Buffer batch = OtlpRequests.apiRequests("tiny-cache", request * 10L, 10);
        assertThat(post(pipeline, batch).status()).isEqualTo(200);
        assertThat(post(pipeline, batch).status()).isEqualTo(200);
      }
      assertThat(pipeline.count("select count(*) from events where session_id = 'tiny-cache'")).isEqualTo(100);
      assertThat(pipeline.count("select api_requests from sessions where session_id = 'tiny-cache'")).isEqualTo(100);
      StoredTotals.assertEqualRows(url, "after the retries");
    } finally {
      pipeline.stop();
    }
  }

  private static PipelineHarness.Response post(PipelineHarness pipeline, Buffer body) throws Exception {
    return pipeline.postAndWait("/v1/logs", PROTOBUF, body, Map.of());
  }
}
