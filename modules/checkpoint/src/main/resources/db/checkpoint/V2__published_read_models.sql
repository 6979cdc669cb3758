-- The read models the checkpoint module publishes (named, with their columns, in core's
-- ReadModels; see docs/architecture.md, "Tables, owners and read models"). Other modules read the
-- checkpoint module's data only through these views, never its tables. Built after persistence's
-- migrations: sessions_with_levels reads persistence's published sessions_view.

-- Every session with the context level the checkpoint verticle assigned it (null until it
-- assigned one): the one read model of sessions the API and the live feed read.
CREATE VIEW sessions_with_levels AS
SELECT s.*, l.level
FROM sessions_view s LEFT JOIN session_levels l ON l.session_id = s.session_id;

CREATE VIEW checkpoints_view AS
SELECT id, session_id, project, run_id, model, level, epoch, context_tokens, percent_of_threshold, threshold, context_window,
       requests_left, minutes_left, totals, last_prompt_id, samples, created_at
FROM checkpoints;

-- Everything about a delivery but the endpoint's URL and secret, which never leave the configuration.
CREATE VIEW webhook_deliveries_view AS
SELECT id, endpoint, event_type, session_id, project, status, attempts, next_attempt_at, last_error, last_status_code,
       created_at, delivered_at, payload
FROM webhook_deliveries;

-- The checkpoint module's applied migrations, for readiness (Flyway's own baseline row left out).
CREATE VIEW checkpoint_migrations_view AS
SELECT version, description, success FROM flyway_checkpoint_history WHERE type <> 'BASELINE';
