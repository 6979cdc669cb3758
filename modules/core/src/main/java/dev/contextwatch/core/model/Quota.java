package dev.contextwatch.core.model;

import dev.contextwatch.core.summary.SessionSummary.QuotaSample;
import dev.contextwatch.core.summary.SessionSummary.RateLimit;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * One plan limit of a user (the 5-hour or the 7-day window) as the client's status lines showed it:
 * percent used, when the window resets, the burn rate in percent per hour over the samples of the
 * current window within the last {@link #BURN_SPAN}, and when the limit is reached at that rate
 * ({@code limitAt}: null when the usage does not grow or the window resets first; the last sample's
 * time once reached).
 */
public record Quota(double usedPercentage, Instant resetsAt, Double burnPerHour, Instant limitAt) {
  public static final Duration BURN_SPAN = Duration.ofHours(1);
  /** A rate over less than this is noise: no burn rate. */
  static final Duration MIN_SPAN = Duration.ofMinutes(1);

  /** The 5-hour or 7-day limit, chosen from a sample. */
  public enum Window {
    FIVE_HOUR("fiveHour", "five_hour", QuotaSample::fiveHour),
    SEVEN_DAY("sevenDay", "seven_day", QuotaSample::sevenDay);

    private final String key;
    private final String clientKey;
    private final Function<QuotaSample, RateLimit> limit;

    Window(String key, String clientKey, Function<QuotaSample, RateLimit> limit) {
      this.key = key;
      this.clientKey = clientKey;
      this.limit = limit;
    }

    /** How the API and the summary name it. */
    public String key() {
      return key;
    }

    /** How the client names it (rate_limits.five_hour): how a webhook names it. */
    public String clientKey() {
      return clientKey;
    }

    public RateLimit of(QuotaSample sample) {
      return limit.apply(sample);
    }
  }

  /** The quota now ({@code current}) with its burn rate over {@code samples} (any order, any sessions of the user). */
  public static Quota of(RateLimit current, Window window, List<QuotaSample> samples) {
    List<QuotaSample> inWindow = samples.stream()
        .filter(s -> window.of(s) != null && Objects.equals(window.of(s).resetsAt(), current.resetsAt()))
        .sorted(Comparator.comparing(QuotaSample::time))
        .toList();
    if (inWindow.size() < 2) {
      return new Quota(current.usedPercentage(), current.resetsAt(), null, null);
    }
    QuotaSample last = inWindow.get(inWindow.size() - 1);
    QuotaSample first = inWindow.stream().filter(s -> !s.time().isBefore(last.time().minus(BURN_SPAN))).findFirst().orElse(last);
    Duration span = Duration.between(first.time(), last.time());
    if (span.compareTo(MIN_SPAN) < 0) {
      return new Quota(current.usedPercentage(), current.resetsAt(), null, null);
    }
    double hours = span.toMillis() / 3_600_000.0;
    double burn = Math.max(0, (window.of(last).usedPercentage() - window.of(first).usedPercentage()) / hours);
    return new Quota(current.usedPercentage(), current.resetsAt(), burn, limitAt(current, burn, last.time()));
  }

  /** As the quota endpoint, the dashboard and a quota.warning webhook show it. */
  public JsonObject toJson() {
    return new JsonObject().put("usedPercentage", usedPercentage).put("resetsAt", text(resetsAt))
        .put("burnPerHour", burnPerHour).put("limitAt", text(limitAt));
  }

  private static String text(Instant instant) {
    return instant == null ? null : instant.toString();
  }

  private static Instant limitAt(RateLimit current, double burn, Instant lastTime) {
    if (current.usedPercentage() >= 100) {
      return lastTime;
    }
    if (burn <= 0) {
      return null;
    }
    Instant at = lastTime.plusMillis(Math.round((100 - current.usedPercentage()) / burn * 3_600_000));
    return current.resetsAt() != null && at.isAfter(current.resetsAt()) ? null : at;
  }
}
