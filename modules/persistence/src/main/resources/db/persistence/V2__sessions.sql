-- Session-aware processing (see docs/architecture.md).

-- The delta of a Sum point: the value itself for DELTA points, the increase over the series'
-- previous point for CUMULATIVE ones (0 for a duplicate or out-of-order point); null for gauges,
-- histograms and summaries.
ALTER TABLE metric_points ADD COLUMN delta double precision;

-- Cumulative-to-delta state, one row per Sum series (resource attributes + metric name + point
-- attributes), written in the same transaction as the points it saw.
CREATE TABLE metric_series (
    series_key          text             PRIMARY KEY,
    session_id          text,
    metric_name         text             NOT NULL,
    start_time_unix_ns  bigint           NOT NULL,
    last_time_unix_ns   bigint           NOT NULL,
    last_value          double precision NOT NULL,
    updated_at          timestamptz      NOT NULL DEFAULT now()
);
CREATE INDEX metric_series_session ON metric_series (session_id);

-- One row per session: the columns the API filters and sorts on, and the whole summary as jsonb.
CREATE TABLE sessions (
    session_id            text             PRIMARY KEY,
    pseudo                boolean          NOT NULL,
    service_name          text,
    project               text,
    label                 text,
    user_id               text,
    client_version        text,
    run_id                text,
    parent_session_id     text,
    first_seen            timestamptz      NOT NULL,
    last_seen             timestamptz      NOT NULL,
    last_received_at      timestamptz      NOT NULL,
    closed_at             timestamptz,
    input_tokens          bigint           NOT NULL,
    output_tokens         bigint           NOT NULL,
    cache_read_tokens     bigint           NOT NULL,
    cache_creation_tokens bigint           NOT NULL,
    cost_usd              double precision NOT NULL,
    api_requests          bigint           NOT NULL,
    api_errors            bigint           NOT NULL,
    context_tokens        bigint,
    context_window        bigint,
    compact_threshold     bigint,
    context_peak          bigint,
    compactions           integer          NOT NULL,
    summary               jsonb            NOT NULL
);
CREATE INDEX sessions_project ON sessions (project, last_received_at);
CREATE INDEX sessions_run ON sessions (run_id);
CREATE INDEX sessions_last_received ON sessions (last_received_at);

-- Main-thread context samples: the prompt size of every main-thread api_request.
CREATE TABLE context_samples (
    time          timestamptz NOT NULL,
    session_id    text        NOT NULL,
    prompt_tokens bigint      NOT NULL,
    model         text,
    prompt_id     text,
    compacted     boolean     NOT NULL,   -- this sample follows a compaction
    dedup_key     text        NOT NULL    -- the api_request event's key
);
CREATE UNIQUE INDEX context_samples_dedup ON context_samples (dedup_key, time);
CREATE INDEX context_samples_session_time ON context_samples (session_id, time);
