package dev.contextwatch.api;

import dev.contextwatch.core.model.Synthetic;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code GET /api/v1/reports/{report}} reports: one row per day, week (from {@code weekStart}),
 * month, session, project or model, optionally split {@code by} project, model, user or label, over
 * the calendar days {@code since} to {@code until} (both included) in the time zone {@code tz}.
 */
record ReportQuery(String report, LocalDate since, LocalDate until, ZoneId tz, DayOfWeek weekStart, String by,
    Synthetic synthetic) {
  /** Each report and the name of its key column (in JSON and CSV). */
  static final Map<String, String> KEYS = Map.of("daily", "date", "weekly", "week", "monthly", "month",
      "session", "sessionId", "project", "project", "model", "model");
  static final List<String> REPORTS = List.of("daily", "weekly", "monthly", "session", "project", "model");
  static final List<String> GROUPS = List.of("project", "model", "user", "label");
  private static final List<String> DAYS = List.of("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday");

  static ReportQuery from(String report, QueryParameters query) {
    if (!KEYS.containsKey(report)) {
      throw ApiException.notFound("no report '" + report + "'; the reports are " + String.join(", ", REPORTS));
    }
    LocalDate since = date(query, "since");
    LocalDate until = date(query, "until");
    if (since != null && until != null && since.isAfter(until)) {
      throw ApiException.badParameter("since", "must not be after 'until' (" + until + "), got '" + since + "'");
    }
    ZoneId tz = query.zone("tz");
    String weekStart = query.oneOf("weekStart", DAYS);
    String by = query.oneOf("by", GROUPS);
    if (by != null && by.equals(KEYS.get(report))) {
      throw ApiException.badParameter("by", "cannot split the " + report + " report by " + by + ", its rows already are");
    }
    return new ReportQuery(report, since, until, tz == null ? ZoneId.of("UTC") : tz,
        weekStart == null ? DayOfWeek.MONDAY : DayOfWeek.valueOf(weekStart.toUpperCase(Locale.ROOT)), by,
        query.synthetic(Synthetic.EXCLUDE));
  }

  /** A calendar day as {@code 2026-01-31} or {@code 20260131}, or null when absent. */
  private static LocalDate date(QueryParameters query, String name) {
    String value = query.text(name);
    if (value == null) {
      return null;
    }
    try {
      return LocalDate.parse(value.trim(), value.contains("-") ? DateTimeFormatter.ISO_LOCAL_DATE : DateTimeFormatter.BASIC_ISO_DATE);
    } catch (DateTimeParseException e) {
      throw ApiException.badParameter(name, "must be a day such as 2026-01-31 or 20260131, got '" + value + "'");
    }
  }

  /** The name of the rows' key column. */
  String key() {
    return KEYS.get(report);
  }

  /** The first instant counted: the start of {@code since} in {@code tz}; null without it. */
  Instant from() {
    return since == null ? null : since.atStartOfDay(tz).toInstant();
  }

  /** The first instant no longer counted: the start of the day after {@code until}; null without it. */
  Instant to() {
    return until == null ? null : until.plusDays(1).atStartOfDay(tz).toInstant();
  }

  String weekStartLabel() {
    return weekStart.name().toLowerCase(Locale.ROOT);
  }
}
