-- Budgets (the configuration key budgets; see docs/webhooks.md): each session's totals already
-- counted, and each budget's use per period and subject, written in one transaction with the
-- budget.warning and budget.exceeded deliveries they cause, so a restart neither loses nor repeats
-- a count or an announcement.

-- The cost and tokens of each session already added to the budgets: the next summary adds only
-- what it has more.
CREATE TABLE budget_sessions (
    session_id          text        PRIMARY KEY,
    cost_micros         bigint      NOT NULL,
    tokens              bigint      NOT NULL,
    updated_at          timestamptz NOT NULL DEFAULT now()
);

-- One row per budget, period and subject (the session, the project, or '' for the fleet or
-- sessions without a project); the period is 'session' or its first day (UTC).
CREATE TABLE budget_use (
    budget              text        NOT NULL,
    period              text        NOT NULL,   -- session, day, week, month
    period_key          text        NOT NULL,   -- 'session' or the first day, e.g. 2026-11-30
    subject             text        NOT NULL,
    period_start        timestamptz,
    period_end          timestamptz,
    cost_micros         bigint      NOT NULL,
    tokens              bigint      NOT NULL,
    warned_at           timestamptz,
    exceeded_at         timestamptz,
    updated_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (budget, period_key, subject)
);
CREATE INDEX budget_use_current ON budget_use (budget, period_start);

CREATE VIEW budget_use_view AS
SELECT budget, period, period_key, subject, period_start, period_end, cost_micros, tokens, warned_at, exceeded_at, updated_at
FROM budget_use;
