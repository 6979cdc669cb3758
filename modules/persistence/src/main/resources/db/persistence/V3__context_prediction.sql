-- Context prediction (see docs/architecture.md).
--
-- Until the checkpoint module owned its tables, this migration also created session_levels,
-- checkpoints and webhook_deliveries. They are the checkpoint module's now, created by its own
-- V1 (CREATE ... IF NOT EXISTS, so a database that ran the old text keeps them and their rows);
-- persistence records this text's checksum in place of the old one (Migrations.Rewritten).

-- Predicted main-thread requests before the auto-compact threshold (null: not growing); the API's
-- risk order sorts on it.
ALTER TABLE sessions ADD COLUMN requests_left double precision;
CREATE INDEX sessions_requests_left ON sessions (requests_left);
