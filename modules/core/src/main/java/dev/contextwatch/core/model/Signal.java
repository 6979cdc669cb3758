package dev.contextwatch.core.model;

/** The three OTLP signals. */
public enum Signal {
  LOGS,
  METRICS,
  TRACES
}
