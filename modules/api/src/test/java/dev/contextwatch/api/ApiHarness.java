package dev.contextwatch.api;

import dev.contextwatch.checkpoint.CheckpointMigrations;
import dev.contextwatch.core.config.ApiConfig;
import dev.contextwatch.core.config.ConfigLoader;
import dev.contextwatch.core.config.ContextwatchConfig;
import dev.contextwatch.core.config.SessionConfig;
import dev.contextwatch.core.config.TlsFiles;
import dev.contextwatch.persistence.Migrations;
import dev.contextwatch.testkit.TestDatabase;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An {@link ApiVerticle} on a free port over a fresh test database holding the schema the owning
 * modules' migrations create (their runners are test dependencies: the api module's code depends on
 * core alone), a JDBC door to insert each scenario's rows, and an HTTP client.
 */
final class ApiHarness {
  /** The defaults: active below 5 minutes, idle below 60. */
  static final ContextwatchConfig CONFIG = ConfigLoader.defaults();
  static final SessionConfig SESSIONS = CONFIG.sessions();

  final Vertx vertx;
  final String databaseUrl;
  private final WebClient client;
  private ApiVerticle verticle;

  private ApiHarness(Vertx vertx, String databaseUrl) {
    this.vertx = vertx;
    this.databaseUrl = databaseUrl;
    this.client = WebClient.create(vertx);
  }

  /** A fresh database with the schema, and the API over it. */
  static ApiHarness start(Vertx vertx) throws Exception {
    String url = TestDatabase.newDatabase();
    createSchema(url);
    return start(vertx, url);
  }

  /** The API over {@code databaseUrl} as it is. */
  static ApiHarness start(Vertx vertx, String databaseUrl) throws Exception {
    ApiHarness harness = new ApiHarness(vertx, databaseUrl);
    harness.verticle = new ApiVerticle(new ApiConfig("127.0.0.1", 0, TlsFiles.NONE, "", "", List.of()), CONFIG.database().withUrl(databaseUrl), SESSIONS, CONFIG.stream());
    await(vertx.deployVerticle(harness.verticle));
    return harness;
  }

  /** The schema as the owners of the tables migrate it: persistence, then the checkpoint module. */
  static void createSchema(String url) {
    PgConnectOptions options = PgConnectOptions.fromUri(url);
    Migrations.apply(options);
    CheckpointMigrations.apply(options);
  }

  /** A finished HTTP exchange. */
  record Response(int status, MultiMap headers, Buffer body) {
    JsonObject json() {
      return body.toJsonObject();
    }
  }

  Response get(String uri) throws Exception {
    return send(HttpMethod.GET, uri);
  }

  Response post(String uri) throws Exception {
    return send(HttpMethod.POST, uri);
  }

  Response send(HttpMethod method, String uri) throws Exception {
    return await(client.request(method, verticle.port(), "127.0.0.1", uri).send()
        .map(r -> new Response(r.statusCode(), r.headers(), r.bodyAsBuffer() == null ? Buffer.buffer() : r.bodyAsBuffer())));
  }

