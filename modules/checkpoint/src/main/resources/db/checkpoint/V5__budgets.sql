-- Budgets (the configuration key budgets; see docs/webhooks.md): each session's totals already
-- counted, and each budget's use per period and subject, written in one transaction with the
-- budget.warning and budget.exceeded deliveries they cause, so a restart neither loses nor repeats
-- a count or an announcement.

-- The configured budgets, written again from the configuration at every start (the API reads them
-- through budgets_view, with their use in the current period).
CREATE TABLE budgets (
    name                text        PRIMARY KEY,
    position            integer     NOT NULL,   -- the order of the configuration
    period              text        NOT NULL,   -- session, day, week, month
    cost_micros         bigint,
    tokens              bigint,
    project             text,
    fleet               boolean     NOT NULL,
    user_id             text,
    warn_percent        integer     NOT NULL
);

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

-- Every configured budget with its use in the current period (UTC; weeks from Monday): one row per
-- subject that has use (a session of a session budget, a project, or '' for the fleet), or one
-- row with null use when none has any yet.
CREATE VIEW budgets_view AS
SELECT b.name, b.position, b.period, b.cost_micros AS limit_cost_micros, b.tokens AS limit_tokens, b.project, b.fleet,
       b.user_id, b.warn_percent, u.subject, u.period_start, u.period_end, u.cost_micros, u.tokens, u.warned_at,
       u.exceeded_at, u.updated_at
FROM budgets b
LEFT JOIN budget_use u ON u.budget = b.name AND CASE WHEN b.period = 'session' THEN true
    ELSE u.period_start = date_trunc(b.period, now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' END;
