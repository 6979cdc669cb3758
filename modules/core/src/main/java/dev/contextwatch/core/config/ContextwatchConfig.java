package dev.contextwatch.core.config;

/** The whole configuration, typed. Built by {@link ConfigLoader}; defaults live in config/contextwatch.json. */
public record ContextwatchConfig(
    ReceiverConfig receiver,
    ApiConfig api,
    DatabaseConfig database,
    WriterConfig writer,
    SessionConfig sessions,
    int shutdownTimeoutMs) {

  public ContextwatchConfig withReceiver(ReceiverConfig newReceiver) {
    return new ContextwatchConfig(newReceiver, api, database, writer, sessions, shutdownTimeoutMs);
  }

  public ContextwatchConfig withApi(ApiConfig newApi) {
    return new ContextwatchConfig(receiver, newApi, database, writer, sessions, shutdownTimeoutMs);
  }

  public ContextwatchConfig withDatabase(DatabaseConfig newDatabase) {
    return new ContextwatchConfig(receiver, api, newDatabase, writer, sessions, shutdownTimeoutMs);
  }

  public ContextwatchConfig withWriter(WriterConfig newWriter) {
    return new ContextwatchConfig(receiver, api, database, newWriter, sessions, shutdownTimeoutMs);
  }

  public ContextwatchConfig withSessions(SessionConfig newSessions) {
    return new ContextwatchConfig(receiver, api, database, writer, newSessions, shutdownTimeoutMs);
  }
}
