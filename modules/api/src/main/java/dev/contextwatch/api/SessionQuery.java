package dev.contextwatch.api;

import dev.contextwatch.core.model.SessionStatus;

import dev.contextwatch.core.config.SessionConfig;
import dev.contextwatch.core.model.Synthetic;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;
import java.util.stream.Collectors;

/** The filters, order and page of {@code GET /api/v1/sessions}. */
record SessionQuery(Set<SessionStatus> statuses, String project, String run, Instant since, Synthetic synthetic,
    SessionSort sort, Page page) {
  static final int DEFAULT_LIMIT = 50;
  static final int MAX_LIMIT = 500;

  static SessionQuery from(QueryParameters query) {
    return new SessionQuery(query.statuses("status"), query.text("project"), query.text("run"),
        query.instant("since"), query.synthetic(Synthetic.EXCLUDE), query.sort("sort", SessionSort.RISK),
        query.page(DEFAULT_LIMIT, MAX_LIMIT));
  }

  /** The WHERE clause of these filters, with status cut-offs taken at {@code now}. */
  Sql filter(Instant now, SessionConfig config) {
    Sql sql = new Sql();
    if (!statuses.isEmpty()) {
      sql.where(statuses.stream().map(s -> StatusCondition.of(s, sql, now, config)).collect(Collectors.joining(" OR ", "(", ")")));
    }
    if (project != null) {
      sql.where("project = " + sql.bind(project));
    }
    if (run != null) {
      sql.where("run_id = " + sql.bind(run));
    }
    if (since != null) {
      sql.where("last_received_at >= " + sql.bind(since.atOffset(ZoneOffset.UTC)));
    }
    return sql.whereNotNull(synthetic.condition("synthetic"));
  }
}
