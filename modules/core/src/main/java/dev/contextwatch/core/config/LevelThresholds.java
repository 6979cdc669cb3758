package dev.contextwatch.core.config;

/**
 * When a session's context is at risk: {@code warning} from {@code warningPercent} of the
 * auto-compact threshold or when predicted to reach it within {@code warningRequests} requests;
 * {@code critical} likewise with the critical figures.
 */
public record LevelThresholds(int warningPercent, int criticalPercent, int warningRequests, int criticalRequests) {}
