package dev.contextwatch.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class StoredValuesTest {

  @Test
  @DisplayName("by default a content attribute keeps its key but only the text's length and SHA-256")
  void contentRedacted() throws Exception {
    String prompt = "Fix the bug in ünïcode.java 🙂";
    JsonObject stored = defaults().attributes(List.of(text("prompt", prompt), text("prompt.id", "p-1")));

    assertThat(stored.getValue("prompt")).isEqualTo(new JsonObject()
        .put("redacted", true)
        .put("length", prompt.length())
        .put("sha256", HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(prompt.getBytes(StandardCharsets.UTF_8)))));
    assertThat(stored.getString("prompt.id")).isEqualTo("p-1");
    assertThat(stored.encode()).doesNotContain("Fix the bug");
  }

  @Test
  @DisplayName("content that is not a string, or nested in a key-value list, is redacted too")
  void structuredContentRedacted() {
    AnyValue parameters = AnyValue.newBuilder().setKvlistValue(KeyValueList.newBuilder()
        .addValues(text("command", "rm -rf build"))).build();
    JsonObject stored = defaults().attributes(List.of(
        KeyValue.newBuilder().setKey("tool_parameters").setValue(parameters).build(),
        KeyValue.newBuilder().setKey("details").setValue(AnyValue.newBuilder().setKvlistValue(KeyValueList.newBuilder()
            .addValues(text("tool_input", "{\"command\":\"rm -rf build\"}")))).build()));

    assertThat(stored.getJsonObject("tool_parameters").getInteger("length")).isEqualTo(parameters.getSerializedSize());
    assertThat(stored.getJsonObject("details").getJsonObject("tool_input").getBoolean("redacted")).isTrue();
    assertThat(stored.encode()).doesNotContain("rm -rf");
  }

  @Test
  @DisplayName("the client's own <REDACTED> placeholder is kept, and storeContent keeps content verbatim")
  void placeholderAndStoreContent() {
    assertThat(defaults().attributes(List.of(text("response", "<REDACTED>"))).getValue("response")).isEqualTo("<REDACTED>");
    StoredValues storing = new StoredValues(TestConfig.receiver("storeContent", "true"));
    assertThat(storing.attributes(List.of(text("tool_input", "{\"command\":\"ls\"}"))).getValue("tool_input"))
        .isEqualTo("{\"command\":\"ls\"}");
  }

  @Test
  @DisplayName("a string up to the limit is kept; a longer one keeps the limit's worth of characters and says how many it lost")
  void truncation() {
    StoredValues stored = new StoredValues(TestConfig.receiver("maxAttributeValueChars", "16"));

    assertThat(stored.text("a".repeat(16))).isEqualTo("a".repeat(16));
    assertThat(stored.text("b".repeat(20))).isEqualTo("b".repeat(16) + "…[truncated 4 chars]");
    assertThat(stored.truncatedValues()).isEqualTo(1);
  }

  @Test
  @DisplayName("truncation never splits a surrogate pair")
  void truncationKeepsPairs() {
    String text = "x".repeat(15) + "🙂" + "y".repeat(10);
    String truncated = new StoredValues(TestConfig.receiver("maxAttributeValueChars", "16")).text(text);

    assertThat(truncated).isEqualTo("x".repeat(15) + "…[truncated 12 chars]");
  }

  @Test
  @DisplayName("beyond the attribute limit the first keys are kept in order and a marker counts the rest")
  void attributeLimit() {
    StoredValues stored = new StoredValues(TestConfig.receiver("maxAttributesPerRecord", "3"));
    List<KeyValue> attributes = IntStream.range(0, 10).mapToObj(i -> text("k" + i, "v" + i)).toList();

    JsonObject json = stored.attributes(attributes);

    assertThat(json.fieldNames()).containsExactly("k0", "k1", "k2", StoredValues.DROPPED_ATTRIBUTES);
    assertThat(json.getLong(StoredValues.DROPPED_ATTRIBUTES)).isEqualTo(7);
    assertThat(stored.droppedAttributes()).isEqualTo(7);
  }

  @Test
  @DisplayName("a repeated key replaces its value without taking a slot; nested key-value lists are limited alike")
  void repeatedAndNested() {
    StoredValues stored = new StoredValues(TestConfig.receiver("maxAttributesPerRecord", "2"));
    AnyValue nested = AnyValue.newBuilder().setKvlistValue(KeyValueList.newBuilder()
        .addValues(text("a", "1")).addValues(text("b", "2")).addValues(text("c", "3"))).build();

    JsonObject json = stored.attributes(List.of(
        text("k", "first"), KeyValue.newBuilder().setKey("n").setValue(nested).build(), text("k", "second")));

    assertThat(json.getString("k")).isEqualTo("second");
    assertThat(json.getJsonObject("n")).isEqualTo(new JsonObject().put("a", "1").put("b", "2").put(StoredValues.DROPPED_ATTRIBUTES, 1L));
    assertThat(json.containsKey(StoredValues.DROPPED_ATTRIBUTES)).isFalse();
    assertThat(stored.droppedAttributes()).isEqualTo(1);
  }

  private static StoredValues defaults() {
    return new StoredValues(TestConfig.receiver());
  }

  private static KeyValue text(String key, String value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }
}
