package dev.contextwatch.api;

import dev.contextwatch.core.model.SessionStatus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.core.config.SessionConfig;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SessionStatusTest {
  private static final SessionConfig CONFIG = ApiHarness.SESSIONS;
  private static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");

  @Test
  @DisplayName("a session is active strictly below activeMinutes, idle strictly below idleMinutes, stale from there")
  void thresholds() {
    assertThat(status(Duration.ZERO)).isEqualTo(SessionStatus.ACTIVE);
    assertThat(status(Duration.ofMinutes(CONFIG.activeMinutes()).minusMillis(1))).isEqualTo(SessionStatus.ACTIVE);
    assertThat(status(Duration.ofMinutes(CONFIG.activeMinutes()))).isEqualTo(SessionStatus.IDLE);
    assertThat(status(Duration.ofMinutes(CONFIG.idleMinutes()).minusMillis(1))).isEqualTo(SessionStatus.IDLE);
    assertThat(status(Duration.ofMinutes(CONFIG.idleMinutes()))).isEqualTo(SessionStatus.STALE);
    assertThat(status(Duration.ofDays(30))).isEqualTo(SessionStatus.STALE);
    assertThat(status(Duration.ofMinutes(-1))).as("a clock ahead of ours").isEqualTo(SessionStatus.ACTIVE);
  }

  @Test
  @DisplayName("a closed session is closed whatever its last record's age")
  void closed() {
    assertThat(SessionStatus.of(NOW, NOW, NOW, NOW, CONFIG)).isEqualTo(SessionStatus.CLOSED);
    assertThat(SessionStatus.of(NOW.minus(Duration.ofDays(3)), NOW, null, NOW, CONFIG)).isEqualTo(SessionStatus.CLOSED);
  }

  @Test
  @DisplayName("a session waiting for a person is waiting however long ago its last record, until it is stale or closed")
  void waiting() {
    Instant since = NOW.minus(Duration.ofMinutes(30));
    assertThat(SessionStatus.of(since, null, since, NOW, CONFIG)).as("quiet for longer than active").isEqualTo(SessionStatus.WAITING);
    assertThat(SessionStatus.of(NOW, null, since, NOW, CONFIG)).as("just received").isEqualTo(SessionStatus.WAITING);
    assertThat(SessionStatus.of(NOW, NOW, since, NOW, CONFIG)).as("closed beats waiting").isEqualTo(SessionStatus.CLOSED);
    assertThat(SessionStatus.of(NOW.minus(Duration.ofDays(1)), null, since, NOW, CONFIG)).as("a client gone at its prompt")
        .isEqualTo(SessionStatus.STALE);
    assertThat(SessionStatus.parse("waiting")).contains(SessionStatus.WAITING);
  }

  @Test
  @DisplayName("the SQL condition binds its cut-offs as parameters and never the values in the text")
  void condition() {
    Sql sql = new Sql();
    assertThat(StatusCondition.of(SessionStatus.IDLE, sql, NOW, CONFIG))
        .isEqualTo("(closed_at IS NULL AND waiting_since IS NULL AND last_received_at <= $1 AND last_received_at > $2)");
    assertThat(sql.params().size()).isEqualTo(2);
    assertThat(sql.params().getOffsetDateTime(0).toInstant()).isEqualTo(NOW.minus(Duration.ofMinutes(CONFIG.activeMinutes())));
    assertThat(sql.params().getOffsetDateTime(1).toInstant()).isEqualTo(NOW.minus(Duration.ofMinutes(CONFIG.idleMinutes())));
    assertThat(StatusCondition.of(SessionStatus.CLOSED, sql, NOW, CONFIG)).isEqualTo("closed_at IS NOT NULL");
  }

  private static SessionStatus status(Duration quiet) {
    return SessionStatus.of(NOW.minus(quiet), null, null, NOW, CONFIG);
  }
}
