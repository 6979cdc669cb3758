package dev.contextwatch.api;

import static dev.contextwatch.core.db.ReadModels.SESSIONS_WITH_LEVELS;

import dev.contextwatch.core.model.Quota;
import dev.contextwatch.core.summary.SessionSummary;
import dev.contextwatch.core.summary.SessionSummary.QuotaSample;
import dev.contextwatch.core.summary.SessionSummary.RateLimit;
import dev.contextwatch.core.summary.SummaryCodec;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The plan quota per user and per project, from the status lines the sessions of the last 7 days
 * sent: a user's limits are the latest any of their sessions showed, the burn rate computed on the
 * samples of all of them ({@link Quota}); a project shows the user of its sessions nearest each limit.
 */
final class QuotaQueries {
  /** A user whose sessions name none. */
  static final String UNKNOWN_USER = "unknown";
  private static final Duration LOOKBACK = Duration.ofDays(7);
  private static final String SESSIONS = "SELECT session_id, project, user_id, summary FROM " + SESSIONS_WITH_LEVELS
      + " WHERE summary -> 'statusLine' IS NOT NULL AND last_received_at >= $1 AND NOT synthetic";

  private final Pool pool;

  QuotaQueries(Pool pool) {
    this.pool = pool;
  }

  /** {@code {"users": [...], "projects": [...]}}, the users nearest their 5-hour limit first. */
  Future<JsonObject> quota(Instant now) {
    return pool.preparedQuery(SESSIONS).execute(Tuple.of(now.minus(LOOKBACK).atOffset(ZoneOffset.UTC)))
        .map(rows -> {
          List<Seen> seen = new ArrayList<>();
          rows.forEach(row -> seen.add(seen(row)));
          return json(seen);
        });
  }

  /** One session's last status line, its user and project. */
  private record Seen(String user, String project, SessionSummary.StatusLine line) {}

  /** One user's quota: their latest limits with burn rates. */
  private record UserQuota(String user, List<String> projects, int sessions, Instant updatedAt, Quota fiveHour, Quota sevenDay) {}

  private static Seen seen(Row row) {
    String id = row.getString("session_id");
    SessionSummary summary = SummaryCodec.fromJson(id, row.getValue("summary"));
    String user = row.getString("user_id");
    return new Seen(user == null ? UNKNOWN_USER : user, row.getString("project"), summary.statusLine());
  }

  private static JsonObject json(List<Seen> seen) {
    Map<String, List<Seen>> byUser = seen.stream().filter(s -> s.line() != null && s.line().time() != null)
        .collect(Collectors.groupingBy(Seen::user, TreeMap::new, Collectors.toList()));
    List<UserQuota> users = byUser.entrySet().stream().map(e -> user(e.getKey(), e.getValue()))
        .sorted(Comparator.comparingDouble(QuotaQueries::fiveHourUsed).reversed()).toList();
    JsonArray userJson = new JsonArray();
    users.forEach(u -> userJson.add(userJson(u)));
    return new JsonObject().put("users", userJson).put("projects", projects(users));
  }

  private static UserQuota user(String user, List<Seen> sessions) {
    SessionSummary.StatusLine latest = sessions.stream().map(Seen::line)
        .max(Comparator.comparing(SessionSummary.StatusLine::time)).orElseThrow();
    List<QuotaSample> samples = sessions.stream().flatMap(s -> s.line().quotaSamples().stream()).toList();
    List<String> projects = List.copyOf(sessions.stream().map(Seen::project).filter(p -> p != null)
        .collect(Collectors.toCollection(TreeSet::new)));
    return new UserQuota(user, projects, sessions.size(), latest.time(), quota(latest.fiveHour(), Quota.Window.FIVE_HOUR, samples),
        quota(latest.sevenDay(), Quota.Window.SEVEN_DAY, samples));
  }

  private static Quota quota(RateLimit current, Quota.Window window, List<QuotaSample> samples) {
    return current == null ? null : Quota.of(current, window, samples);
  }

  private static double fiveHourUsed(UserQuota user) {
    return user.fiveHour() == null ? -1 : user.fiveHour().usedPercentage();
  }

  private static double sevenDayUsed(UserQuota user) {
    return user.sevenDay() == null ? -1 : user.sevenDay().usedPercentage();
  }

  private static JsonObject userJson(UserQuota u) {
    return new JsonObject().put("userId", u.user()).put("projects", new JsonArray(new ArrayList<>(u.projects())))
        .put("sessions", u.sessions()).put("updatedAt", Rows.iso(u.updatedAt()))
        .put(Quota.Window.FIVE_HOUR.key(), quotaJson(u.fiveHour())).put(Quota.Window.SEVEN_DAY.key(), quotaJson(u.sevenDay()));
  }

  /** Each project with its users and, per limit, the one of them nearest it. */
  private static JsonArray projects(List<UserQuota> users) {
    Map<String, List<UserQuota>> byProject = new TreeMap<>();
    users.forEach(u -> u.projects().forEach(p -> byProject.computeIfAbsent(p, k -> new ArrayList<>()).add(u)));
    JsonArray projects = new JsonArray();
    byProject.forEach((project, members) -> {
      UserQuota fiveHour = members.stream().max(Comparator.comparingDouble(QuotaQueries::fiveHourUsed)).orElseThrow();
      UserQuota sevenDay = members.stream().max(Comparator.comparingDouble(QuotaQueries::sevenDayUsed)).orElseThrow();
      projects.add(new JsonObject().put("project", project)
          .put("users", new JsonArray(members.stream().map(UserQuota::user).toList()))
          .put(Quota.Window.FIVE_HOUR.key(), quotaJson(fiveHour.fiveHour()) == null ? null
              : quotaJson(fiveHour.fiveHour()).put("userId", fiveHour.user()))
          .put(Quota.Window.SEVEN_DAY.key(), quotaJson(sevenDay.sevenDay()) == null ? null
              : quotaJson(sevenDay.sevenDay()).put("userId", sevenDay.user())));
    });
    return projects;
  }

  private static JsonObject quotaJson(Quota q) {
    return q == null ? null : q.toJson();
  }
}
