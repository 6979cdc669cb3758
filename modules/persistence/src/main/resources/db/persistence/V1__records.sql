-- Raw records as received. One row per log record (event), metric data point and span.
-- Every table has a time column and an index on (session_id, time). The dedup key is unique
-- together with time, so the tables can later become time-partitioned (a unique index on a
-- partitioned table must contain the partition key) without a rewrite: time is derived from
-- the record's own content, so a retried record carries the same (dedup_key, time).

CREATE TABLE events (
    time                  timestamptz      NOT NULL,
    observed_time         timestamptz,
    received_at           timestamptz      NOT NULL DEFAULT now(),
    session_id            text,
    event_name            text,
    event_sequence        bigint,
    prompt_id             text,
    model                 text,
    input_tokens          bigint,
    output_tokens         bigint,
    cache_read_tokens     bigint,
    cache_creation_tokens bigint,
    cost_usd              double precision,
    duration_ms           double precision,
    severity_number       integer          NOT NULL DEFAULT 0,
    severity_text         text,
    body                  text,
    trace_id              text,
    span_id               text,
    resource              jsonb            NOT NULL,
    scope_name            text,
    scope_version         text,
    attributes            jsonb            NOT NULL,
    dedup_key             text             NOT NULL
);
CREATE UNIQUE INDEX events_dedup ON events (dedup_key, time);
CREATE INDEX events_session_time ON events (session_id, time);
CREATE INDEX events_name_time ON events (event_name, time);

CREATE TABLE metric_points (
    time          timestamptz      NOT NULL,
    start_time    timestamptz,
    received_at   timestamptz      NOT NULL DEFAULT now(),
    session_id    text,
    metric_name   text             NOT NULL,
    metric_type   text             NOT NULL,  -- sum, gauge, histogram, exponential_histogram, summary
    temporality   text,                       -- delta, cumulative; null for gauges and summaries
    is_monotonic  boolean,
    unit          text,
    value         double precision,           -- the number of a sum or gauge; the sum of the others
    count         bigint,                     -- histograms and summaries
    data          jsonb,                      -- buckets and quantiles
    resource      jsonb            NOT NULL,
    scope_name    text,
    scope_version text,
    attributes    jsonb            NOT NULL,
    dedup_key     text             NOT NULL
);
CREATE UNIQUE INDEX metric_points_dedup ON metric_points (dedup_key, time);
CREATE INDEX metric_points_session_time ON metric_points (session_id, time);
CREATE INDEX metric_points_name_time ON metric_points (metric_name, time);

CREATE TABLE spans (
    time           timestamptz      NOT NULL,  -- start time
    end_time       timestamptz      NOT NULL,
    received_at    timestamptz      NOT NULL DEFAULT now(),
    trace_id       text             NOT NULL,
    span_id        text             NOT NULL,
    parent_span_id text,
    session_id     text,
    name           text             NOT NULL,
    kind           integer          NOT NULL,
    status_code    integer          NOT NULL,
    status_message text,
    resource       jsonb            NOT NULL,
    scope_name     text,
    scope_version  text,
    attributes     jsonb            NOT NULL,
    events         jsonb            NOT NULL,
    links          jsonb            NOT NULL,
    dedup_key      text             NOT NULL
);
CREATE UNIQUE INDEX spans_dedup ON spans (dedup_key, time);
CREATE INDEX spans_session_time ON spans (session_id, time);
CREATE INDEX spans_trace ON spans (trace_id);
