package dev.contextwatch.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.core.config.ReceiverConfig;
import dev.contextwatch.core.model.EventRecord;
import io.vertx.core.buffer.Buffer;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ClientJsonDecoderTest {
  private static final String POST_COMPACT = """
      {"session_id": "s-1", "hook_event_name": "PostCompact", "trigger": "auto",
       "compact_summary": "Worked on the parser", "tool_input": {"command": "rm -rf build"}}""";
  private static final Instant T0 = Instant.parse("2026-11-30T08:00:00Z");
  private static final ReceiverConfig DEFAULTS = TestConfig.receiver();

  @Test
  @DisplayName("a hook delivery is one event named hook.<name> under the hooks scope, its session from session_id, dated by its arrival")
  void oneEvent() {
    EventRecord event = decode(DEFAULTS, ClientChannel.HOOKS, POST_COMPACT, T0);

    assertThat(event.sessionId()).isEqualTo("s-1");
    assertThat(event.eventName()).isEqualTo("hook.PostCompact");
    assertThat(event.origin().scopeName()).isEqualTo("contextwatch.hooks");
    assertThat(event.time()).isEqualTo(T0);
    assertThat(event.attributes().getString("trigger")).isEqualTo("auto");
  }

  @Test
  @DisplayName("hook content (compact_summary, tool_input) is redacted whole unless storeContent, and kept with it")
  void contentRedacted() {
    EventRecord redacted = decode(DEFAULTS, ClientChannel.HOOKS, POST_COMPACT, T0);
    assertThat(redacted.attributes().getJsonObject("compact_summary").getBoolean("redacted")).isTrue();
    assertThat(redacted.attributes().getJsonObject("tool_input").getBoolean("redacted")).isTrue();
    assertThat(redacted.attributes().encode()).doesNotContain("parser", "rm -rf");

    EventRecord kept = decode(TestConfig.receiver("storeContent", "true"), ClientChannel.HOOKS, POST_COMPACT, T0);
    assertThat(kept.attributes().getString("compact_summary")).isEqualTo("Worked on the parser");
  }

  @Test
  @DisplayName("the dedup key is the channel and the JSON as sent: the same delivery later has the same key, another channel or body another")
  void dedupKey() {
    String first = decode(DEFAULTS, ClientChannel.HOOKS, POST_COMPACT, T0).dedupKey();
    assertThat(decode(DEFAULTS, ClientChannel.HOOKS, POST_COMPACT, T0.plusSeconds(5)).dedupKey()).isEqualTo(first);
    String asStatusLine = "{\"session_id\": \"s-1\", \"hook_event_name\": \"PostCompact\"}";
    assertThat(decode(DEFAULTS, ClientChannel.STATUS_LINE, asStatusLine, T0).dedupKey())
        .isNotEqualTo(decode(DEFAULTS, ClientChannel.HOOKS, asStatusLine, T0).dedupKey());
    assertThat(decode(DEFAULTS, ClientChannel.HOOKS, POST_COMPACT.replace("auto", "manual"), T0).dedupKey())
        .isNotEqualTo(first);
  }

  private static EventRecord decode(ReceiverConfig config, ClientChannel channel, String json,
      Instant arrival) {
    return new ClientJsonDecoder(config).decode(channel, Buffer.buffer(json), arrival).events().get(0);
  }
}
