-- Context levels, checkpoints and the webhook outbox (see docs/webhooks.md): the checkpoint
-- module's tables, recorded in its own history (flyway_checkpoint_history).
--
-- Before the checkpoint module owned its tables, persistence's V3 created them. A database that ran
-- it has them already, with rows: every statement here is IF NOT EXISTS, so this migration leaves
-- them as they are there and creates them on a new database. Keep them identical to the old V3.

-- The checkpoint verticle's view of each session: its context level within the current compaction
-- epoch (the number of compactions seen), the highest level already announced in that epoch, and
-- the lifecycle notifications already sent.
CREATE TABLE IF NOT EXISTS session_levels (
    session_id          text        PRIMARY KEY,
    level               text        NOT NULL,   -- ok, warning, critical, compacted
    epoch               integer     NOT NULL,
    announced_level     text        NOT NULL,   -- highest of ok < warning < critical announced in this epoch
    status              text        NOT NULL,   -- last lifecycle status seen: active, idle, stale, closed
    updated_at          timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS checkpoints (
    id                  bigserial        PRIMARY KEY,
    session_id          text             NOT NULL,
    project             text,
    run_id              text,
    model               text,
    level               text             NOT NULL,   -- warning, critical, compacted
    epoch               integer          NOT NULL,
    context_tokens      bigint,
    percent_of_threshold double precision,
    threshold           bigint,
    context_window      bigint,
    requests_left       double precision,
    minutes_left        double precision,
    totals              jsonb            NOT NULL,
    last_prompt_id      text,
    samples             jsonb            NOT NULL,   -- the last context samples
    created_at          timestamptz      NOT NULL DEFAULT now(),
    UNIQUE (session_id, level, epoch)
);
CREATE INDEX IF NOT EXISTS checkpoints_project ON checkpoints (project, created_at);
CREATE INDEX IF NOT EXISTS checkpoints_created ON checkpoints (created_at);

-- The outbox: written in the same transaction as the checkpoint or notification it announces, so a
-- crash never loses or skips a delivery. One row per endpoint and event; the id is the delivery id
-- sent on every attempt.
CREATE TABLE IF NOT EXISTS webhook_deliveries (
    id                  uuid             PRIMARY KEY,
    endpoint            text             NOT NULL,
    event_type          text             NOT NULL,
    event_key           text             NOT NULL,   -- what makes the event unique, e.g. context.warning:<session>:<epoch>
    session_id          text,
    project             text,
    payload             jsonb            NOT NULL,
    status              text             NOT NULL,   -- pending, delivered, dead
    attempts            integer          NOT NULL DEFAULT 0,
    next_attempt_at     timestamptz      NOT NULL DEFAULT now(),
    last_error          text,
    last_status_code    integer,
    created_at          timestamptz      NOT NULL DEFAULT now(),
    delivered_at        timestamptz,
    UNIQUE (endpoint, event_key)
);
CREATE INDEX IF NOT EXISTS webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX IF NOT EXISTS webhook_deliveries_session ON webhook_deliveries (session_id);
