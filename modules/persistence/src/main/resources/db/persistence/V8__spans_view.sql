-- Spans, published for the API's tree of agents under a session (a Claude Code trace names each
-- request's agent and each subagent's spawning tool). Read through this view, never the table.
CREATE VIEW spans_view AS
SELECT time, end_time, received_at, session_id, trace_id, span_id, parent_span_id, name, status_code, attributes
FROM spans;
