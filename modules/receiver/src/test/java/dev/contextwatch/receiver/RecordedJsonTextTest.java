package dev.contextwatch.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.core.json.JsonText;
import dev.contextwatch.core.model.RecordBatch;
import dev.contextwatch.testkit.Fixtures;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link JsonText} against {@code encode()} on every JSON value persistence stores (attributes, the
 * attributes as sent, resource, a point's data, a span's events and links) of every record decoded
 * from every recorded request of both clients and every recorded hook input and status line, with
 * the default limits and with tight ones.
 */
class RecordedJsonTextTest {
  private static final Instant ARRIVAL = Instant.parse("2026-11-30T08:00:00Z");

  @Test
  @DisplayName("every stored JSON value of every record of every recorded request is written as encode() writes it")
  void recordedValuesWrittenAsEncodeWrites() throws Exception {
    int compared = 0;
    for (var config : List.of(TestConfig.receiver(),
        TestConfig.receiver("storeContent", "true", "maxAttributesPerRecord", "3", "maxAttributeValueChars", "16"))) {
      OtlpDecoder decoder = new OtlpDecoder(config);
      ClientJsonDecoder clientJson = new ClientJsonDecoder(config);
      for (String body : clientJsonBodies()) {
        for (Object json : storedJson(clientJson.decode(ClientChannel.HOOKS, Buffer.buffer(body), ARRIVAL))) {
          assertSame(json, "hook input");
          compared++;
        }
      }
      for (String body : Fixtures.statusLines(Fixtures.CLIENT_2_1_332, "interactive-permission-compact")) {
        for (Object json : storedJson(clientJson.decode(ClientChannel.STATUS_LINE, Buffer.buffer(body), ARRIVAL))) {
          assertSame(json, "status line");
          compared++;
        }
      }
      for (String client : List.of(Fixtures.CLIENT_2_1_197, Fixtures.CLIENT_2_1_332)) {
        for (Fixtures.Folder folder : Fixtures.folders(client)) {
          for (Fixtures.Request request : folder.requests()) {
            for (Object json : storedJson(decoder, request)) {
              assertSame(json, client + "/" + folder.name() + "/" + request.file());
              compared++;
            }
          }
        }
      }
    }
    assertThat(compared).as("JSON values compared").isGreaterThanOrEqualTo(4_000);
  }

  private static List<String> clientJsonBodies() {
    return Stream.of("headless-compaction", "interactive-permission-compact")
        .flatMap(folder -> Fixtures.hookInputs(Fixtures.CLIENT_2_1_332, folder).stream()).toList();
  }

  private static List<Object> storedJson(OtlpDecoder decoder, Fixtures.Request request) {
    OtlpSignal signal = Stream.of(OtlpSignal.values())
        .filter(s -> s.path.equals(request.path()) || request.path().equals("/" + s.grpcService + "/Export")).findFirst().orElseThrow();
    OtlpEncoding encoding = request.contentType().startsWith("application/grpc") ? OtlpEncoding.PROTOBUF : OtlpEncoding.of(request.contentType());
    RecordBatch batch;
    try {
      batch = signal.decode(decoder, request.body(), encoding);
    } catch (OtlpException refused) {
      return List.of();
    }
    return storedJson(batch);
  }

  private static List<Object> storedJson(RecordBatch batch) {
    return Stream.of(
        batch.events().stream().flatMap(e -> Stream.of(e.attributes(), e.attributesAsSent(), e.origin().resource())),
        batch.points().stream().flatMap(p -> Stream.of(p.attributes(), p.data(), p.origin().resource())),
        batch.spans().stream().flatMap(s -> Stream.of(s.attributes(), s.events(), s.links(), s.origin().resource())))
        .flatMap(s -> s).filter(json -> json != null).map(json -> (Object) json).toList();
  }

  private static void assertSame(Object json, String request) {
    if (json instanceof JsonObject object) {
      assertThat(JsonText.encode(object)).as(request).isEqualTo(object.encode());
    } else {
      JsonArray array = (JsonArray) json;
      assertThat(JsonText.encode(array)).as(request).isEqualTo(array.encode());
    }
  }
}
