package dev.contextwatch.checkpoint;

import dev.contextwatch.core.config.LevelThresholds;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * What one session update changes: the new state, the level changes to publish, the levels to
 * announce (each one a checkpoint and a webhook: warning and critical once per epoch, compacted
 * once per compaction), and the lifecycle status change.
 */
record Transition(LevelState before, LevelState after, List<LevelChange> changes, List<Level> announced,
    String statusBefore, String statusAfter) {

  /** A level change, for the live feed. */
  record LevelChange(Level from, Level to) {}

  boolean started() {
    return before == null;
  }

  boolean statusChanged() {
    return !statusAfter.equals(statusBefore);
  }

  boolean changesAnything() {
    return started() || !changes.isEmpty() || !announced.isEmpty() || statusChanged() || !after.equals(before);
  }

  /** The transition a new session summary causes from {@code before} (null for a session never seen). */
  static Transition of(LevelState before, JsonObject summary, LevelThresholds thresholds) {
    JsonObject context = summary.getJsonObject("context", new JsonObject());
    int epoch = context.getInteger("compactions", 0);
    Level computed = LevelPolicy.assess(context, thresholds);
    String status = summary.getString("closedAt") != null ? "closed" : "active";
    LevelState start = before != null ? before : new LevelState(summary.getString("sessionId"), Level.OK, epoch, Level.OK, null);

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
    LevelState after = new LevelState(start.sessionId(), target, Math.max(epoch, start.epoch()), highest, status);
    return new Transition(before, after, changes, announced, before == null ? null : before.status(), status);
  }

  /** A lifecycle change found by the sweep (idle, stale): the level is untouched. */
  static Transition status(LevelState before, String status) {
    LevelState after = new LevelState(before.sessionId(), before.level(), before.epoch(), before.announced(), status);
    return new Transition(before, after, List.of(), List.of(), before.status(), status);
  }
}
