-- Sessions waiting for a person (issue 15, "needs input"): since when the session's last word was
-- that it waits (a permission or idle prompt), null while it does not. Beside closed_at and
-- last_received_at, what SessionStatus computes the status from, so the API filters and sorts on
-- it in SQL. The why (the prompt's kind) is in the summary. Rows written before: not waiting.
ALTER TABLE sessions ADD COLUMN waiting_since timestamptz;

-- The view extended at its end (see V6).
CREATE OR REPLACE VIEW sessions_view AS
SELECT session_id, pseudo, service_name, project, label, user_id, client_version, run_id, parent_session_id, synthetic,
       first_seen, last_seen, last_received_at, closed_at, input_tokens, output_tokens, cache_read_tokens,
       cache_creation_tokens, cost_usd, api_requests, api_errors, context_tokens, context_window, compact_threshold,
       context_peak, compactions, requests_left, version, summary, waiting_since
FROM sessions;
