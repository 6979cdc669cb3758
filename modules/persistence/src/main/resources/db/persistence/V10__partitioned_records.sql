-- The record tables (events, metric_points, spans, context_samples) partitioned by their time
-- column, one partition per day (UTC), so that retention drops a day that is wholly past it instead
-- of deleting its rows one by one while ingestion writes (issue 17; docs/architecture.md, "Record
-- partitions"). A day, not a week or an hour: the default retention of 30 days then keeps about 40
-- partitions per table (the days kept, the days created ahead, legacy and default), few enough for
-- the planner, and a row outlives its table's retention by at most one day.
--
-- An insert never fails for want of a partition: a DEFAULT partition takes any time no day
-- partition covers (records of past days, or far in the future: clients send both). Retention
-- deletes rows older than the cutoff only there and in the legacy partition, which have no days.
--
-- An existing table is not rewritten: it is renamed and attached as the parent's "legacy"
-- partition, from MINVALUE to the start of tomorrow (UTC). Its indexes match the parent's, so they
-- are attached, not rebuilt; attaching reads the table once to check the bound (no write). The few
-- rows it may hold from tomorrow on (clients' future times) move to the default partition first.
-- Day partitions start tomorrow; retention drops the legacy partition once all of it is past
-- (until then it deletes the legacy partition's old rows in batches, as before).
--
-- A unique index on a partitioned table must include the partition key: (dedup_key, time) was made
-- so in V1. A record's time comes from its own content, so a true duplicate has the same time and
-- lands in the same partition, where the index refuses it (ON CONFLICT DO NOTHING still stores a
-- record once).

-- The partitions of a record table with their range: from_time null for the legacy partition
-- (MINVALUE), both null for the default partition.
CREATE FUNCTION record_partitions(parent regclass)
RETURNS TABLE (partition regclass, from_time timestamptz, to_time timestamptz, is_default boolean)
LANGUAGE sql STABLE AS $fn$
SELECT c.oid::regclass,
       (regexp_match(bound, 'FROM \(''([^'']*)''\)'))[1]::timestamptz,
       (regexp_match(bound, 'TO \(''([^'']*)''\)'))[1]::timestamptz,
       bound = 'DEFAULT'
FROM pg_inherits i
JOIN pg_class c ON c.oid = i.inhrelid
CROSS JOIN LATERAL pg_get_expr(c.relpartbound, c.oid) bound
WHERE i.inhparent = parent
$fn$;

-- Creates a partition for every day (UTC) from first_day to last_day that no partition covers yet,
-- and returns how many it created. A day's rows already in the default partition move into the
-- day's partition (the default partition may hold none of a new partition's range); the default
-- partition is locked meanwhile so that no insert lands there between the move and the attach.
-- CREATE TABLE then ATTACH rather than CREATE TABLE ... PARTITION OF: ATTACH locks the parent only
-- in SHARE UPDATE EXCLUSIVE mode, which inserts do not wait for. lock_timeout: a long reader of
-- the default partition makes this pass give up (the next one retries) rather than queue inserts.
CREATE FUNCTION record_partitions_create(parent regclass, first_day date, last_day date)
RETURNS integer LANGUAGE plpgsql AS $fn$
DECLARE
  each_day date;
  day_start timestamptz;
  name text;
  fallback regclass;
  created integer := 0;
BEGIN
  PERFORM set_config('lock_timeout', '5s', true);
  SELECT p.partition INTO fallback FROM record_partitions(parent) p WHERE p.is_default;
  FOR each_day IN SELECT generate_series(first_day, last_day, interval '1 day')::date LOOP
    day_start := each_day::timestamp AT TIME ZONE 'UTC';
    CONTINUE WHEN EXISTS (SELECT 1 FROM record_partitions(parent) p
                          WHERE NOT p.is_default AND coalesce(p.from_time < day_start + interval '1 day', true)
                            AND p.to_time > day_start);
    name := parent::text || '_p' || to_char(each_day, 'YYYYMMDD');
    EXECUTE format('CREATE TABLE %I (LIKE %s INCLUDING DEFAULTS)', name, parent);
    IF fallback IS NOT NULL THEN
      EXECUTE format('LOCK TABLE %s IN ACCESS EXCLUSIVE MODE', fallback);
      EXECUTE format('WITH moved AS (DELETE FROM %s WHERE time >= %L AND time < %L RETURNING *) INSERT INTO %I SELECT * FROM moved',
                     fallback, day_start, day_start + interval '1 day', name);
    END IF;
    EXECUTE format('ALTER TABLE %s ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
                   parent, name, day_start, day_start + interval '1 day');
    created := created + 1;
  END LOOP;
  RETURN created;
END
$fn$;

-- Drops a record table's partitions whose whole range is older than cutoff (day partitions, and the
-- legacy partition once its end is past) and returns how many. Dropping a partition locks the
-- parent for a moment; lock_timeout as above.
CREATE FUNCTION record_partitions_drop(parent regclass, cutoff timestamptz)
RETURNS integer LANGUAGE plpgsql AS $fn$
DECLARE
  old regclass;
  dropped integer := 0;
BEGIN
  PERFORM set_config('lock_timeout', '5s', true);
  FOR old IN SELECT p.partition FROM record_partitions(parent) p WHERE p.to_time <= cutoff LOOP
    EXECUTE format('DROP TABLE %s', old);
    dropped := dropped + 1;
  END LOOP;
  RETURN dropped;
END
$fn$;

-- The latest time in an unpartitioned record table without reading it whole: the latest of each
-- session, found by skipping from session id to session id over its (session_id, time) index.
CREATE FUNCTION record_table_latest(tbl regclass) RETURNS timestamptz LANGUAGE plpgsql STABLE AS $fn$
DECLARE
  latest timestamptz;
BEGIN
  EXECUTE format($sql$
    WITH RECURSIVE ids AS (
      (SELECT session_id FROM %1$s WHERE session_id IS NOT NULL ORDER BY session_id LIMIT 1)
      UNION ALL
      SELECT (SELECT t.session_id FROM %1$s t WHERE t.session_id > ids.session_id ORDER BY t.session_id LIMIT 1)
      FROM ids WHERE ids.session_id IS NOT NULL)
    SELECT greatest((SELECT max(time) FROM %1$s WHERE session_id IS NULL),
                    (SELECT max((SELECT max(t.time) FROM %1$s t WHERE t.session_id = ids.session_id)) FROM ids))
  $sql$, tbl) INTO latest;
  RETURN latest;
END
$fn$;

-- Turns the unpartitioned table legacy (renamed from parent, its indexes renamed) into parent's
-- legacy partition, or drops it when empty; parent's default partition takes its rows from
-- tomorrow on.
CREATE FUNCTION record_table_adopt(parent regclass, legacy regclass) RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
  tomorrow timestamptz := date_trunc('day', now(), 'UTC') + interval '1 day';
  latest timestamptz := record_table_latest(legacy);
BEGIN
  IF latest IS NULL THEN
    EXECUTE format('DROP TABLE %s', legacy);
    RETURN;
  END IF;
  IF latest >= tomorrow THEN
    EXECUTE format('WITH moved AS (DELETE FROM %s WHERE time >= %L RETURNING *) INSERT INTO %s SELECT * FROM moved',
                   legacy, tomorrow, parent::text || '_default');
  END IF;
  EXECUTE format('ALTER TABLE %s ATTACH PARTITION %s FOR VALUES FROM (MINVALUE) TO (%L)', parent, legacy, tomorrow);
END
$fn$;

-- events: the rollup trigger and the published views follow the renamed table, so they are moved
-- back onto the new parent (a statement trigger on a partitioned table sees, in its transition
-- table, the rows inserted into any partition).
DROP TRIGGER events_usage_rollup ON events;
ALTER TABLE events RENAME TO events_legacy;
ALTER INDEX events_dedup RENAME TO events_legacy_dedup;
ALTER INDEX events_session_time RENAME TO events_legacy_session_time;
ALTER INDEX events_name_time RENAME TO events_legacy_name_time;
CREATE TABLE events (LIKE events_legacy INCLUDING DEFAULTS) PARTITION BY RANGE (time);
CREATE UNIQUE INDEX events_dedup ON events (dedup_key, time);
CREATE INDEX events_session_time ON events (session_id, time);
CREATE INDEX events_name_time ON events (event_name, time);
CREATE TABLE events_default PARTITION OF events DEFAULT;

ALTER TABLE metric_points RENAME TO metric_points_legacy;
ALTER INDEX metric_points_dedup RENAME TO metric_points_legacy_dedup;
ALTER INDEX metric_points_session_time RENAME TO metric_points_legacy_session_time;
ALTER INDEX metric_points_name_time RENAME TO metric_points_legacy_name_time;
CREATE TABLE metric_points (LIKE metric_points_legacy INCLUDING DEFAULTS) PARTITION BY RANGE (time);
CREATE UNIQUE INDEX metric_points_dedup ON metric_points (dedup_key, time);
CREATE INDEX metric_points_session_time ON metric_points (session_id, time);
CREATE INDEX metric_points_name_time ON metric_points (metric_name, time);
CREATE TABLE metric_points_default PARTITION OF metric_points DEFAULT;

ALTER TABLE spans RENAME TO spans_legacy;
ALTER INDEX spans_dedup RENAME TO spans_legacy_dedup;
ALTER INDEX spans_session_time RENAME TO spans_legacy_session_time;
ALTER INDEX spans_trace RENAME TO spans_legacy_trace;
CREATE TABLE spans (LIKE spans_legacy INCLUDING DEFAULTS) PARTITION BY RANGE (time);
CREATE UNIQUE INDEX spans_dedup ON spans (dedup_key, time);
CREATE INDEX spans_session_time ON spans (session_id, time);
CREATE INDEX spans_trace ON spans (trace_id);
CREATE TABLE spans_default PARTITION OF spans DEFAULT;

ALTER TABLE context_samples RENAME TO context_samples_legacy;
ALTER INDEX context_samples_dedup RENAME TO context_samples_legacy_dedup;
ALTER INDEX context_samples_session_time RENAME TO context_samples_legacy_session_time;
CREATE TABLE context_samples (LIKE context_samples_legacy INCLUDING DEFAULTS) PARTITION BY RANGE (time);
CREATE UNIQUE INDEX context_samples_dedup ON context_samples (dedup_key, time);
CREATE INDEX context_samples_session_time ON context_samples (session_id, time);
CREATE TABLE context_samples_default PARTITION OF context_samples DEFAULT;

-- The views as V6 and V8 made them, over the new tables (a view follows a renamed table).
CREATE OR REPLACE VIEW events_view AS
SELECT time, received_at, session_id, event_name, event_sequence, prompt_id, model, input_tokens, output_tokens,
       cache_read_tokens, cache_creation_tokens, cost_usd, duration_ms, attributes, dedup_key
FROM events;

CREATE OR REPLACE VIEW context_samples_view AS
SELECT time, session_id, prompt_tokens, model, prompt_id, compacted
FROM context_samples;

CREATE OR REPLACE VIEW record_keys_view AS
SELECT dedup_key, session_id, received_at FROM events
UNION ALL SELECT dedup_key, session_id, received_at FROM metric_points
UNION ALL SELECT dedup_key, session_id, received_at FROM spans;

CREATE OR REPLACE VIEW spans_view AS
SELECT time, end_time, received_at, session_id, trace_id, span_id, parent_span_id, name, status_code, attributes
FROM spans;

-- The old tables' rows, once the views no longer read the old tables (an empty one is dropped).
SELECT record_table_adopt('events', 'events_legacy');
SELECT record_table_adopt('metric_points', 'metric_points_legacy');
SELECT record_table_adopt('spans', 'spans_legacy');
SELECT record_table_adopt('context_samples', 'context_samples_legacy');

CREATE TRIGGER events_usage_rollup AFTER INSERT ON events REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION usage_rollup_add();

-- Today (on a new database; the legacy partition covers it on an old one) and the week ahead; the
-- retention verticle keeps creating them ahead (RetentionVerticle.DAYS_AHEAD).
SELECT record_partitions_create(t, (now() AT TIME ZONE 'UTC')::date, (now() AT TIME ZONE 'UTC')::date + 7)
FROM unnest(ARRAY['events', 'metric_points', 'spans', 'context_samples']::regclass[]) t;
