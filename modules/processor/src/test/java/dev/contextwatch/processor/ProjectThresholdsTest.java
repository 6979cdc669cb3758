package dev.contextwatch.processor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ProjectThresholdsTest {
  private final ProjectThresholds thresholds = new ProjectThresholds(100);

  @Test
  @DisplayName("a threshold is found for the same project and model, of the same client version when the session names one, of any version when it does not")
  void sameProjectModelAndVersion() {
    thresholds.learn("acme", "claude-sonnet-4-5", "2.1.332", 195_098L);
    thresholds.learn("acme", "claude-sonnet-4-5", "2.1.197", 167_000L);
    assertThat(thresholds.forSession("acme", "claude-sonnet-4-5", "2.1.332")).isEqualTo(195_098L);
    assertThat(thresholds.forSession("acme", "claude-sonnet-4-5", "2.1.197")).isEqualTo(167_000L);
    assertThat(thresholds.forSession("acme", "claude-sonnet-4-5", "2.1.400")).as("another version").isNull();
    assertThat(thresholds.forSession("acme", "claude-sonnet-4-5", null)).as("the latest of any version").isEqualTo(167_000L);
    assertThat(thresholds.forSession("acme", "claude-opus-4-8", "2.1.332")).as("another model").isNull();
    assertThat(thresholds.forSession("globex", "claude-sonnet-4-5", "2.1.332")).as("another project").isNull();
  }

  @Test
  @DisplayName("the latest compaction learnt wins; nothing is learnt without a project, a model or a positive threshold")
  void latestWinsAndNothingFromNothing() {
    thresholds.learn("acme", "claude-sonnet-4-5", "2.1.332", 195_098L);
    thresholds.learn("acme", "claude-sonnet-4-5", "2.1.332", 190_000L);
    assertThat(thresholds.forSession("acme", "claude-sonnet-4-5", "2.1.332")).isEqualTo(190_000L);
    thresholds.learn(null, "claude-sonnet-4-5", "2.1.332", 150_000L);
    thresholds.learn("globex", null, "2.1.332", 150_000L);
    thresholds.learn("globex", "claude-sonnet-4-5", "2.1.332", 0L);
    thresholds.learn("globex", "claude-sonnet-4-5", "2.1.332", null);
    assertThat(thresholds.forSession(null, "claude-sonnet-4-5", "2.1.332")).isNull();
    assertThat(thresholds.forSession("globex", "claude-sonnet-4-5", "2.1.332")).isNull();
    assertThat(thresholds.forSession("globex", null, null)).isNull();
  }
}
