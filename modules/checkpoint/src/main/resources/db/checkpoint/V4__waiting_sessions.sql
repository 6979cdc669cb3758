-- sessions_with_levels made again over persistence's sessions_view, which V7 extended with
-- waiting_since (the API and the live feed compute the waiting status from it). The view is
-- "the columns of sessions_view, then level" (s.*, expanded when it is created): on a database
-- created after persistence V7 it already has the new column before level, on an older one it
-- lacks it, and CREATE OR REPLACE could not put it before level. Dropped and created the same way,
-- both end alike; nothing is built on this view, and readers name the columns they read.
DROP VIEW sessions_with_levels;

CREATE VIEW sessions_with_levels AS
SELECT s.*, l.level
FROM sessions_view s LEFT JOIN session_levels l ON l.session_id = s.session_id;
