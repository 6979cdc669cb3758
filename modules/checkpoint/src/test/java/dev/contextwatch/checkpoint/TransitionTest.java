package dev.contextwatch.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.core.config.LevelThresholds;
import dev.contextwatch.core.summary.SessionSummary;
import dev.contextwatch.core.summary.SummaryCodec;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class TransitionTest {
  private static final LevelThresholds DEFAULTS = new LevelThresholds(70, 90, 5, 2);

  private static SessionSummary summary(double percent, Double requestsLeft, int compactions) {
    return SummaryCodec.fromJson("s", new JsonObject().put("sessionId", "s").put("context", new JsonObject()
        .put("percentOfThreshold", percent).put("compactions", compactions)
        .put("prediction", new JsonObject().put("requestsLeft", requestsLeft))));
  }

  @Test
  @DisplayName("levels come from the share of the threshold or the predicted requests left, whichever is worse")
  void policy() {
    assertThat(LevelPolicy.assess(summary(50, 20.0, 0).context(), DEFAULTS)).isEqualTo(Level.OK);
    assertThat(LevelPolicy.assess(summary(70, null, 0).context(), DEFAULTS)).isEqualTo(Level.WARNING);
    assertThat(LevelPolicy.assess(summary(40, 4.0, 0).context(), DEFAULTS)).isEqualTo(Level.WARNING);
    assertThat(LevelPolicy.assess(summary(40, 1.5, 0).context(), DEFAULTS)).isEqualTo(Level.CRITICAL);
    assertThat(LevelPolicy.assess(summary(95, null, 0).context(), DEFAULTS)).isEqualTo(Level.CRITICAL);
    assertThat(LevelPolicy.assess(SessionSummary.Context.NONE, DEFAULTS)).as("no context data yet").isEqualTo(Level.OK);
  }

  @Test
  @DisplayName("warning and critical are announced once per epoch, even when the level falls back and rises again")
  void announcedOncePerEpoch() {
    Transition started = Transition.of(null, summary(75, null, 0), DEFAULTS);
    assertThat(started.started()).isTrue();
    assertThat(started.announced()).containsExactly(Level.WARNING);
    Transition critical = Transition.of(started.after(), summary(92, null, 0), DEFAULTS);
    assertThat(critical.announced()).containsExactly(Level.CRITICAL);
    Transition back = Transition.of(critical.after(), summary(75, null, 0), DEFAULTS);
    assertThat(back.announced()).isEmpty();
    assertThat(back.after().level()).isEqualTo(Level.WARNING);
    assertThat(Transition.of(back.after(), summary(93, null, 0), DEFAULTS).announced()).isEmpty();
  }

  @Test
  @DisplayName("a compaction is announced, shows as compacted, then the session starts again from ok in a new epoch")
  void compaction() {
    LevelState critical = Transition.of(null, summary(95, null, 0), DEFAULTS).after();
    Transition compacted = Transition.of(critical, summary(10, null, 1), DEFAULTS);
    assertThat(compacted.announced()).containsExactly(Level.COMPACTED);
    assertThat(compacted.after().level()).isEqualTo(Level.COMPACTED);
    assertThat(compacted.after().epoch()).isEqualTo(1);
    Transition after = Transition.of(compacted.after(), summary(12, null, 1), DEFAULTS);
    assertThat(after.after().level()).isEqualTo(Level.OK);
    assertThat(Transition.of(after.after(), summary(80, null, 1), DEFAULTS).announced()).containsExactly(Level.WARNING);
  }

  @Test
  @DisplayName("each time the client runs out of retries is announced once as session.error, not again on the updates that follow")
  void errorAnnouncedOnce() {
    Transition first = Transition.of(null, exhausted(1), DEFAULTS);
    assertThat(first.errorAnnounced()).isTrue();
    assertThat(Notification.of(first, exhausted(1), java.time.Instant.EPOCH)).extracting(Notification::type, Notification::key)
        .contains(org.assertj.core.groups.Tuple.tuple("session.error", "session.error:s:1"));
    Transition same = Transition.of(first.after(), exhausted(1), DEFAULTS);
    assertThat(same.errorAnnounced()).isFalse();
    assertThat(same.changesAnything()).isFalse();
    Transition again = Transition.of(same.after(), exhausted(2), DEFAULTS);
    assertThat(again.errorAnnounced()).isTrue();
    assertThat(Notification.of(again, exhausted(2), java.time.Instant.EPOCH)).extracting(Notification::key)
        .containsExactly("session.error:s:2");
    assertThat(Transition.of(null, summary(10, null, 0), DEFAULTS).errorAnnounced()).as("no error").isFalse();
  }

  private static SessionSummary exhausted(int times) {
    return SummaryCodec.fromJson("s", new JsonObject().put("sessionId", "s").put("errors", new JsonObject()
        .put("apiErrors", times).put("retriesExhausted", times)));
  }

  @Test
  @DisplayName("an update that changes nothing writes nothing")
  void noop() {
    LevelState ok = Transition.of(null, summary(10, null, 0), DEFAULTS).after();
    assertThat(Transition.of(ok, summary(11, null, 0), DEFAULTS).changesAnything()).isFalse();
  }
}
