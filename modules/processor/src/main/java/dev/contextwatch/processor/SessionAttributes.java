package dev.contextwatch.processor;

/** The configurable resource attributes that put a session into a run and name its parent. */
record SessionAttributes(String runId, String parentSession) {}
