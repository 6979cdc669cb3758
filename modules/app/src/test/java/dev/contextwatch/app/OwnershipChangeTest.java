package dev.contextwatch.app;

import static dev.contextwatch.app.DecodedRecords.apiRequest;
import static dev.contextwatch.app.DecodedRecords.logs;
import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.core.bus.Addresses;
import dev.contextwatch.core.metrics.Meters;
import dev.contextwatch.testkit.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What a node does when the cluster's ownership moved: it forgets the sessions it held and reads them back from PostgreSQL. */
@ExtendWith(VertxExtension.class)
class OwnershipChangeTest {
  private PipelineHarness pipeline;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    pipeline = PipelineHarness.start(vertx, TestDatabase.newDatabase(), config -> config);
  }

  @AfterEach
  void stop() throws Exception {
    pipeline.stop();
  }

  @Test
  @DisplayName("after OWNERSHIP_CHANGED the processor reads a session back from PostgreSQL, so what another node committed meanwhile counts; before it, its own state wins")
  void stateReadBackAfterOwnershipChanged() throws Exception {
    pipeline.ingest(logs(apiRequest("moved", 1, 100L, 10_000L)));
    appliedElsewhere();
    pipeline.ingest(logs(apiRequest("moved", 2, 100L, 10_000L)));
    assertThat(apiRequests()).as("held in memory, the session does not see the row changed behind its back").isEqualTo(2);

    appliedElsewhere();
    double changes = changes();
    pipeline.vertx.eventBus().publish(Addresses.OWNERSHIP_CHANGED, null, new DeliveryOptions().setLocalOnly(true));
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> changes() > changes);
    pipeline.ingest(logs(apiRequest("moved", 3, 100L, 10_000L)));

    assertThat(apiRequests()).as("read back: the 40 committed elsewhere and this one").isEqualTo(41);
  }

  /** What another node's commit would leave: the row's totals moved on (here without the version, which would also fence it). */
  private void appliedElsewhere() throws Exception {
    // the totals are read back from the summary's threads
    pipeline.execute("update sessions set api_requests = 40, summary = jsonb_set(jsonb_set(summary, '{totals,apiRequests}', '40'),"
        + " '{byThread,main,apiRequests}', '40') where session_id = 'moved'");
  }

  private long apiRequests() throws Exception {
    return new JsonObject(pipeline.query("select summary::text from sessions where session_id = 'moved'"))
        .getJsonObject("totals").getLong("apiRequests");
  }

  private static double changes() {
    return Meters.registry().counter("contextwatch_ownership_changes_total").count();
  }
}
