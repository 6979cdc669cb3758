package dev.contextwatch.processor;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.contextwatch.core.summary.SessionSummary;

/**
 * Where the client compacted in each project: the {@code pre_tokens} of the last automatic
 * compaction of its most recently committed session that compacted, per project, model and client
 * version, and per project and model for a session whose client gave no version. A session that
 * has not compacted yet takes its threshold from here (source {@code project}) before the model
 * table. Kept in memory, learnt from every committed summary, read back at start from the stored
 * summaries, never by a query per batch; bounded, the least recently used forgotten first.
 */
final class ProjectThresholds {
  /** {@code clientVersion} null: any version. */
  private record Key(String project, String model, String clientVersion) {}

  private final Cache<Key, Long> observed;

  ProjectThresholds(long maxEntries) {
    observed = Caffeine.newBuilder().maximumSize(maxEntries).build();
  }

  /** Learns from a committed summary: nothing unless the session has a project, a model and an observed threshold. */
  void learn(SessionSummary summary) {
    SessionSummary.Context context = summary.context();
    learn(summary.project(), context.model(), summary.identity().clientVersion(), context.observedThreshold());
  }

  void learn(String project, String model, String clientVersion, Long preTokens) {
    if (project == null || model == null || preTokens == null || preTokens <= 0) {
      return;
    }
    if (clientVersion != null) {
      observed.put(new Key(project, model, clientVersion), preTokens);
    }
    observed.put(new Key(project, model, null), preTokens);
  }

  /** The threshold seen in the project's sessions of this model, of this client version when it is known; else null. */
  Long forSession(String project, String model, String clientVersion) {
    return project == null || model == null ? null : observed.getIfPresent(new Key(project, model, clientVersion));
  }
}
