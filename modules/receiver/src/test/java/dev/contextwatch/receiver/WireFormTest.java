package dev.contextwatch.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import dev.contextwatch.core.cluster.WireCodecs;
import dev.contextwatch.core.config.ReceiverConfig;
import dev.contextwatch.core.model.RecordBatch;
import dev.contextwatch.testkit.Fixtures;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * In cluster mode a receiver sends each owner its part of a request through the batch's wire
 * codec: the owner must get exactly the records the receiver decoded, whatever the client sent.
 */
class WireFormTest {
  @Test
  @DisplayName("every batch decoded from every recorded and synthetic request crosses the wire equal, field for field")
  void decodedBatchesCrossTheWireUnchanged() {
    int records = 0;
    for (ReceiverConfig config : List.of(TestConfig.receiver(),
        TestConfig.receiver("storeContent", "true", "maxAttributesPerRecord", "3", "maxAttributeValueChars", "16"))) {
      OtlpDecoder decoder = new OtlpDecoder(config);
      for (String client : List.of(Fixtures.CLIENT_2_1_197, Fixtures.CLIENT_2_1_332)) {
        for (Fixtures.Folder folder : Fixtures.folders(client)) {
          for (Fixtures.Request request : folder.requests()) {
            records += assertCrossesUnchanged(decode(decoder, signal(request.path()), request.body(), request.contentType()),
                client + "/" + folder.name() + "/" + request.file());
          }
        }
      }
      for (OtlpSignal signal : OtlpSignal.values()) {
        Message synthetic = switch (signal) {
          case LOGS -> StoredFormTest.syntheticLogs();
          case METRICS -> StoredFormTest.syntheticMetrics();
          case TRACES -> StoredFormTest.syntheticTraces();
        };
        records += assertCrossesUnchanged(signal.decode(decoder, Buffer.buffer(synthetic.toByteArray()), OtlpEncoding.PROTOBUF),
            "synthetic " + signal);
      }
    }
    assertThat(records).as("records sent across").isGreaterThan(1000);
  }

  private static int assertCrossesUnchanged(RecordBatch batch, String what) {
    if (batch == null) {
      return 0;
    }
    Buffer wire = Buffer.buffer();
    WireCodecs.RECORD_BATCH.encodeToWire(wire, batch);
    RecordBatch received = WireCodecs.RECORD_BATCH.decodeFromWire(0, wire);
    assertThat(received).as(what).isEqualTo(batch);
    assertThat(received.toString()).as("%s: stored form", what).isEqualTo(batch.toString());
    return batch.size();
  }

  /** Null for a request the decoder refuses as a whole: nothing of it would be sent. */
  private static RecordBatch decode(OtlpDecoder decoder, OtlpSignal signal, Buffer body, String contentType) {
    try {
      return signal.decode(decoder, body,
          contentType.startsWith("application/grpc") ? OtlpEncoding.PROTOBUF : OtlpEncoding.of(contentType));
    } catch (OtlpException refused) {
      return null;
    }
  }

  private static OtlpSignal signal(String path) {
    return Stream.of(OtlpSignal.values()).filter(s -> s.path.equals(path) || path.equals("/" + s.grpcService + "/Export"))
        .findFirst().orElseThrow();
  }
}
