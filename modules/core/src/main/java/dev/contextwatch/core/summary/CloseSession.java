package dev.contextwatch.core.summary;

/**
 * A request on {@code contextwatch.session.close} (local codec) to mark a session closed; the
 * reply is its new {@link SessionSummary}.
 */
public record CloseSession(String sessionId) {}
