package dev.contextwatch.app;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A fleet of thousands for the dashboard's scale tests: the small fleet of {@link DashboardFleet}
 * goes through the pipeline, and its rows, as the processor wrote them, are copied under new ids,
 * labels and projects (and last-activity times spread over the last two hours, so that active,
 * idle and stale sessions mix) until the fleet has the size asked for. Copying rows keeps the
 * test to seconds where ten thousand sessions through OTLP would take minutes; the rows have
 * exactly the shape the processor writes, because they are its own.
 */
final class ScaleFleet {
  /** Projects the copies are spread over. */
  static final int PROJECTS = 24;

  private ScaleFleet() {}

  /** Makes the fleet {@code size} sessions: the posted ones and copies of them; returns the posted ones' ids. */
  static List<String> seed(PipelineHarness pipeline, int size) throws Exception {
    List<String> posted = DashboardFleet.post(pipeline).stream().map(PushLoad.Session::id).toList();
    awaitLevels(pipeline);
    // each project gets a mix of the templates, not copies of one; the copies' context levels are their
    // templates', as the checkpoint verticle assigned them (one statement: the templates are read before the copies
    // exist), with their lifecycle seen as stale, so that its sweep has no status changes of 10,000 copies to announce
    // while the view is measured
    pipeline.execute("""
        WITH templates AS (SELECT row_number() OVER (ORDER BY session_id) - 1 AS n, * FROM sessions WHERE run_id IS NULL),
        copies AS (SELECT i, md5('scale-' || i)::uuid::text AS id, 'team-' || lpad((i %% %2$d)::text, 2, '0') AS project,
            'agent-' || i AS label, now() - make_interval(secs => (i * 37) %% 7200) AS received
          FROM generate_series(1, %1$d) i),
        pairs AS (SELECT c.*, t.session_id AS template FROM copies c
          JOIN templates t ON t.n = (c.i + c.i / %2$d) %% (SELECT count(*) FROM templates)),
        inserted AS (INSERT INTO sessions (session_id, pseudo, service_name, project, label, user_id, client_version, run_id,
            parent_session_id, first_seen, last_seen, last_received_at, closed_at, input_tokens, output_tokens,
            cache_read_tokens, cache_creation_tokens, cost_usd, api_requests, api_errors, context_tokens, context_window,
            compact_threshold, context_peak, compactions, summary, version)
          SELECT c.id, t.pseudo, t.service_name, c.project, c.label, t.user_id, t.client_version, NULL, NULL,
            c.received - interval '1 hour', c.received, c.received, NULL, t.input_tokens, t.output_tokens,
            t.cache_read_tokens, t.cache_creation_tokens, t.cost_usd, t.api_requests, t.api_errors, t.context_tokens,
            t.context_window, t.compact_threshold, t.context_peak, t.compactions,
            t.summary || jsonb_build_object('sessionId', c.id, 'project', c.project, 'label', c.label, 'runId', NULL,
                'parentSessionId', NULL, 'status', 'active', 'closedAt', NULL,
                'firstSeen', to_jsonb(c.received - interval '1 hour'), 'lastSeen', to_jsonb(c.received),
                'lastReceivedAt', to_jsonb(c.received)),
            1
          FROM pairs c JOIN templates t ON t.session_id = c.template)
        INSERT INTO session_levels (session_id, level, epoch, announced_level, status)
        SELECT c.id, l.level, l.epoch, l.announced_level, 'stale' FROM pairs c JOIN session_levels l ON l.session_id = c.template
        """.formatted(size - posted.size(), PROJECTS));
    return posted;
  }

  /**
   * The checkpoint verticle assigns levels a moment after the data, one update after another: waits
   * until every template has one and none has changed for a second.
   */
  private static void awaitLevels(PipelineHarness pipeline) throws Exception {
    String levels = "SELECT count(l.level) || ':' || coalesce(string_agg(s.session_id || '=' || l.level, ',' ORDER BY s.session_id), '')"
        + " FROM sessions s LEFT JOIN session_levels l USING (session_id) WHERE s.run_id IS NULL";
    String all = pipeline.count("SELECT count(*) FROM sessions WHERE run_id IS NULL") + ":";
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    String seen = "";
    long seenSince = System.nanoTime();
    while (!seen.startsWith(all) || System.nanoTime() - seenSince < TimeUnit.SECONDS.toNanos(1)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the checkpoint verticle's levels did not settle within 30 s: " + seen);
      }
      String now = pipeline.query(levels);
      if (!now.equals(seen)) {
        seen = now;
        seenSince = System.nanoTime();
      }
      Thread.sleep(100);
    }
  }
}
