package dev.contextwatch.api;

import dev.contextwatch.core.config.SessionConfig;
import dev.contextwatch.core.db.ReadModels;
import dev.contextwatch.core.metrics.Meters;
import dev.contextwatch.core.model.SessionStatus;
import io.micrometer.core.instrument.Gauge;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code contextwatch_sessions{status}} and {@code contextwatch_sessions_by_level{level}}: counted
 * in PostgreSQL when {@code /metrics} is scraped, so they are as fresh as the scrape.
 */
final class SessionGauges {
  private static final List<String> LEVELS = List.of("ok", "warning", "critical", "compacted");

  private final Pool pool;
  private final SessionConfig config;
  private final Map<SessionStatus, AtomicLong> byStatus = new EnumMap<>(SessionStatus.class);
  private final Map<String, AtomicLong> byLevel = new TreeMap<>();

  SessionGauges(Pool pool, SessionConfig config) {
    this.pool = pool;
    this.config = config;
    for (SessionStatus status : SessionStatus.values()) {
      AtomicLong count = new AtomicLong();
      byStatus.put(status, count);
      Gauge.builder("contextwatch_sessions", count, AtomicLong::get).tag("status", status.label()).register(Meters.registry());
    }
    for (String level : LEVELS) {
      AtomicLong count = new AtomicLong();
      byLevel.put(level, count);
      Gauge.builder("contextwatch_sessions_by_level", count, AtomicLong::get).tag("level", level).register(Meters.registry());
    }
  }

  Future<Void> refresh() {
    Sql sql = new Sql();
    Instant now = Instant.now();
    StringBuilder select = new StringBuilder("SELECT ");
    for (SessionStatus status : SessionStatus.values()) {
      select.append("count(*) FILTER (WHERE ").append(StatusCondition.of(status, sql, now, config)).append("), ");
    }
    select.append("0 FROM ").append(ReadModels.SESSIONS_WITH_LEVELS);
    Future<Void> statuses = pool.preparedQuery(select.toString()).execute(sql.params()).map(rows -> {
      Row row = rows.iterator().next();
      for (SessionStatus status : SessionStatus.values()) {
        byStatus.get(status).set(row.getLong(status.ordinal()));
      }
      return null;
    });
    Future<Void> levels = pool.query("SELECT coalesce(level, 'ok'), count(*) FROM " + ReadModels.SESSIONS_WITH_LEVELS
        + " WHERE closed_at IS NULL GROUP BY 1").execute().map(rows -> {
          byLevel.values().forEach(count -> count.set(0));
          rows.forEach(row -> byLevel.computeIfAbsent(row.getString(0), l -> new AtomicLong()).set(row.getLong(1)));
          return null;
        });
    return Future.all(statuses, levels).mapEmpty();
  }
}
