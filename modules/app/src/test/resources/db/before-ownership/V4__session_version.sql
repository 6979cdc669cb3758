-- Optimistic concurrency for session state (see docs/architecture.md, "Totals equal rows").
-- Every write of a session row names the version it was computed from and sets version + 1; it
-- applies only while the stored row still has that version. A batch computed from stale state
-- (its original answered 503 after a time-out and committed later, or the processor's memory lost
-- track) is rolled back instead of overwriting the totals, and the processor recomputes it from
-- the committed row. Rows written before this column existed start at 1; a new session is written
-- as version 1 from version 0, so it can never overwrite an existing row.
ALTER TABLE sessions ADD COLUMN version bigint NOT NULL DEFAULT 1;
