-- Sessions a load test simulated (resource attribute contextwatch.synthetic=true; see
-- docs/architecture.md, "Synthetic sessions"). They are stored and computed like any other, but the
-- fleet views leave them out unless asked (synthetic=include|only) and webhook endpoints hear of
-- them only when they opt in. Rows written before this column existed are real sessions.
ALTER TABLE sessions ADD COLUMN synthetic boolean NOT NULL DEFAULT false;
