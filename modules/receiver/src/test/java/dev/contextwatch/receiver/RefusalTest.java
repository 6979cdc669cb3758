package dev.contextwatch.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RefusalTest {

  @Test
  @DisplayName("an unexpected failure is answered 500 'internal error, see the server log', never with its Java message")
  void internalErrors() {
    assertThat(Refusal.of(new OutOfMemoryError("Java heap space"), 500))
        .isEqualTo(new Refusal(500, "internal error, see the server log"));
    assertThat(Refusal.of(new ClassCastException("class java.lang.String cannot be cast to class java.lang.Number"), 0))
        .isEqualTo(new Refusal(500, "internal error, see the server log"));
    assertThat(Refusal.of(null, 500).internal()).isTrue();
  }

  @Test
  @DisplayName("a refusal the receiver chose keeps its status and message; another client error gets its plain reason")
  void clientErrors() {
    assertThat(Refusal.of(new OtlpException(413, "body exceeds the limit of 1024 bytes"), 0))
        .isEqualTo(new Refusal(413, "body exceeds the limit of 1024 bytes"));
    assertThat(Refusal.of(new IllegalStateException("io.vertx.core.impl.Something failed"), 400))
        .isEqualTo(new Refusal(400, "request refused: Bad Request"));
  }

  @Test
  @DisplayName("a parser's explanation is passed on unless it names a Java class")
  void details() {
    assertThat(Refusal.detail(new InvalidProtocolBufferException("Protocol message end-group tag did not match expected tag."), "bad"))
        .isEqualTo("Protocol message end-group tag did not match expected tag.");
    assertThat(Refusal.detail(new InvalidProtocolBufferException("Expected a com.google.gson.JsonObject but was com.google.gson.JsonPrimitive"),
        "bad")).isEqualTo("bad");
    assertThat(Refusal.detail(new InvalidProtocolBufferException((String) null), "bad")).isEqualTo("bad");
  }
}
