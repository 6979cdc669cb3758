package dev.contextwatch.processor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.core.model.StoreBatch.SeriesState;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class DeltaStateMachineTest {
  private static final long START = 1_000L;

  private static DeltaStateMachine.Step step(SeriesState previous, long start, long time, double value) {
    return DeltaStateMachine.next(previous, "k", "s", "m", start, time, value);
  }

  @Test
  @DisplayName("the first point of a series counts whole")
  void firstPoint() {
    DeltaStateMachine.Step first = step(null, START, 2_000, 500);
    assertThat(first.delta()).isEqualTo(500);
    assertThat(first.state().lastValue()).isEqualTo(500);
    assertThat(first.state().lastTimeUnixNs()).isEqualTo(2_000);
  }

  @Test
  @DisplayName("steady growth counts the difference to the previous point, adding up to the last value")
  void steadyGrowth() {
    DeltaStateMachine.Step a = step(null, START, 2_000, 500);
    DeltaStateMachine.Step b = step(a.state(), START, 3_000, 1_200);
    DeltaStateMachine.Step c = step(b.state(), START, 4_000, 1_250);
    assertThat(b.delta()).isEqualTo(700);
    assertThat(c.delta()).isEqualTo(50);
    assertThat(a.delta() + b.delta() + c.delta()).isEqualTo(1_250);
  }

  @Test
  @DisplayName("a changed start time is a reset: the new series' first point counts whole")
  void resetByStartTime() {
    DeltaStateMachine.Step a = step(null, START, 2_000, 500);
    DeltaStateMachine.Step reset = step(a.state(), 5_000, 6_000, 80);
    assertThat(reset.delta()).isEqualTo(80);
    assertThat(reset.state().startTimeUnixNs()).isEqualTo(5_000);
  }

  @Test
  @DisplayName("a value that dropped is a reset even with the same start time")
  void resetByDrop() {
    DeltaStateMachine.Step a = step(null, START, 2_000, 500);
    DeltaStateMachine.Step dropped = step(a.state(), START, 3_000, 30);
    assertThat(dropped.delta()).isEqualTo(30);
    assertThat(step(dropped.state(), START, 4_000, 45).delta()).isEqualTo(15);
  }

  @Test
  @DisplayName("a point older than the last one seen counts nothing and leaves the state alone")
  void outOfOrder() {
    DeltaStateMachine.Step a = step(null, START, 2_000, 500);
    DeltaStateMachine.Step b = step(a.state(), START, 4_000, 900);
    DeltaStateMachine.Step late = step(b.state(), START, 3_000, 700);
    assertThat(late.delta()).isZero();
    assertThat(late.state()).isSameAs(b.state());
    assertThat(step(late.state(), START, 5_000, 1_000).delta()).isEqualTo(100);
  }

  @Test
  @DisplayName("a point from an older series than the current one counts nothing")
  void olderSeries() {
    DeltaStateMachine.Step current = step(step(null, START, 2_000, 500).state(), 5_000, 6_000, 80);
    DeltaStateMachine.Step stale = step(current.state(), START, 7_000, 600);
    assertThat(stale.delta()).isZero();
    assertThat(stale.state()).isSameAs(current.state());
  }

  @Test
  @DisplayName("a duplicate of the last point counts nothing")
  void duplicate() {
    DeltaStateMachine.Step a = step(null, START, 2_000, 500);
    DeltaStateMachine.Step again = step(a.state(), START, 2_000, 500);
    assertThat(again.delta()).isZero();
    assertThat(again.state()).isSameAs(a.state());
  }

  @Test
  @DisplayName("state restored after a restart continues the series exactly where it stopped")
  void restartBetweenPoints() {
    SeriesState beforeRestart = step(step(null, START, 2_000, 500).state(), START, 3_000, 800).state();
    SeriesState reloaded = new SeriesState(beforeRestart.seriesKey(), beforeRestart.sessionId(), beforeRestart.metricName(),
        beforeRestart.startTimeUnixNs(), beforeRestart.lastTimeUnixNs(), beforeRestart.lastValue());
    assertThat(step(reloaded, START, 3_000, 800).delta()).as("the point seen before the restart, sent again").isZero();
    assertThat(step(reloaded, START, 4_000, 1_000).delta()).isEqualTo(200);
  }
}
