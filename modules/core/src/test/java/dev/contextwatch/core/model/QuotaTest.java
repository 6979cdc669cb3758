package dev.contextwatch.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.core.summary.SessionSummary.QuotaSample;
import dev.contextwatch.core.summary.SessionSummary.RateLimit;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class QuotaTest {
  private static final Instant T0 = Instant.parse("2026-11-30T08:00:00Z");
  private static final Instant RESET = T0.plusSeconds(5 * 3600);

  private static QuotaSample sample(long minutes, double fiveHour, Instant resetsAt) {
    return new QuotaSample(T0.plusSeconds(minutes * 60), new RateLimit(fiveHour, resetsAt), null);
  }

  @Test
  @DisplayName("the burn rate is the rise in percent per hour over the last hour of the current window; the limit is hit when the rest runs out at that rate")
  void burnAndLimit() {
    List<QuotaSample> samples = List.of(sample(0, 5, T0), sample(10, 10, RESET), sample(40, 20, RESET), sample(70, 30, RESET));
    Quota quota = Quota.of(new RateLimit(30, RESET), Quota.Window.FIVE_HOUR, samples);
    assertThat(quota.burnPerHour()).as("20 points from minute 10 to minute 70").isEqualTo(20.0);
    assertThat(quota.limitAt()).isEqualTo(T0.plusSeconds(70 * 60 + (long) (70.0 / 20 * 3600)));
  }

  @Test
  @DisplayName("no burn rate from one sample or a few seconds; no limit when usage does not grow or the window resets first; reached once at 100")
  void noPrediction() {
    assertThat(Quota.of(new RateLimit(30, RESET), Quota.Window.FIVE_HOUR, List.of(sample(0, 30, RESET))).burnPerHour()).isNull();
    Quota flat = Quota.of(new RateLimit(30, RESET), Quota.Window.FIVE_HOUR, List.of(sample(0, 30, RESET), sample(30, 30, RESET)));
    assertThat(flat.burnPerHour()).isZero();
    assertThat(flat.limitAt()).isNull();
    Quota slow = Quota.of(new RateLimit(31, RESET), Quota.Window.FIVE_HOUR, List.of(sample(0, 30, RESET), sample(60, 31, RESET)));
    assertThat(slow.limitAt()).as("69 hours away, the window resets in 5").isNull();
    Quota over = Quota.of(new RateLimit(104, RESET), Quota.Window.FIVE_HOUR, List.of(sample(0, 90, RESET), sample(30, 104, RESET)));
    assertThat(over.limitAt()).isEqualTo(T0.plusSeconds(30 * 60));
  }
}
