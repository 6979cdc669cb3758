package dev.contextwatch.core.config;

/** The whole configuration, typed. Built by {@link ConfigLoader}; defaults live in config/contextwatch.json. */
public record ContextwatchConfig(
    ReceiverConfig receiver,
    ApiConfig api,
    DatabaseConfig database,
    WriterConfig writer,
    RetentionConfig retention,
    SessionConfig sessions,
    CheckpointConfig checkpoints,
    StreamConfig stream,
    int shutdownTimeoutMs,
    ClusterConfig cluster) {

  public ContextwatchConfig withReceiver(ReceiverConfig newReceiver) {
    return new ContextwatchConfig(newReceiver, api, database, writer, retention, sessions, checkpoints, stream, shutdownTimeoutMs, cluster);
  }

  public ContextwatchConfig withApi(ApiConfig newApi) {
    return new ContextwatchConfig(receiver, newApi, database, writer, retention, sessions, checkpoints, stream, shutdownTimeoutMs, cluster);
  }

  public ContextwatchConfig withDatabase(DatabaseConfig newDatabase) {
    return new ContextwatchConfig(receiver, api, newDatabase, writer, retention, sessions, checkpoints, stream, shutdownTimeoutMs, cluster);
  }

  public ContextwatchConfig withWriter(WriterConfig newWriter) {
    return new ContextwatchConfig(receiver, api, database, newWriter, retention, sessions, checkpoints, stream, shutdownTimeoutMs, cluster);
  }

  public ContextwatchConfig withRetention(RetentionConfig newRetention) {
    return new ContextwatchConfig(receiver, api, database, writer, newRetention, sessions, checkpoints, stream, shutdownTimeoutMs, cluster);
  }

  public ContextwatchConfig withSessions(SessionConfig newSessions) {
    return new ContextwatchConfig(receiver, api, database, writer, retention, newSessions, checkpoints, stream, shutdownTimeoutMs, cluster);
  }

  public ContextwatchConfig withCheckpoints(CheckpointConfig newCheckpoints) {
    return new ContextwatchConfig(receiver, api, database, writer, retention, sessions, newCheckpoints, stream, shutdownTimeoutMs, cluster);
  }

  public ContextwatchConfig withStream(StreamConfig newStream) {
    return new ContextwatchConfig(receiver, api, database, writer, retention, sessions, checkpoints, newStream, shutdownTimeoutMs, cluster);
  }

  public ContextwatchConfig withCluster(ClusterConfig newCluster) {
    return new ContextwatchConfig(receiver, api, database, writer, retention, sessions, checkpoints, stream, shutdownTimeoutMs,
        newCluster);
  }
}
