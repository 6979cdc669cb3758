package dev.contextwatch.app;

import static dev.contextwatch.app.OtlpRequests.PROTOBUF;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class ConcurrentClientsTest {
  private static final int CLIENTS = 50;
  private static final int BATCHES_PER_CLIENT = 20;
  private static final int RECORDS_PER_BATCH = 25;

  @Test
  @DisplayName("50 clients posting at once, each retrying some batches, have every acknowledged record stored exactly once")
  void fiftyClients(Vertx vertx) throws Exception {
    PipelineHarness pipeline = PipelineHarness.start(vertx);
    try {
      AtomicLong acknowledged = new AtomicLong();
      List<Future<Void>> clients = new ArrayList<>();
      for (int client = 0; client < CLIENTS; client++) {
        clients.add(runClient(pipeline, "client-" + client, 0, acknowledged));
      }
      PipelineHarness.await(Future.all(clients));

      long expected = (long) CLIENTS * BATCHES_PER_CLIENT * RECORDS_PER_BATCH;
      assertThat(acknowledged.get()).isEqualTo(expected);
      assertThat(pipeline.count("select count(*) from events")).isEqualTo(expected);
      assertThat(pipeline.count("select count(distinct (session_id, event_sequence)) from events")).isEqualTo(expected);
    } finally {
      pipeline.stop();
    }
  }

  /** One client: its batches in sequence, every third one sent twice as an exporter does after a lost response. */
  private static Future<Void> runClient(PipelineHarness pipeline, String session, int batch, AtomicLong acknowledged) {
    if (batch == BATCHES_PER_CLIENT) {
      return Future.succeededFuture();
    }
    Buffer body = OtlpRequests.apiRequests(session, (long) batch * RECORDS_PER_BATCH, RECORDS_PER_BATCH);
    Future<PipelineHarness.Response> sent = pipeline.post("/v1/logs", PROTOBUF, body, Map.of());
    if (batch % 3 == 0) {
      sent = sent.compose(first -> pipeline.post("/v1/logs", PROTOBUF, body, Map.of()));
    }
    return sent.compose(response -> {
      if (response.status() != 200) {
        return Future.failedFuture(session + " batch " + batch + ": " + response.status() + " " + response.body());
      }
      acknowledged.addAndGet(RECORDS_PER_BATCH);
      return runClient(pipeline, session, batch + 1, acknowledged);
    });
  }
}
