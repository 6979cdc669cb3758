package dev.contextwatch.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** GET /api/v1/usage's buckets: minute to calendar month, in a time zone, and chosen from the data with bucket=auto. */
@ExtendWith(VertxExtension.class)
class UsageTest {
  private static final JsonObject MAIN = new JsonObject().put("query_source", "main");
  private ApiHarness api;
  private long sequence;

  @BeforeEach
  void setUp(Vertx vertx) throws Exception {
    api = ApiHarness.start(vertx);
    api.session("s").project("acme").insert();
  }

  private void request(String time, long inputTokens) throws Exception {
    api.event("s", Instant.parse(time), "api_request", sequence++, inputTokens, 0.01, MAIN);
  }

  private JsonObject usage(String query) throws Exception {
    ApiHarness.Response response = api.get("/api/v1/usage?" + query);
    assertThat(response.status()).as(response.body().toString()).isEqualTo(200);
    return response.json();
  }

  private static List<String> times(JsonObject usage) {
    return usage.getJsonArray("items").stream().map(o -> ((JsonObject) o).getString("time")).toList();
  }

  private static List<Long> inputs(JsonObject usage) {
    return usage.getJsonArray("items").stream().map(o -> ((JsonObject) o).getLong("inputTokens")).toList();
  }

  @Test
  @DisplayName("month buckets are calendar months in UTC, or in the time zone named by tz")
  void months() throws Exception {
    request("2026-01-31T23:30:00Z", 1);   // January in UTC, February in Berlin
    request("2026-02-01T00:30:00Z", 10);
    request("2026-02-28T23:59:00Z", 100);  // February in UTC, March in Berlin
    request("2026-03-01T00:00:00Z", 1000);
    String range = "from=2026-01-01T00:00:00Z&to=2026-04-01T00:00:00Z";

    JsonObject utc = usage("bucket=month&" + range);
    assertThat(utc.getString("bucket")).isEqualTo("month");
    assertThat(utc.getString("tz")).isEqualTo("UTC");
    assertThat(times(utc)).containsExactly("2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z");
    assertThat(inputs(utc)).containsExactly(1L, 110L, 1000L);

    JsonObject berlin = usage("bucket=month&tz=Europe/Berlin&" + range);
    assertThat(berlin.getString("tz")).isEqualTo("Europe/Berlin");
    assertThat(times(berlin)).containsExactly("2026-01-31T23:00:00Z", "2026-02-28T23:00:00Z");
    assertThat(inputs(berlin)).containsExactly(11L, 1100L);   // 28 Feb 23:59 UTC is 1 March in Berlin
  }

  @Test
  @DisplayName("day buckets start at midnight in the time zone named by tz")
  void daysInATimeZone() throws Exception {
    request("2026-06-10T21:30:00Z", 1);   // 10 June in UTC, 11 June in Tokyo
    request("2026-06-10T14:00:00Z", 10);
    JsonObject tokyo = usage("bucket=day&tz=Asia/Tokyo&from=2026-06-09T00:00:00Z&to=2026-06-12T00:00:00Z");
    assertThat(times(tokyo)).containsExactly("2026-06-09T15:00:00Z", "2026-06-10T15:00:00Z");
    assertThat(inputs(tokyo)).containsExactly(10L, 1L);
  }

  @Test
  @DisplayName("bucket=auto cuts the span of the data, not of the range, so an hour of data in seven days comes in minutes")
  void autoFollowsTheData() throws Exception {
    Instant start = Instant.parse("2026-03-10T12:00:00Z");
    for (int minute = 0; minute < 60; minute += 5) {
      request(start.plus(Duration.ofMinutes(minute)).toString(), 100);
    }
    JsonObject hour = usage("bucket=auto&from=2026-03-04T00:00:00Z&to=2026-03-11T00:00:00Z");
    assertThat(hour.getString("bucket")).isEqualTo("minute");
    assertThat(hour.getBoolean("auto")).isTrue();
    assertThat(times(hour)).hasSize(12).startsWith("2026-03-10T12:00:00Z").endsWith("2026-03-10T12:55:00Z");

    request("2026-03-05T08:00:00Z", 1);   // five days of data: hours
    JsonObject days = usage("bucket=auto&from=2026-03-04T00:00:00Z&to=2026-03-11T00:00:00Z");
    assertThat(days.getString("bucket")).isEqualTo("hour");
    assertThat(times(days)).containsExactly("2026-03-05T08:00:00Z", "2026-03-10T12:00:00Z");
    assertThat(inputs(days)).containsExactly(1L, 1200L);

    request("2025-01-05T08:00:00Z", 1);   // over a year: months
    assertThat(usage("bucket=auto&from=2025-01-01T00:00:00Z&to=2026-03-11T00:00:00Z").getString("bucket")).isEqualTo("month");
    // without data in the range, the range's own span decides
    assertThat(usage("bucket=auto&from=2024-01-01T00:00:00Z&to=2024-01-02T00:00:00Z").getString("bucket")).isEqualTo("hour");
  }

  @Test
  @DisplayName("an unknown time zone, bucket or too many buckets is a 400 naming the parameter")
  void badParameters() throws Exception {
    assertBad("tz=Mars/Olympus", "'tz'", "IANA time zone");
    assertBad("tz=%2B02:00", "'tz'", "Europe/Berlin");
    assertBad("bucket=week", "'bucket'", "minute, hour, day, month, auto");
    assertBad("bucket=minute&from=2026-01-01T00:00:00Z&to=2026-01-03T00:00:00Z", "'from'", "bucket=auto");
  }

  private void assertBad(String query, String parameter, String hint) throws Exception {
    ApiHarness.Response response = api.get("/api/v1/usage?" + query);
    assertThat(response.status()).isEqualTo(400);
    assertThat(response.json().getString("error")).isEqualTo("bad_parameter");
    assertThat(response.json().getString("message")).contains(parameter).contains(hint);
  }
}