  /** Runs one statement; Instants are bound as timestamptz, JsonObjects as text (cast with ?::jsonb). */
  int sql(String sql, Object... params) throws Exception {
    try (Connection c = TestDatabase.connect(databaseUrl); PreparedStatement s = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        s.setObject(i + 1, jdbc(params[i]));
      }
      return s.executeUpdate();
    }
  }

  private static Object jdbc(Object value) {
    if (value instanceof Instant instant) {
      return instant.atOffset(ZoneOffset.UTC);
    }
    return value instanceof JsonObject json ? json.encode() : value;
  }

  /** Now, to the millisecond, so that stored and returned times compare equal. */
  static Instant now() {
    return Instant.now().truncatedTo(ChronoUnit.MILLIS);
  }

  static Instant minutesAgo(long minutes) {
    return now().minus(Duration.ofMinutes(minutes));
  }

  SessionRow session(String id) {
    return new SessionRow(id);
  }

  /** A row of {@code sessions}; what a test does not set gets a plain value. */
  final class SessionRow {
    final String id;
    String project;
    String label;
    String runId;
    String parent;
    Instant lastReceivedAt = minutesAgo(1);
    Instant closedAt;
    long inputTokens;
    long outputTokens;
    long cacheReadTokens;
    long cacheCreationTokens;
    double costUsd;
    long apiRequests;
    Long contextTokens;
    Long compactThreshold;
    JsonObject summary;

    private SessionRow(String id) {
      this.id = id;
      this.summary = new JsonObject().put("sessionId", id);
    }

    SessionRow project(String value) {
      project = value;
      return this;
    }

    SessionRow label(String value) {
      label = value;
      return this;
    }

    SessionRow run(String value) {
      runId = value;
      return this;
    }

    SessionRow parent(String value) {
      parent = value;
      return this;
    }

    SessionRow received(Instant value) {
      lastReceivedAt = value;
      return this;
    }

    SessionRow receivedMinutesAgo(long minutes) {
      return received(minutesAgo(minutes));
    }

    SessionRow closed(Instant value) {
      closedAt = value;
      return this;
    }

    SessionRow tokens(long input, long output, long cacheRead, long cacheCreation) {
      inputTokens = input;
      outputTokens = output;
      cacheReadTokens = cacheRead;
      cacheCreationTokens = cacheCreation;
      return this;
    }

    SessionRow cost(double value) {
      costUsd = value;
      return this;
    }

    SessionRow apiRequests(long value) {
      apiRequests = value;
      return this;
    }

    SessionRow context(long tokens, long threshold) {
      contextTokens = tokens;
      compactThreshold = threshold;
      return this;
    }

    SessionRow summary(JsonObject value) {
      summary = value;
      return this;
    }

    /** first_seen is an hour before the last record, last_seen a second before it arrived. */
    SessionRow insert() throws Exception {
      sql("""
          INSERT INTO sessions (session_id, pseudo, project, label, run_id, parent_session_id, first_seen, last_seen,
            last_received_at, closed_at, input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens, cost_usd,
            api_requests, api_errors, context_tokens, context_window, compact_threshold, context_peak, compactions, summary)
          VALUES (?, false, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, 200000, ?, ?, 0, ?::jsonb)""",
          id, project, label, runId, parent, firstSeen(), lastSeen(), lastReceivedAt, closedAt, inputTokens, outputTokens,
          cacheReadTokens, cacheCreationTokens, costUsd, apiRequests, contextTokens, compactThreshold, contextTokens, summary);
      return this;
    }

    Instant firstSeen() {
      return lastReceivedAt.minus(Duration.ofHours(1));
    }

    Instant lastSeen() {
      return lastReceivedAt.minusSeconds(1);
    }
  }

  /** A row of {@code events}: an api_request-like record with the given sequence and tokens. */
  void event(String session, Instant time, String name, long sequence, long inputTokens, double costUsd,
      JsonObject attributes) throws Exception {
    sql("""
        INSERT INTO events (time, session_id, event_name, event_sequence, prompt_id, model, input_tokens, output_tokens,
          cache_read_tokens, cache_creation_tokens, cost_usd, duration_ms, resource, attributes, dedup_key)
        VALUES (?, ?, ?, ?, 'prompt-1', 'claude-sonnet-4-5', ?, 60, 1000, 200, ?, 1234.5, '{}'::jsonb, ?::jsonb, ?)""",
        time, session, name, sequence, inputTokens, costUsd, attributes, session + "-" + sequence);
  }

  void contextSample(String session, Instant time, long tokens, boolean compacted) throws Exception {
    sql("INSERT INTO context_samples (time, session_id, prompt_tokens, model, prompt_id, compacted, dedup_key)"
        + " VALUES (?, ?, ?, 'claude-sonnet-4-5', 'prompt-1', ?, ?)", time, session, tokens, compacted, session + "@" + time);
  }

  static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
