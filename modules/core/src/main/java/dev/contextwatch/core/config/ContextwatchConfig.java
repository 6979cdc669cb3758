package dev.contextwatch.core.config;

/** The whole configuration, typed. Built by {@link ConfigLoader}; defaults live in config/contextwatch.json. */
public record ContextwatchConfig(
    ReceiverConfig receiver, DatabaseConfig database, WriterConfig writer, int shutdownTimeoutMs) {

  public ContextwatchConfig withReceiver(ReceiverConfig newReceiver) {
    return new ContextwatchConfig(newReceiver, database, writer, shutdownTimeoutMs);
  }

  public ContextwatchConfig withDatabase(DatabaseConfig newDatabase) {
    return new ContextwatchConfig(receiver, newDatabase, writer, shutdownTimeoutMs);
  }

  public ContextwatchConfig withWriter(WriterConfig newWriter) {
    return new ContextwatchConfig(receiver, database, newWriter, shutdownTimeoutMs);
  }
}
