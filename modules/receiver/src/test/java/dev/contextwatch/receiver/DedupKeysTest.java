package dev.contextwatch.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The canonical form a dedup key hashes, whatever buffers and digests compute it. */
class DedupKeysTest {
  private static final KeyValue SHORT = kv("b", "short");
  private static final KeyValue LONG = kv("a", "x".repeat(200_000) + "ü");

  @Test
  @DisplayName("a prefix copied for each record keeps its state while keys of other records are started and finished on the same thread")
  void prefixUntouchedByOtherKeys() throws Exception {
    DedupKeys prefix = DedupKeys.prefix("log").attributes(List.of(SHORT));
    String first = prefix.copy().text("scope").key();
    String other = DedupKeys.of("event").text("session").number(7).key();
    String again = prefix.copy().text("scope").key();

    assertThat(again).isEqualTo(first).isEqualTo(reference(text("log"), number(1), text("b"), value(SHORT), text("scope")));
    assertThat(other).isEqualTo(reference(text("event"), text("session"), number(7)));
  }

  @Test
  @DisplayName("attributes hash in key order, each value as its protobuf encoding, however large and whatever its characters")
  void attributesInKeyOrder() throws Exception {
    String key = DedupKeys.of("point").attributes(List.of(SHORT, LONG)).text("näme").text(null).key();

    assertThat(key).isEqualTo(reference(text("point"), number(2), text("a"), value(LONG), text("b"), value(SHORT), text("näme"),
        number(-1)));
  }

  @Test
  @DisplayName("a value with a field this version does not know, or a negative integer, hashes as all of its protobuf encoding")
  void unknownFieldsAndNegativeNumbers() throws Exception {
    AnyValue newer = AnyValue.newBuilder().setStringValue("plain").setUnknownFields(UnknownFieldSet.newBuilder()
        .addField(9, UnknownFieldSet.Field.newBuilder().addVarint(1).build()).build()).build();
    KeyValue unknown = KeyValue.newBuilder().setKey("n").setValue(newer).build();
    KeyValue negative = KeyValue.newBuilder().setKey("m").setValue(AnyValue.newBuilder().setIntValue(-2)).build();

    String key = DedupKeys.of("log").attributes(List.of(unknown, negative)).key();

    assertThat(value(unknown)).hasSize(8 + 7 + 2);
    assertThat(key).isEqualTo(reference(text("log"), number(2), text("m"), value(negative), text("n"), value(unknown)));
  }

  @Test
  @DisplayName("each thread's keys are its own: keys computed at once on two threads are the keys computed one after the other")
  void threadsIndependent() throws Exception {
    String alone = DedupKeys.of("span").bytes(ByteString.copyFromUtf8("trace")).key();

    CompletableFuture<String> elsewhere = CompletableFuture.supplyAsync(() -> {
      DedupKeys started = DedupKeys.of("span");
      return started.bytes(ByteString.copyFromUtf8("trace")).key();
    });
    DedupKeys.of("unfinished").text("on this thread");

    assertThat(elsewhere.get()).isEqualTo(alone).isEqualTo(reference(text("span"), number(5), "trace".getBytes(StandardCharsets.UTF_8)));
  }

  private static String reference(byte[]... parts) throws Exception {
    MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
    for (byte[] part : parts) {
      sha256.update(part);
    }
    return HexFormat.of().formatHex(sha256.digest(), 0, 16);
  }

  private static byte[] text(String value) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(8 + bytes.length).putLong(bytes.length).put(bytes).array();
  }

  private static byte[] number(long value) {
    return ByteBuffer.allocate(8).putLong(value).array();
  }

  private static byte[] value(KeyValue kv) {
    byte[] bytes = kv.getValue().toByteArray();
    return ByteBuffer.allocate(8 + bytes.length).putLong(bytes.length).put(bytes).array();
  }

  private static KeyValue kv(String key, String value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }
}
