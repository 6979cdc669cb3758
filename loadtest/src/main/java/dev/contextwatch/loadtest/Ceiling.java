package dev.contextwatch.loadtest;

import dev.contextwatch.core.bus.Addresses;
import dev.contextwatch.core.config.ConfigLoader;
import dev.contextwatch.core.config.ContextwatchConfig;
import dev.contextwatch.core.model.EventRecord;
import dev.contextwatch.core.model.MetricPoint;
import dev.contextwatch.core.model.RecordBatch;
import dev.contextwatch.core.model.StoreBatch;
import dev.contextwatch.persistence.PersistenceVerticle;
import dev.contextwatch.processor.source.Reading;
import dev.contextwatch.processor.source.SourceAdapters;
import dev.contextwatch.receiver.OtlpDecoder;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import java.net.URI;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What PostgreSQL takes without the pipeline in front: the persistence verticle alone, on a new
 * database of the same server, fed decoded records straight over the event bus. The statements
 * are the very ones the pipeline runs (one {@code INSERT ... SELECT ... FROM unnest(...) ON
 * CONFLICT DO NOTHING} per table per group commit, BulkInsert and RecordTables) with the same
 * writer configuration; there is no HTTP, no decoding on the clock, no session processing (so no
 * session, series or context-sample rows) and no live feed.
 *
 * <p>The rows are the simulator's records decoded by the receiver's own decoder, their events read by
 * Claude Code's source adapter (usage columns filled) as the processor stores them. A pool of them is
 * decoded once before the clock starts and then written over and over, each pass with its dedup
 * keys and times shifted so that every row is new (the unique index would otherwise turn the
 * inserts into no-ops).
 */
final class Ceiling {
  /**
   * Records committed in {@code seconds} (after the warm-up, if any); {@code storedRows} is what
   * the tables hold afterwards, the warm-up's rows included.
   */
  record Result(long records, double seconds, double recordsPerSecond, long transactions, long storedRows) {}

  private static final int POOL_REQUESTS = 256;

  private Ceiling() {}

  static Result run(Options options, String serverUrl) throws Exception {
    URI server = URI.create(serverUrl);
    String database = "contextwatch_ceiling_" + ProcessHandle.current().pid() + "_" + System.currentTimeMillis() % 100_000;
    admin(server, "CREATE DATABASE " + database);
    String url = server.getScheme() + "://" + (server.getRawUserInfo() == null ? "" : server.getRawUserInfo() + "@")
        + server.getHost() + ":" + server.getPort() + "/" + database;
    Vertx vertx = Vertx.vertx();
    try {
      ContextwatchConfig config = ConfigLoader.load(EmbeddedTarget.configFile(options), System.getenv());
      EmbeddedTarget.await(vertx.deployVerticle(new PersistenceVerticle(config.database().withUrl(url), config.writer())), 120);
      List<RecordBatch> pool = pool(options, new OtlpDecoder(config.receiver()));
      Result result = write(vertx, options, pool);
      return new Result(result.records(), result.seconds(), result.recordsPerSecond(), result.transactions(), rows(server, database));
    } finally {
      EmbeddedTarget.await(vertx.close(), 60);
      admin(server, "DROP DATABASE IF EXISTS " + database);
    }
  }

  /** The events as the processor stores them: with the usage columns Claude Code's adapter reads. */
  private static RecordBatch read(RecordBatch decoded) {
    SourceAdapters adapters = SourceAdapters.known();
    List<EventRecord> events = decoded.events().stream().map(adapters::read).filter(r -> !r.refused()).map(Reading::event).toList();
    return new RecordBatch(decoded.signal(), events, decoded.points(), decoded.spans(), decoded.rejected(), decoded.rejectionMessage());
  }

  /** The simulator's requests, as in a saturation run, decoded by the receiver's decoder. */
  private static List<RecordBatch> pool(Options options, OtlpDecoder decoder) throws Exception {
    Simulator simulator = new Simulator(options);
    List<SimSession> fleet = simulator.fleet(System.currentTimeMillis());
    Exports exports = new Exports(options, new OtlpEncoder(Options.Encoding.PROTOBUF, false));
    List<RecordBatch> pool = new ArrayList<>();
    for (int i = 0; i < POOL_REQUESTS; i++) {
      SimSession s = fleet.get(i % fleet.size());
      long now = System.currentTimeMillis();
      simulator.emit(s, options.batchRecords, now, now);
      pool.add(read(decoder.logs(ExportLogsServiceRequest.parseFrom(exports.logs(s).body.getBytes()))));
      if (i % options.logsPerMetricsExport() == 0) {
        for (Request metrics : exports.metrics(s, now)) {
          pool.add(decoder.metrics(ExportMetricsServiceRequest.parseFrom(metrics.body.getBytes())));
        }
      }
    }
    return pool;
  }

