package dev.contextwatch.core.db;

/**
 * The read models the owners of tables publish: SQL views created by the owner's own migrations.
 * A module reads another module's data only through these views (or asks the owner over the event
 * bus), never its tables, so an owner may change its tables as long as its views keep their
 * columns (docs/architecture.md, "Tables, owners and read models"). Each constant lists its
 * columns; a view is only ever extended, new columns at the end.
 */
public final class ReadModels {
  // persistence (db/persistence/V6__published_read_models.sql, extended by V7)

  /**
   * One row per session (persistence's {@code sessions}): session_id, pseudo, service_name,
   * project, label, user_id, client_version, run_id, parent_session_id, synthetic, first_seen,
   * last_seen, last_received_at, closed_at, input_tokens, output_tokens, cache_read_tokens,
   * cache_creation_tokens, cost_usd, api_requests, api_errors, context_tokens, context_window,
   * compact_threshold, context_peak, compactions, requests_left, version, summary (jsonb),
   * waiting_since (V7: since when the session waits for a person, null while it does not).
   */
  public static final String SESSIONS = "sessions_view";

  /**
   * One row per stored event: time, received_at, session_id, event_name, event_sequence,
   * prompt_id, model, input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens,
   * cost_usd, duration_ms, attributes (jsonb), dedup_key.
   */
  public static final String EVENTS = "events_view";

  /** One row per main-thread context sample: time, session_id, prompt_tokens, model, prompt_id, compacted. */
  public static final String CONTEXT_SAMPLES = "context_samples_view";

  /**
   * One row per cumulative Sum series: series_key, session_id, metric_name, start_time_unix_ns,
   * last_time_unix_ns, last_value.
   */
  public static final String METRIC_SERIES = "metric_series_view";

  /** The dedup key of every stored event, data point and span: dedup_key, session_id, received_at. */
  public static final String RECORD_KEYS = "record_keys_view";

  /** Persistence's applied migrations (Flyway's baseline left out): version, description, success. */
  public static final String PERSISTENCE_MIGRATIONS = "persistence_migrations_view";

  // checkpoint (db/checkpoint/V2__published_read_models.sql)

  /**
   * Every session with its context level: the columns of {@link #SESSIONS}, then level (ok,
   * warning, critical or compacted; null until the checkpoint verticle assigned one). The one read
   * model of sessions for the API and the live feed.
   */
  public static final String SESSIONS_WITH_LEVELS = "sessions_with_levels";

  /**
   * One row per checkpoint: id, session_id, project, run_id, model, level, epoch, context_tokens,
   * percent_of_threshold, threshold, context_window, requests_left, minutes_left, totals (jsonb),
   * last_prompt_id, samples (jsonb), created_at.
   */
  public static final String CHECKPOINTS = "checkpoints_view";

  /**
   * One row per webhook delivery, without the endpoint's URL or secret: id, endpoint, event_type,
   * session_id, project, status, attempts, next_attempt_at, last_error, last_status_code,
   * created_at, delivered_at, payload (jsonb).
   */
  public static final String WEBHOOK_DELIVERIES = "webhook_deliveries_view";

  /** The checkpoint module's applied migrations (Flyway's baseline left out): version, description, success. */
  public static final String CHECKPOINT_MIGRATIONS = "checkpoint_migrations_view";

  // checkpoint (db/checkpoint/V5__budgets.sql)

  /**
   * Every configured budget with its use in the current period (UTC; weeks from Monday): name,
   * position (the configuration's order), period (session, day, week, month), limit_cost_micros,
   * limit_tokens, project, fleet, user_id, warn_percent, then per subject with use (the session,
   * the project, or empty for the fleet; all null when none has any): subject, period_start,
   * period_end (null for a session budget), cost_micros, tokens, warned_at, exceeded_at, updated_at.
   */
  public static final String BUDGETS = "budgets_view";

  // persistence (db/persistence/V8__spans_view.sql)

  /**
   * One row per stored span: time, end_time, received_at, session_id, trace_id, span_id,
   * parent_span_id, name, status_code, attributes (jsonb).
   */
  public static final String SPANS = "spans_view";

  // persistence (db/persistence/V9__usage_rollup.sql)

  /**
   * The api_request events' usage per quarter hour (UTC), session and model, kept when retention
   * deletes the events (deleted with their session): quarter_hour, session_id, model,
   * input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens (numeric sums, null when
   * nothing was summed), cost_usd (numeric: the finite costs, each rounded to the micro-dollar),
   * requests (api_request events), user_prompts (user_prompt events).
   */
  public static final String USAGE_ROLLUP = "usage_rollup_view";

  private ReadModels() {}
}
