-- A budget's days, weeks and months are those of its zone (the budget's "tz", UTC by default): the
-- zone is stored with the budget, and the view finds the current period in it.
ALTER TABLE budgets ADD COLUMN zone text NOT NULL DEFAULT 'UTC';

-- period_key is the period's first day, followed by '@' and the zone unless the zone is UTC.
COMMENT ON COLUMN budget_use.period_key IS 'session, or the period''s first day (e.g. 2026-11-30), then @zone unless UTC';

CREATE OR REPLACE VIEW budgets_view AS
SELECT b.name, b.position, b.period, b.cost_micros AS limit_cost_micros, b.tokens AS limit_tokens, b.project, b.fleet,
       b.user_id, b.warn_percent, u.subject, u.period_start, u.period_end, u.cost_micros, u.tokens, u.warned_at,
       u.exceeded_at, u.updated_at, b.zone
FROM budgets b
LEFT JOIN budget_use u ON u.budget = b.name AND CASE WHEN b.period = 'session' THEN true
    ELSE u.period_start = date_trunc(b.period, now() AT TIME ZONE b.zone) AT TIME ZONE b.zone END;
