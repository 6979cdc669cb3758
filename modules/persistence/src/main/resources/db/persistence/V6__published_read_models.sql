-- The read models persistence publishes (named, with their columns, in core's ReadModels; see
-- docs/architecture.md, "Tables, owners and read models"). Other modules read persistence's data
-- only through these views, never its tables, so persistence may change its tables as long as the
-- views keep their columns. A view is only ever extended (CREATE OR REPLACE VIEW, new columns at
-- the end): the checkpoint module's sessions_with_levels is built on sessions_view.

CREATE VIEW sessions_view AS
SELECT session_id, pseudo, service_name, project, label, user_id, client_version, run_id, parent_session_id, synthetic,
       first_seen, last_seen, last_received_at, closed_at, input_tokens, output_tokens, cache_read_tokens,
       cache_creation_tokens, cost_usd, api_requests, api_errors, context_tokens, context_window, compact_threshold,
       context_peak, compactions, requests_left, version, summary
FROM sessions;

CREATE VIEW events_view AS
SELECT time, received_at, session_id, event_name, event_sequence, prompt_id, model, input_tokens, output_tokens,
       cache_read_tokens, cache_creation_tokens, cost_usd, duration_ms, attributes, dedup_key
FROM events;

CREATE VIEW context_samples_view AS
SELECT time, session_id, prompt_tokens, model, prompt_id, compacted
FROM context_samples;

CREATE VIEW metric_series_view AS
SELECT series_key, session_id, metric_name, start_time_unix_ns, last_time_unix_ns, last_value
FROM metric_series;

-- The dedup key of every stored record (event, data point, span), with its session and arrival.
CREATE VIEW record_keys_view AS
SELECT dedup_key, session_id, received_at FROM events
UNION ALL SELECT dedup_key, session_id, received_at FROM metric_points
UNION ALL SELECT dedup_key, session_id, received_at FROM spans;

-- Persistence's applied migrations, for readiness (Flyway's own baseline row left out).
CREATE VIEW persistence_migrations_view AS
SELECT version, description, success FROM flyway_schema_history WHERE type <> 'BASELINE';
