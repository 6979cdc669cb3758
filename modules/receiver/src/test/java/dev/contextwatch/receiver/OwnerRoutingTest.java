package dev.contextwatch.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.core.bus.Addresses;
import dev.contextwatch.core.bus.LocalCodec;
import dev.contextwatch.core.bus.StoreFailure;
import dev.contextwatch.core.cluster.Ownership;
import dev.contextwatch.core.cluster.WireCodecs;
import dev.contextwatch.core.model.IngestOutcome;
import dev.contextwatch.core.model.RecordBatch;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Cluster mode's receiver, with the owners stood in for by consumers of their addresses on one
 * Vert.x: sessions starting with "a" are this node's ({@code INGEST}), the others node n2's
 * ({@code ingestOn("n2")}, through the wire codec). A request is answered once both parts replied.
 */
@ExtendWith(VertxExtension.class)
class OwnerRoutingTest {
  private static final String LOCAL = "n1";
  private static final String REMOTE = "n2";
  private final Map<String, List<String>> received = new ConcurrentHashMap<>();

  /** Sessions starting with "a" are n1's; the others n2's, or n1's once {@code moveAfter} resolutions were made. */
  private record TestOwnership(AtomicInteger resolutions, int moveAfter) implements Ownership {
    @Override
    public String localNode() {
      return LOCAL;
    }

    @Override
    public String ownerOf(String sessionId) {
      return sessionId.startsWith("a") || resolutions.incrementAndGet() > moveAfter ? LOCAL : REMOTE;
    }

    @Override
    public boolean clustered() {
      return true;
    }
  }

  @Test
  @DisplayName("a request of two owners' sessions sends each its records in order and answers with the refusals of both parts")
  void splitsAndMerges(Vertx vertx) throws Exception {
    Ownership.register(vertx, new TestOwnership(new AtomicInteger(), Integer.MAX_VALUE));
    owner(vertx, Addresses.INGEST, LOCAL, new DeliveryOptions(), "OK");
    owner(vertx, Addresses.ingestOn(REMOTE), REMOTE, WireCodecs.INGEST_OUTCOME.options(), "OK");

    RecordBatch answered = store(vertx, "a-1", "b-1", "a-2", "b-2", "b-1");

    assertThat(received.get(LOCAL)).containsExactly("a-1/0", "a-2/2");
    assertThat(received.get(REMOTE)).containsExactly("b-1/1", "b-2/3", "b-1/4");
    assertThat(answered.rejected()).isEqualTo(2);
    assertThat(answered.rejectionMessage()).contains("refused by " + LOCAL).contains("refused by " + REMOTE);
  }

  @ParameterizedTest(name = "{0} and {1}: {2}")
  @CsvSource({
      "SATURATED, UNAVAILABLE, 503",
      "UNAVAILABLE, SATURATED, 503",
      "REFUSED, SATURATED, 429",
      "OK, SATURATED, 429",
      "REFUSED, OK, 400",
      "OK, REFUSED, 400"})
  @DisplayName("when parts fail differently, the request gets the answer the exporter must act on: a retry over a drop, 503 over 429")
  void mostSevereFailure(String local, String remote, int status, Vertx vertx) throws Exception {
    Ownership.register(vertx, new TestOwnership(new AtomicInteger(), Integer.MAX_VALUE));
    owner(vertx, Addresses.INGEST, LOCAL, new DeliveryOptions(), local);
    owner(vertx, Addresses.ingestOn(REMOTE), REMOTE, WireCodecs.INGEST_OUTCOME.options(), remote);

    assertThat(failure(vertx, "a-1", "b-1").status).isEqualTo(status);
  }

  @Test
  @DisplayName("a part whose owner has left is split again by the ownership of now and stored by the new owner")
  void ownerGoneResolvedAgain(Vertx vertx) throws Exception {
    Ownership.register(vertx, new TestOwnership(new AtomicInteger(), 1));
    owner(vertx, Addresses.INGEST, LOCAL, new DeliveryOptions(), "OK");

    store(vertx, "a-1", "b-1");

    assertThat(received.get(LOCAL)).containsExactly("a-1/0", "b-1/1");
  }

  @Test
  @DisplayName("a part whose owner is still gone after resolving again is answered 503, the exporter retries")
  void ownerStillGone(Vertx vertx) throws Exception {
    Ownership.register(vertx, new TestOwnership(new AtomicInteger(), Integer.MAX_VALUE));
    owner(vertx, Addresses.INGEST, LOCAL, new DeliveryOptions(), "OK");

    OtlpException failure = failure(vertx, "a-1", "b-1");

    assertThat(failure.status).isEqualTo(503);
    assertThat(failure.getMessage()).isEqualTo("not stored: the pipeline is not running; retry later");
  }

  /** An owner that notes the records it got ({@code session/position}) and answers as told: OK refuses one. */
  private void owner(Vertx vertx, String address, String node, DeliveryOptions reply, String answer) throws Exception {
    await(vertx.eventBus().<RecordBatch>consumer(address, message -> {
      message.body().events().forEach(e -> received.computeIfAbsent(node, n -> new CopyOnWriteArrayList<>())
          .add(e.sessionId() + "/" + e.eventSequence()));
      answer(message, node, reply, answer);
    }).completion());
  }

  private static void answer(Message<RecordBatch> message, String node, DeliveryOptions reply, String answer) {
    if (answer.equals("OK")) {
      message.reply(new IngestOutcome(1, "1 log records rejected; first: refused by " + node), reply);
    } else {
      message.fail(StoreFailure.valueOf(answer).code, "as told");
    }
  }

  private static RecordBatch store(Vertx vertx, String... sessions) throws Exception {
    LocalCodec.registerAll(vertx);
    Ingest ingest = new Ingest(vertx, TestConfig.receiver());
    return await(ingest.store(OtlpSignal.LOGS, Buffer.buffer(logs(sessions).toByteArray()), OtlpEncoding.PROTOBUF));
  }

  private static OtlpException failure(Vertx vertx, String... sessions) throws Exception {
    try {
      store(vertx, sessions);
    } catch (ExecutionException e) {
      return (OtlpException) e.getCause();
    }
    throw new AssertionError("stored, but a part failed");
  }

  /** One api_request per session, its sequence its position in the request. */
  private static ExportLogsServiceRequest logs(String... sessions) {
    ScopeLogs.Builder scope = ScopeLogs.newBuilder();
    for (int i = 0; i < sessions.length; i++) {
      scope.addLogRecords(LogRecord.newBuilder().setTimeUnixNano(1_795_411_735_000_000_000L + i)
          .addAttributes(text("session.id", sessions[i])).addAttributes(text("event.name", "api_request"))
          .addAttributes(KeyValue.newBuilder().setKey("event.sequence").setValue(AnyValue.newBuilder().setIntValue(i))));
    }
    return ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder().addScopeLogs(scope)).build();
  }

  private static KeyValue text(String key, String value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
