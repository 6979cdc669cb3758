package dev.contextwatch.api;

import dev.contextwatch.core.model.SessionStatus;
import dev.contextwatch.core.model.Synthetic;

import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** Reads a request's query parameters; every bad value fails with a 400 naming the parameter and what it accepts. */
final class QueryParameters {
  private final RoutingContext ctx;

  QueryParameters(RoutingContext ctx) {
    this.ctx = ctx;
  }

  /** The first value, or null when absent or blank. */
  String text(String name) {
    List<String> values = ctx.queryParam(name);
    return values.isEmpty() || values.get(0).isBlank() ? null : values.get(0);
  }

  int intIn(String name, int defaultValue, int min, int max) {
    List<String> values = ctx.queryParam(name);
    if (values.isEmpty()) {
      return defaultValue;
    }
    String raw = values.get(0);
    try {
      long value = Long.parseLong(raw.trim());
      if (value >= min && value <= max) {
        return (int) value;
      }
    } catch (NumberFormatException e) {
      // reported below with the accepted range
    }
    String range = max == Integer.MAX_VALUE ? "an integer >= " + min : "an integer from " + min + " to " + max;
    throw ApiException.badParameter(name, "must be " + range + ", got '" + raw + "'");
  }

  Page page(int defaultLimit, int maxLimit) {
    return new Page(intIn("limit", defaultLimit, 1, maxLimit), intIn("offset", 0, 0, Integer.MAX_VALUE));
  }

  /** An ISO-8601 instant ({@code 2026-01-31T12:00:00Z}, or with an offset), or null when absent. */
  Instant instant(String name) {
    List<String> values = ctx.queryParam(name);
    if (values.isEmpty()) {
      return null;
    }
    try {
      return OffsetDateTime.parse(values.get(0).trim()).toInstant();
    } catch (DateTimeParseException e) {
      throw ApiException.badParameter(name,
          "must be an ISO-8601 instant such as 2026-01-31T12:00:00Z, got '" + values.get(0) + "'");
    }
  }

  /** A time zone by its IANA name ({@code Europe/Berlin}, {@code UTC}), or null when absent. */
  ZoneId zone(String name) {
    String value = text(name);
    if (value == null) {
      return null;
    }
    if (!ZoneId.getAvailableZoneIds().contains(value) && !value.equals("UTC")) {
      throw ApiException.badParameter(name, "must be an IANA time zone such as Europe/Berlin or UTC, got '" + value + "'");
    }
    return ZoneId.of(value);
  }

  /** One of {@code accepted}, or null when absent. */
  String oneOf(String name, List<String> accepted) {
    String value = text(name);
    if (value != null && !accepted.contains(value)) {
      throw ApiException.badParameter(name, "accepts " + String.join(", ", accepted) + ", got '" + value + "'");
    }
    return value;
  }

  /** Comma-separated statuses (the parameter may also repeat); empty when absent. */
  Set<SessionStatus> statuses(String name) {
    Set<SessionStatus> statuses = EnumSet.noneOf(SessionStatus.class);
    for (String value : ctx.queryParam(name)) {
      for (String label : value.split(",", -1)) {
        statuses.add(SessionStatus.parse(label).orElseThrow(() -> ApiException.badParameter(name,
            "accepts " + acceptedStatuses() + " (comma-separated), got '" + label + "'")));
      }
    }
    return statuses;
  }

  private static String acceptedStatuses() {
    return Arrays.stream(SessionStatus.values()).map(SessionStatus::label).collect(Collectors.joining(", "));
  }

  /** Which sessions to show by whether a load test simulated them ({@code synthetic=exclude|include|only}). */
  Synthetic synthetic(Synthetic defaultValue) {
    String value = text("synthetic");
    if (value == null) {
      return defaultValue;
    }
    return Synthetic.parse(value).orElseThrow(() -> ApiException.badParameter("synthetic",
        "accepts " + Synthetic.accepted() + " (sessions a load test simulated), got '" + value + "'"));
  }

  SessionSort sort(String name, SessionSort defaultSort) {
    List<String> values = ctx.queryParam(name);
    if (values.isEmpty()) {
      return defaultSort;
    }
    return SessionSort.parse(values.get(0)).orElseThrow(() -> ApiException.badParameter(name,
        "accepts " + SessionSort.accepted() + ", got '" + values.get(0) + "'"));
  }
}
