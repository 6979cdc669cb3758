package dev.contextwatch.core.config;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;
import java.util.Arrays;
import java.util.Optional;

/**
 * One configured budget: a limit on cost (in micro-dollars, as the totals count it) and/or tokens
 * (input, output, cache creation and cache read, as ccusage totals them) per {@link Period}, for
 * each session, each project (or only {@code project}), or the whole fleet ({@code fleet}),
 * optionally only of {@code user}'s sessions. {@code budget.warning} at {@code warnPercent} of
 * either limit, {@code budget.exceeded} at 100%, each once per budget, period and subject. Days,
 * weeks (from Monday) and months are those of {@code zone}.
 */
public record Budget(String name, Period period, Long costMicros, Long tokens, String project, boolean fleet, String user,
    int warnPercent, ZoneId zone) {
  public static final int DEFAULT_WARN_PERCENT = 80;

  /** What a budget's use is summed over: a session, or a day, a week (from Monday) or a month of a zone. */
  public enum Period {
    SESSION, DAY, WEEK, MONTH;

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Optional<Period> parse(String label) {
      return Arrays.stream(values()).filter(p -> p.label().equals(label)).findFirst();
    }

    /** The first day (in {@code zone}) of the period holding {@code time}; null for a session. */
    public LocalDate start(Instant time, ZoneId zone) {
      LocalDate day = LocalDate.ofInstant(time, zone);
      return switch (this) {
        case SESSION -> null;
        case DAY -> day;
        case WEEK -> day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
        case MONTH -> day.withDayOfMonth(1);
      };
    }

    /** The first day after the period that starts on {@code start}. */
    public LocalDate end(LocalDate start) {
      return switch (this) {
        case SESSION -> null;
        case DAY -> start.plusDays(1);
        case WEEK -> start.plusWeeks(1);
        case MONTH -> start.plusMonths(1);
      };
    }
  }

  /** The first day of the period holding {@code time}; null for a session. */
  public LocalDate periodStart(Instant time) {
    return period.start(time, zone);
  }

  /** When the period that starts on {@code day} begins, in this budget's zone; null for a session. */
  public OffsetDateTime instantOf(LocalDate day) {
    return day == null ? null : day.atStartOfDay(zone).toOffsetDateTime();
  }

  /**
   * The key of the period starting on {@code day}: {@code session}, the day, and the zone unless it is
   * UTC (so that a budget whose zone changes starts counting again rather than mixing two calendars).
   */
  public String periodKey(LocalDate day) {
    return periodKey(day, zone);
  }

  public static String periodKey(LocalDate day, ZoneId zone) {
    return day == null ? "session" : ZoneOffset.UTC.equals(zone.normalized()) ? day.toString() : day + "@" + zoneName(zone);
  }

  /** The zone's IANA name, {@code UTC} for UTC however it was given (PostgreSQL reads both). */
  public static String zoneName(ZoneId zone) {
    return ZoneOffset.UTC.equals(zone.normalized()) ? "UTC" : zone.getId();
  }

  /** Whether a session of {@code sessionProject} and {@code sessionUser} counts towards this budget. */
  public boolean covers(String sessionProject, String sessionUser) {
    return (project == null || project.equals(sessionProject)) && (user == null || user.equals(sessionUser));
  }

  /**
   * What the budget sums one session's use under: the session itself for a session budget, the
   * fleet (empty) when {@code fleet}, else the session's project (empty when it has none).
   */
  public String subject(String sessionId, String sessionProject) {
    return period == Period.SESSION ? sessionId : fleet || sessionProject == null ? "" : sessionProject;
  }

  /** The use as a percentage of the tighter limit. */
  public double percentOf(long useCostMicros, long useTokens) {
    double cost = costMicros == null ? 0 : 100.0 * useCostMicros / costMicros;
    double tokenShare = tokens == null ? 0 : 100.0 * useTokens / tokens;
    return Math.max(cost, tokenShare);
  }
}
