package dev.contextwatch.core.config;

import java.util.Map;

/**
 * Auto-compact thresholds set by hand (key {@code autoCompactThresholds}), in tokens: per session
 * id and per project (a session's wins). For a client whose compaction point was moved
 * ({@code CLAUDE_CODE_AUTO_COMPACT_WINDOW}, {@code autoCompactWindow}, a percentage override), so
 * that warnings come before its compaction rather than before the table's.
 */
public record CompactionThresholds(Map<String, Long> sessions, Map<String, Long> projects) {
  public static final CompactionThresholds NONE = new CompactionThresholds(Map.of(), Map.of());

  /** The threshold set for this session or else its project; null when none is. */
  public Long forSession(String sessionId, String project) {
    Long bySession = sessionId == null ? null : sessions.get(sessionId);
    return bySession != null || project == null ? bySession : projects.get(project);
  }
}
