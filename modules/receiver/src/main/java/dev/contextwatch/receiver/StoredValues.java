package dev.contextwatch.receiver;

import dev.contextwatch.core.config.ReceiverConfig;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;

/**
 * Turns OTLP attributes and bodies into the JSON that is stored, under the receiver's privacy and
 * size rules. One instance per request: it counts what it cut, for the debug log.
 *
 * <p>Content: prompts ({@code prompt}), responses ({@code response}) and tool arguments
 * ({@code tool_parameters}, {@code tool_input}) reach us only when the user opted in on the client
 * (OTEL_LOG_USER_PROMPTS, OTEL_LOG_TOOL_DETAILS); hook inputs always carry theirs ({@code prompt},
 * {@code tool_input}, {@code tool_response}, {@code compact_summary}, {@code last_assistant_message},
 * {@code custom_instructions}). Unless {@code storeContent} is set, such a value,
 * at any depth of nesting, keeps its key but becomes {@code {"redacted": true, "length": N, "sha256": "<hex>"}}: N is the
 * text's length in UTF-16 units (what a client reports as the prompt's length) and the hash is over its
 * UTF-8 bytes, so a known text can still be matched; a non-string value is measured and hashed as
 * its protobuf encoding. The client's own {@code "<REDACTED>"} placeholder is kept as it is.
 *
 * <p>Limits, the same for record attributes, resource attributes, nested key-value lists and
 * bodies: only the first {@code maxAttributesPerRecord} keys are kept and
 * {@value #DROPPED_ATTRIBUTES} says how many were dropped; a string longer than
 * {@code maxAttributeValueChars} keeps that many characters followed by
 * {@code "…[truncated N chars]"}.
 */
final class StoredValues {
  static final Set<String> CONTENT_KEYS = Set.of("prompt", "response", "tool_parameters", "tool_input", "tool_response",
      "compact_summary", "last_assistant_message", "custom_instructions");
  private static final String CLIENT_REDACTED = "<REDACTED>";
  static final String DROPPED_ATTRIBUTES = "contextwatch.dropped_attributes";

  private final boolean storeContent;
  private final int maxAttributes;
  private final int maxValueChars;
  private long droppedAttributes;
  private long truncatedValues;

  StoredValues(ReceiverConfig config) {
    this(config.storeContent(), config.maxAttributesPerRecord(), config.maxAttributeValueChars());
  }

  private StoredValues(boolean storeContent, int maxAttributes, int maxValueChars) {
    this.storeContent = storeContent;
    this.maxAttributes = maxAttributes;
    this.maxValueChars = maxValueChars;
  }

  /**
   * The same rules without the limits: a record's attributes as sent (content still redacted),
   * for the processor to read when the limits cut what is stored.
   */
  StoredValues unlimited() {
    return new StoredValues(storeContent, Integer.MAX_VALUE, Integer.MAX_VALUE);
  }

  /** How many cuts (dropped attributes, truncated values) this instance made so far. */
  long cuts() {
    return droppedAttributes + truncatedValues;
  }

  JsonObject attributes(List<KeyValue> attributes) {
    return attributes(attributes, null);
  }

  /**
   * The attributes as stored, built in one pass that also hands every attribute, as sent, to
   * {@code read} (when not null) for the fields the decoder reads from them.
   */
  JsonObject attributes(List<KeyValue> attributes, Attributes read) {
    // sized for what it will hold: a record's attributes are mostly more than a default map's 12
    JsonObject json = new JsonObject(new LinkedHashMap<>(capacity(Math.min(attributes.size(), maxAttributes) + 1)));
    long dropped = 0;
    for (KeyValue kv : attributes) {
      String wireKey = kv.getKey();
      if (read != null) {
        read.offer(wireKey, kv.getValue());
      }
      String key = Text.clean(wireKey);
      // a repeated key replaces its earlier value, as it always did, and takes no new slot
      if (json.size() < maxAttributes || json.containsKey(key)) {
        json.put(key, isContent(key, kv.getValue()) ? redacted(kv.getValue()) : value(kv.getValue()));
      } else {
        dropped++;
      }
    }
    if (dropped > 0) {
      json.put(DROPPED_ATTRIBUTES, dropped);
      droppedAttributes += dropped;
    }
    return json;
  }

  /** The JSON form of an attribute value or a body; null when it has none. */
  Object value(AnyValue value) {
    return switch (value.getValueCase()) {
      case STRING_VALUE -> text(value.getStringValue());
      case BOOL_VALUE -> value.getBoolValue();
      case INT_VALUE -> value.getIntValue();
      // jsonb has no NaN or Infinity: keep them as text rather than fail the whole batch
      case DOUBLE_VALUE -> Double.isFinite(value.getDoubleValue()) ? value.getDoubleValue() : Double.toString(value.getDoubleValue());
      case ARRAY_VALUE -> new JsonArray(value.getArrayValue().getValuesList().stream().map(this::value).toList());
      case KVLIST_VALUE -> attributes(value.getKvlistValue().getValuesList());
      case BYTES_VALUE -> text(Base64.getEncoder().encodeToString(value.getBytesValue().toByteArray()));
      case VALUE_NOT_SET -> null;
    };
  }

  String text(String value) {
    String clean = Text.clean(value);
    if (clean.length() <= maxValueChars) {
      return clean;
    }
    // never split a surrogate pair: half of one is not valid text in PostgreSQL
    int kept = Character.isHighSurrogate(clean.charAt(maxValueChars - 1)) ? maxValueChars - 1 : maxValueChars;
    truncatedValues++;
    return clean.substring(0, kept) + "…[truncated " + (clean.length() - kept) + " chars]";
  }

  /** A hash map's capacity for {@code entries} without a resize (its load factor is 0.75). */
  private static int capacity(int entries) {
    return entries * 4 / 3 + 1;
  }

  boolean cutAnything() {
    return cuts() > 0;
  }

  long droppedAttributes() {
    return droppedAttributes;
  }

  long truncatedValues() {
    return truncatedValues;
  }

  private boolean isContent(String key, AnyValue value) {
    return !storeContent && CONTENT_KEYS.contains(key)
        && value.getValueCase() != AnyValue.ValueCase.VALUE_NOT_SET
        && !(value.hasStringValue() && value.getStringValue().equals(CLIENT_REDACTED));
  }

  private static JsonObject redacted(AnyValue value) {
    String text = value.hasStringValue() ? value.getStringValue() : null;
    byte[] bytes = text != null ? text.getBytes(StandardCharsets.UTF_8) : value.toByteArray();
    return new JsonObject()
        .put("redacted", true)
        .put("length", text != null ? text.length() : bytes.length)
        .put("sha256", sha256(bytes));
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every JRE", e);
    }
  }
}
