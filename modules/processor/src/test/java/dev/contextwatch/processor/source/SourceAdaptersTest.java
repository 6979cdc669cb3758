package dev.contextwatch.processor.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.core.model.EventRecord;
import dev.contextwatch.core.model.MetricPoint;
import dev.contextwatch.core.model.MetricPoint.MetricType;
import dev.contextwatch.core.model.MetricPoint.Temporality;
import dev.contextwatch.core.model.Origin;
import dev.contextwatch.processor.source.UsageFact.MetricTotal;
import dev.contextwatch.processor.source.UsageFact.Thread;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SourceAdaptersTest {
  private static final Instant T0 = Instant.parse("2026-11-23T05:00:00Z");
  private static final JsonObject DESKTOP = new JsonObject().put("service.name", "claude-code-desktop");
  private final SourceAdapters adapters = SourceAdapters.known();

  @Test
  @DisplayName("Claude Code is recognised by its scope whatever the user named the service, and its request becomes a usage fact")
  void claudeCodeByScope() {
    EventRecord request = apiRequest(new Origin(DESKTOP, "com.anthropic.claude_code.events", "2.1.332"), null,
        new JsonObject().put("query_source", "agent:builtin:general-purpose"));

    assertThat(adapters.facts(request)).containsExactly(new UsageFact.ModelNamed("claude-opus-4-8", false),
        new UsageFact.Request(Thread.AUXILIARY, "claude-opus-4-8", "p1", 500, 60, 16_000, 3_500, 33_875));
  }

  @Test
  @DisplayName("without a scope Claude Code is recognised by its vocabulary: the claude_code. body, its event names, its metric names")
  void claudeCodeByVocabulary() {
    Origin unscoped = new Origin(new JsonObject(), null, null);

    assertThat(adapters.facts(apiRequest(unscoped, "claude_code.api_request", new JsonObject()))).hasSize(2);
    assertThat(adapters.facts(apiRequest(unscoped, null, new JsonObject()))).hasSize(2);
    assertThat(adapters.facts(point(unscoped, "claude_code.token.usage", "cacheRead")))
        .containsExactly(new UsageFact.MetricDelta(MetricTotal.CACHE_READ_TOKENS, 40));
  }

  @Test
  @DisplayName("another client's records, even named like Claude Code's, add to no usage total")
  void unknownClientHasNoFacts() {
    Origin codex = new Origin(new JsonObject().put("service.name", "claude-code"), "codex_cli_rs", "0.60.0");

    assertThat(adapters.facts(apiRequest(codex, null, new JsonObject()))).isEmpty();
    assertThat(adapters.facts(point(codex, "codex.token.usage", "cacheRead"))).isEmpty();
  }

  @Test
  @DisplayName("a record with neither scope, name nor body is nobody's, and reading it fails nothing")
  void anonymousRecord() {
    EventRecord anonymous = new EventRecord(T0, T0, "s1", null, null, null, null, null, null, null, null, null, null, 0,
        null, null, null, null, new Origin(new JsonObject(), null, null), new JsonObject().put("padding", "p"), "key-3");

    assertThat(adapters.facts(anonymous)).isEmpty();
    assertThat(adapters.read(anonymous)).isEqualTo(Reading.of(anonymous));
  }

  private static EventRecord apiRequest(Origin origin, String body, JsonObject attributes) {
    return new EventRecord(T0, T0, "s1", "api_request", 2L, "p1", "claude-opus-4-8", 500L, 60L, 16_000L, 3_500L, 33_875L,
        61.0, 9, null, body, null, null, origin, attributes, "key-1");
  }

  private static MetricPoint point(Origin origin, String name, String type) {
    return new MetricPoint(T0, T0.minusSeconds(60), "s1", name, MetricType.SUM, Temporality.DELTA, true, "tokens", 40.0, null,
        null, origin, new JsonObject().put("type", type), "key-2", 40.0);
  }
}
