-- How many of a session's exhausted retries the session.error webhook has announced, so that each
-- is announced once, however many updates of the session follow (see docs/webhooks.md).
ALTER TABLE session_levels ADD COLUMN errors_announced bigint NOT NULL DEFAULT 0;
