-- The usage rollup: the api_request events' usage columns summed per quarter hour (UTC), session
-- and model, with the user prompts counted beside them, so that reports and the usage view read a
-- few rows per session and quarter hour instead of scanning every event (docs/reports.md).
--
-- Quarter hours, not hours: every time zone's offset since 2000 (the receiver refuses older times)
-- is a whole number of quarter hours (Asia/Kolkata +05:30, Asia/Kathmandu +05:45), so a day, week
-- or month of any zone is a whole number of buckets and a report is exact in every zone.
--
-- Maintained by a statement trigger on events, in the transaction of the insert: its transition
-- table holds only the rows the statement really inserted (a row the dedup key's ON CONFLICT DO
-- NOTHING skipped is not in it), so a duplicate or a retried batch never counts twice, and a
-- rolled-back flush rolls its sums back. Retention deletes events, never these rows: reports
-- outlive the raw events. Deleting a session (SessionRecords) deletes its rows here too.
--
-- Sums are numeric (bigints can add up beyond the largest bigint; an insert must never fail on a
-- sum) and stay null while nothing was summed, as sum() over the events would; the cost is summed
-- as the reports always summed it: each finite cost rounded to the micro-dollar.
-- NULLS NOT DISTINCT (PostgreSQL 15): an event without session or model still has one row per key.

CREATE TABLE usage_rollup (
    quarter_hour          timestamptz NOT NULL,
    session_id            text,
    model                 text,
    input_tokens          numeric,
    output_tokens         numeric,
    cache_read_tokens     numeric,
    cache_creation_tokens numeric,
    cost_usd              numeric,
    requests              bigint      NOT NULL,
    user_prompts          bigint      NOT NULL
);
CREATE UNIQUE INDEX usage_rollup_key ON usage_rollup (quarter_hour, session_id, model) NULLS NOT DISTINCT;
CREATE INDEX usage_rollup_session ON usage_rollup (session_id);

-- The one statement that adds events to the rollup, over the rows of {source}: the trigger's
-- transition table, or events itself for the backfill.
CREATE FUNCTION usage_rollup_statement(source text) RETURNS text LANGUAGE sql IMMUTABLE AS $fn$
SELECT format($sql$
INSERT INTO usage_rollup AS r (quarter_hour, session_id, model, input_tokens, output_tokens, cache_read_tokens,
                               cache_creation_tokens, cost_usd, requests, user_prompts)
SELECT date_bin('15 minutes', time, timestamptz '2000-01-01 00:00:00+00'), session_id, model,
       sum(input_tokens) FILTER (WHERE event_name = 'api_request'),
       sum(output_tokens) FILTER (WHERE event_name = 'api_request'),
       sum(cache_read_tokens) FILTER (WHERE event_name = 'api_request'),
       sum(cache_creation_tokens) FILTER (WHERE event_name = 'api_request'),
       sum(round(cost_usd::numeric, 6)) FILTER (WHERE event_name = 'api_request'
                                                AND cost_usd > '-Infinity' AND cost_usd < 'Infinity'),
       count(*) FILTER (WHERE event_name = 'api_request'),
       count(*) FILTER (WHERE event_name = 'user_prompt')
FROM %s
WHERE event_name IN ('api_request', 'user_prompt')
GROUP BY 1, 2, 3
ORDER BY 1, 2, 3
ON CONFLICT (quarter_hour, session_id, model) DO UPDATE SET
    input_tokens = coalesce(r.input_tokens + excluded.input_tokens, r.input_tokens, excluded.input_tokens),
    output_tokens = coalesce(r.output_tokens + excluded.output_tokens, r.output_tokens, excluded.output_tokens),
    cache_read_tokens = coalesce(r.cache_read_tokens + excluded.cache_read_tokens, r.cache_read_tokens,
                                 excluded.cache_read_tokens),
    cache_creation_tokens = coalesce(r.cache_creation_tokens + excluded.cache_creation_tokens, r.cache_creation_tokens,
                                     excluded.cache_creation_tokens),
    cost_usd = coalesce(r.cost_usd + excluded.cost_usd, r.cost_usd, excluded.cost_usd),
    requests = r.requests + excluded.requests,
    user_prompts = r.user_prompts + excluded.user_prompts
$sql$, source)
$fn$;

CREATE FUNCTION usage_rollup_add() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  EXECUTE usage_rollup_statement('inserted');
  RETURN NULL;
END
$fn$;

-- Fills the rollup from the events stored so far (this migration, and the benchmark's generated
-- events, docs/performance.md), a month at a time: one statement over 100 million events had
-- written more than 6 GB of temporary files when it was stopped. A quarter hour cut by two months
-- is added up by the upsert.
CREATE FUNCTION usage_rollup_backfill() RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
  month timestamptz;
BEGIN
  FOR month IN SELECT generate_series(date_trunc('month', min(first), 'UTC'), max(last), interval '1 month')
               FROM (SELECT min(time) AS first, max(time) AS last FROM events WHERE event_name = 'api_request'
                     UNION ALL
                     SELECT min(time), max(time) FROM events WHERE event_name = 'user_prompt') bounds LOOP
    EXECUTE usage_rollup_statement(format('(SELECT * FROM events WHERE time >= %L AND time < %L) events',
                                          month, month + interval '1 month'));
  END LOOP;
END
$fn$;

SELECT usage_rollup_backfill();

CREATE TRIGGER events_usage_rollup AFTER INSERT ON events REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION usage_rollup_add();

-- Published: the API's reports and usage view read this, never the table.
CREATE VIEW usage_rollup_view AS
SELECT quarter_hour, session_id, model, input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens, cost_usd,
       requests, user_prompts
FROM usage_rollup;
