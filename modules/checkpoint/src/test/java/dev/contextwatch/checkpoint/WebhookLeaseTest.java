package dev.contextwatch.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class WebhookLeaseTest {
  @Test
  @DisplayName("a claim leaves room for one whole attempt and the margin: an attempt starts only within the time-out after claiming")
  void attemptStartsOnlyWhileItCanEndWithinTheLease() {
    assertThat(WebhookDispatcher.leaseLeftForAnAttempt(5_000, 0)).isTrue();
    assertThat(WebhookDispatcher.leaseLeftForAnAttempt(5_000, 5_000)).isTrue();
    assertThat(WebhookDispatcher.leaseLeftForAnAttempt(5_000, 5_001)).as("a claim answered after a 5 s stall").isFalse();
    assertThat(WebhookDispatcher.leaseLeftForAnAttempt(200, 201)).isFalse();
  }
}
