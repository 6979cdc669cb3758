package dev.contextwatch.core.summary;

import java.util.List;

/**
 * What {@code contextwatch.session.updated} carries after a committed batch (by reference, local
 * codec): the new summary of every session it changed, and the ids of those it saw for the first
 * time.
 */
public record SessionsUpdated(List<SessionSummary> sessions, List<String> started) {}
