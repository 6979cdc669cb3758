package dev.contextwatch.checkpoint;

import dev.contextwatch.core.config.LevelThresholds;
import dev.contextwatch.core.model.SessionStatus;
import dev.contextwatch.core.summary.SessionSummary;
import java.util.ArrayList;
import java.util.List;

/**
 * What one session update changes: the new state, the level changes to publish, the levels to
 * announce (each one a checkpoint and a webhook: warning and critical once per epoch, compacted
 * once per compaction), the lifecycle status change, and whether the client ran out of retries again
 * (session.error, once per exhaustion).
 */
record Transition(LevelState before, LevelState after, List<LevelChange> changes, List<Level> announced,
    SessionStatus statusBefore, SessionStatus statusAfter) {

  /** A level change, for the live feed. */
  record LevelChange(Level from, Level to) {}

  boolean started() {
    return before == null;
  }

  boolean statusChanged() {
    return statusAfter != statusBefore;
  }

  /** The client gave up retrying a request since the last announcement. */
  boolean errorAnnounced() {
    return after.errorsAnnounced() > (before == null ? 0 : before.errorsAnnounced());
  }

  boolean changesAnything() {
    return started() || !changes.isEmpty() || !announced.isEmpty() || statusChanged() || !after.equals(before);
  }

  /** The transition a new session summary causes from {@code before} (null for a session never seen). */
  static Transition of(LevelState before, SessionSummary summary, LevelThresholds thresholds) {
    int epoch = summary.context().compactions();
    Level computed = LevelPolicy.assess(summary.context(), thresholds);
    SessionStatus status = summary.status();
    LevelState start = before != null ? before : new LevelState(summary.sessionId(), Level.OK, epoch, Level.OK, null, 0);

    List<LevelChange> changes = new ArrayList<>();
    List<Level> announced = new ArrayList<>();
    Level level = start.level();
    Level highest = start.announced();
    boolean compactedNow = epoch > start.epoch();
    if (compactedNow) {
      announced.add(Level.COMPACTED);
      changes.add(new LevelChange(level, Level.COMPACTED));
      level = Level.COMPACTED;
      highest = Level.OK;
    }
    if (computed.ordinal() > highest.ordinal()) {
      announced.add(computed);
      highest = computed;
    }
    Level target = compactedNow && computed == Level.OK ? Level.COMPACTED : computed;
    if (target != level) {
      changes.add(new LevelChange(level, target));
    }
    LevelState after = new LevelState(start.sessionId(), target, Math.max(epoch, start.epoch()), highest, status,
        Math.max(start.errorsAnnounced(), summary.errors().retriesExhausted()));
    return new Transition(before, after, changes, announced, before == null ? null : before.status(), status);
  }

  /** A lifecycle change found by the sweep (idle, stale): the level is untouched. */
  static Transition status(LevelState before, SessionStatus status) {
    LevelState after = new LevelState(before.sessionId(), before.level(), before.epoch(), before.announced(), status,
        before.errorsAnnounced());
    return new Transition(before, after, List.of(), List.of(), before.status(), status);
  }
}