  /**
   * Writes the pool pass after pass for the run's warm-up and duration, {@code --in-flight} batches
   * at a time; the clock starts after the warm-up, as the pipeline's does.
   */
  private static Result write(Vertx vertx, Options options, List<RecordBatch> pool) throws Exception {
    Writer writer = new Writer(vertx, options, pool);
    vertx.getOrCreateContext().runOnContext(v -> writer.fill());
    return EmbeddedTarget.await(writer.done.future(), options.warmup.plus(options.duration).toSeconds() + 120);
  }

  /** Keeps {@code --in-flight} batches on their way to the persistence verticle until the time is up. */
  private static final class Writer {
    final Promise<Result> done = Promise.promise();
    private final Vertx vertx;
    private final Options options;
    private final List<RecordBatch> pool;
    /** When the warm-up ends and the clock starts: only commits answered from then on count. */
    private final long start;
    private final long end;
    private long records;
    private long transactions;
    private int next;
    private int inFlight;

    Writer(Vertx vertx, Options options, List<RecordBatch> pool) {
      this.vertx = vertx;
      this.options = options;
      this.pool = pool;
      this.start = System.nanoTime() + options.warmup.toNanos();
      this.end = start + options.duration.toNanos();
    }

    void fill() {
      while (inFlight < options.inFlight && System.nanoTime() < end) {
        RecordBatch batch = shifted(pool.get(next % pool.size()), next / pool.size());
        next++;
        inFlight++;
        vertx.eventBus().request(Addresses.STORE, StoreBatch.of(batch), new DeliveryOptions().setSendTimeout(60_000))
            .onComplete(reply -> {
              inFlight--;
              if (reply.succeeded() && System.nanoTime() >= start) {
                records += batch.size();
                transactions++;
              }
              fill();
              if (inFlight == 0) {
                double seconds = (System.nanoTime() - start) / 1e9;
                done.tryComplete(new Result(records, seconds, records / seconds, transactions, 0));
              }
            });
      }
    }
  }

  /**
   * The batch as the processor would hand it on (sums carry a delta), with every dedup key and time
   * moved for passes after the first, so its rows are new.
   */
  private static RecordBatch shifted(RecordBatch batch, int pass) {
    Duration shift = Duration.ofHours(pass);
    String prefix = String.format(Locale.ROOT, "%08x", pass);
    List<EventRecord> events = batch.events().stream().map(e -> new EventRecord(e.time().plus(shift),
        e.observedTime().plus(shift), e.sessionId(), e.eventName(), e.eventSequence(), e.promptId(), e.model(),
        e.inputTokens(), e.outputTokens(), e.cacheReadTokens(), e.cacheCreationTokens(), e.costMicros(), e.durationMs(),
        e.severityNumber(), e.severityText(), e.body(), e.traceId(), e.spanId(), e.origin(), e.attributes(),
        key(e.dedupKey(), pass, prefix))).toList();
    List<MetricPoint> points = batch.points().stream().map(p -> new MetricPoint(p.time().plus(shift),
        p.startTime().plus(shift), p.sessionId(), p.metricName(), p.type(), p.temporality(), p.monotonic(), p.unit(),
        p.value(), p.count(), p.data(), p.origin(), p.attributes(), key(p.dedupKey(), pass, prefix), p.value())).toList();
    return new RecordBatch(batch.signal(), events, points, batch.spans(), 0, null);
  }

  private static String key(String dedupKey, int pass, String prefix) {
    return pass == 0 ? dedupKey : prefix + dedupKey.substring(8);
  }

  private static void admin(URI server, String sql) throws SQLException {
    try (Connection c = Jdbc.connect(server, server.getPath().replaceFirst("^/", "")); Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static long rows(URI server, String database) throws SQLException {
    try (Connection c = Jdbc.connect(server, database); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT (SELECT count(*) FROM events) + (SELECT count(*) FROM metric_points)")) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
