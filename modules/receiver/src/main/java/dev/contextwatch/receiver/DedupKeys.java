package dev.contextwatch.receiver;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.MessageLite;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

/**
 * Builds the dedup key of a record: the first 128 bits of a SHA-256 over a canonical form, in hex.
 * The form is computed from the decoded message, so the same record sent as protobuf or as JSON,
 * once or on every retry, gets one key. Attributes are hashed in key order, each value as its
 * protobuf encoding. Stored rows hold these keys: the form is fixed (StoredFormTest holds it).
 *
 * <p>Every record gets a key on a receiver's event loop, so the hash is fed directly, through one
 * scratch buffer per thread, and a key started with {@link #of} uses its thread's digest: a new
 * digest per key, a protobuf {@code ByteString} per value and a byte array per text were most of a
 * key's cost. So a key from {@link #of} is finished ({@link #key}) before the next is started on
 * the same thread; a prefix that records share ({@link #prefix}) has a digest of its own.
 */
final class DedupKeys {
  private static final Comparator<KeyValue> BY_KEY = Comparator.comparing(KeyValue::getKey);
  private static final int KEY_BYTES = 16;
  /** AnyValue's string_value (field 1, length-delimited) and int_value (field 3, varint) tags. */
  private static final int STRING_VALUE_TAG = 1 << 3 | 2;
  private static final int INT_VALUE_TAG = 3 << 3;
  /** The scratch buffer grows to this size at most; a larger value gets a buffer of its own. */
  private static final int KEPT_BYTES = 64 * 1024;
  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);
  private final MessageDigest digest;
  private final Scratch scratch;

  private DedupKeys(MessageDigest digest) {
    this.digest = digest;
    this.scratch = SCRATCH.get();
  }

  /** A key on this thread's digest; finish it with {@link #key} before starting another. */
  static DedupKeys of(String kind) {
    MessageDigest digest = SCRATCH.get().digest;
    digest.reset();
    return new DedupKeys(digest).text(kind);
  }

  /** A key with a digest of its own, to {@link #copy} for each record that goes on from it. */
  static DedupKeys prefix(String kind) {
    return new DedupKeys(sha256()).text(kind);
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
      return number(-1);
    }
    int length = value.length();
    byte[] buffer = scratch.buffer(length);
    for (int i = 0; i < length; i++) {
      char c = value.charAt(i);
      if (c >= 0x80) {
        // beyond ASCII, the JRE's own encoding (a lone surrogate becomes '?', as it always did)
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        number(bytes.length);
        digest.update(bytes);
        return this;
      }
      buffer[i] = (byte) c;
    }
    number(length);
    digest.update(buffer, 0, length);
    return this;
  }

  DedupKeys number(long value) {
    byte[] buffer = scratch.number;
    for (int i = 0; i < Long.BYTES; i++) {
      buffer[i] = (byte) (value >>> (56 - 8 * i));
    }
    digest.update(buffer, 0, Long.BYTES);
    return this;
  }

  DedupKeys bytes(ByteString value) {
    int size = value.size();
    number(size);
    byte[] buffer = scratch.buffer(size);
    value.copyTo(buffer, 0);
    digest.update(buffer, 0, size);
    return this;
  }

  DedupKeys bytes(byte[] value) {
    number(value.length);
    digest.update(value);
    return this;
  }

  /** A message as its protobuf encoding, the bytes {@code message.toByteString()} would hold. */
  DedupKeys message(MessageLite message) {
    int size = message.getSerializedSize();
    number(size);
    byte[] buffer = scratch.buffer(size);
    try {
      CodedOutputStream out = CodedOutputStream.newInstance(buffer, 0, size);
      message.writeTo(out);
      out.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new UncheckedIOException("a message of known size fits its buffer", e);
    }
    digest.update(buffer, 0, size);
    return this;
  }

  /** The attributes in key order (a repeated key in the order sent), each key's text and value's encoding. */
  DedupKeys attributes(List<KeyValue> attributes) {
    number(attributes.size());
    if (sorted(attributes)) {
      attributes.forEach(this::attribute);
    } else {
      KeyValue[] byKey = attributes.toArray(new KeyValue[0]);
      Arrays.sort(byKey, BY_KEY); // stable, as the stream's sort was
      for (KeyValue kv : byKey) {
        attribute(kv);
      }
    }
    return this;
  }

  String key() {
    byte[] hash = scratch.hash;
    try {
      digest.digest(hash, 0, hash.length);
    } catch (DigestException e) {
      throw new IllegalStateException("a SHA-256 fits 32 bytes", e);
    }
    return HexFormat.of().formatHex(hash, 0, KEY_BYTES);
  }

  private void attribute(KeyValue kv) {
    text(kv.getKey()).value(kv.getValue());
  }

  /**
   * An attribute value as its protobuf encoding. An ASCII string or an integer, nearly every value
   * a client sends, is written here: its encoding is one tag and the value, and a size equal to
   * the message's own says that nothing else (an unknown field) is in it. Anything else is
   * encoded by protobuf.
   */
  private void value(AnyValue value) {
    int size = value.getSerializedSize();
    byte[] buffer = scratch.buffer(size);
    int written = switch (value.getValueCase()) {
      case STRING_VALUE -> asciiString(buffer, value.getStringValue());
      case INT_VALUE -> varint(buffer, varint(buffer, 0, INT_VALUE_TAG), value.getIntValue());
      default -> -1;
    };
    if (written != size) {
      message(value);
      return;
    }
    number(size);
    digest.update(buffer, 0, size);
  }

  /** Field 1 (string_value), length-delimited, as protobuf writes it; -1 beyond ASCII (or the buffer). */
  private static int asciiString(byte[] buffer, String text) {
    int length = text.length();
    int start = varint(buffer, varint(buffer, 0, STRING_VALUE_TAG), length);
    if (start + length > buffer.length) {
      return -1;
    }
    for (int i = 0; i < length; i++) {
      char c = text.charAt(i);
      if (c >= 0x80) {
        return -1;
      }
      buffer[start + i] = (byte) c;
    }
    return start + length;
  }

  /** A base-128 varint at {@code offset}, as protobuf writes every int64 (negative ones in 10 bytes); the offset after it. */
  private static int varint(byte[] buffer, int offset, long value) {
    int at = offset;
    while ((value & ~0x7FL) != 0 && at < buffer.length) {
      buffer[at++] = (byte) ((value & 0x7F) | 0x80);
      value >>>= 7;
    }
    if (at < buffer.length) {
      buffer[at++] = (byte) value;
    }
    return at;
  }

  private static boolean sorted(List<KeyValue> attributes) {
    for (int i = 1; i < attributes.size(); i++) {
      if (attributes.get(i - 1).getKey().compareTo(attributes.get(i).getKey()) > 0) {
        return false;
      }
    }
    return true;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every JRE", e);
    }
  }

  /** One thread's digest and buffers, reused for every key the thread computes. */
  private static final class Scratch {
    final MessageDigest digest = sha256();
    final byte[] hash = new byte[32];
    final byte[] number = new byte[Long.BYTES];
    private byte[] bytes = new byte[1024];

    /** A buffer of at least {@code size} bytes; one for a value larger than {@link #KEPT_BYTES} is not kept. */
    byte[] buffer(int size) {
      if (size > KEPT_BYTES) {
        return new byte[size];
      }
      if (bytes.length < size) {
        bytes = new byte[KEPT_BYTES];
      }
      return bytes;
    }
  }
}
