package dev.contextwatch.receiver;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

/**
 * Builds the dedup key of a record: the first 128 bits of a SHA-256 over a canonical form, in hex.
 * The form is computed from the decoded message, so the same record sent as protobuf or as JSON,
 * once or on every retry, gets one key. Attributes are hashed in key order.
 */
final class DedupKeys {
  private static final Comparator<KeyValue> BY_KEY = Comparator.comparing(KeyValue::getKey);
  private final MessageDigest digest;

  private DedupKeys(MessageDigest digest) {
    this.digest = digest;
  }

  static DedupKeys of(String kind) {
    try {
      return new DedupKeys(MessageDigest.getInstance("SHA-256")).text(kind);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every JRE", e);
    }
  }

  /**
   * A key that goes on from where this one is, which stays as it was: a prefix that many records
   * share (their resource's attributes) is hashed once per request, not once per record.
   */
  DedupKeys copy() {
    try {
      return new DedupKeys((MessageDigest) digest.clone());
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException("the JRE's SHA-256 can be cloned", e);
    }
  }

  DedupKeys text(String value) {
    if (value == null) {
      number(-1);
    } else {
      byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
      number(bytes.length);
      digest.update(bytes);
    }
    return this;
  }

  DedupKeys number(long value) {
    for (int shift = 56; shift >= 0; shift -= 8) {
      digest.update((byte) (value >>> shift));
    }
    return this;
  }

  DedupKeys bytes(ByteString value) {
    number(value.size());
    digest.update(value.asReadOnlyByteBuffer());
    return this;
  }

  DedupKeys attributes(List<KeyValue> attributes) {
    number(attributes.size());
    attributes.stream().sorted(BY_KEY).forEach(kv -> text(kv.getKey()).bytes(kv.getValue().toByteString()));
    return this;
  }

  String key() {
    byte[] hash = digest.digest();
    return HexFormat.of().formatHex(hash, 0, 16);
  }
}
