package dev.contextwatch.checkpoint;

import dev.contextwatch.core.model.SessionStatus;

/**
 * What the checkpoint verticle knows of a session (table session_levels): its level, the
 * compaction epoch, the highest level already announced in that epoch, its lifecycle status, and how
 * many of its exhausted retries were announced (session.error).
 */
record LevelState(String sessionId, Level level, int epoch, Level announced, SessionStatus status, long errorsAnnounced) {}
