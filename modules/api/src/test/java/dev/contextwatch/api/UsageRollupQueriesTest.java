package dev.contextwatch.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Reports and the usage view read from the usage rollup: beyond retention, in every zone, and exact at a range's ends. */
@ExtendWith(VertxExtension.class)
class UsageRollupQueriesTest {
  private static final JsonObject MAIN = new JsonObject().put("query_source", "main");
  private static final Instant FIRST_STORED = Instant.parse("2000-01-01T00:00:00Z");
  private static final Instant LAST_STORED = Instant.parse("2100-01-01T00:00:00Z");
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

  private JsonObject get(String uri) throws Exception {
    ApiHarness.Response response = api.get(uri);
    assertThat(response.status()).as(response.body().toString()).isEqualTo(200);
    return response.json();
  }

  private static List<String> rows(JsonObject report) {
    List<String> rows = new ArrayList<>();
    report.getJsonArray("rows").forEach(row -> rows.add(((JsonObject) row).getString(report.getString("key")) + "="
        + ((JsonObject) row).getLong("inputTokens")));
    return rows;
  }

  private static List<String> items(JsonObject usage) {
    List<String> items = new ArrayList<>();
    usage.getJsonArray("items").forEach(item -> items.add(((JsonObject) item).getString("time") + "="
        + ((JsonObject) item).getLong("inputTokens")));
    return items;
  }

  @Test
  @DisplayName("once retention deleted the raw events, reports and hourly usage still count them; minutes, read from the events, do not")
  void reportsOutliveTheEvents() throws Exception {
    request("2026-01-10T10:00:00Z", 5);
    request("2026-01-10T10:20:00Z", 7);
    api.sql("DELETE FROM events");

    JsonObject report = get("/api/v1/reports/daily?since=2026-01-10&until=2026-01-10");
    assertThat(rows(report)).containsExactly("2026-01-10=12");
    assertThat(report.getJsonObject("total").getLong("requests")).isEqualTo(2);
    assertThat(report.getJsonObject("total").getDouble("costUsd")).isEqualTo(0.02);
    assertThat(items(get("/api/v1/usage?bucket=hour&from=2026-01-10T00:00:00Z&to=2026-01-11T00:00:00Z")))
        .containsExactly("2026-01-10T10:00:00Z=12");
    assertThat(items(get("/api/v1/usage?bucket=minute&from=2026-01-10T10:00:00Z&to=2026-01-10T11:00:00Z"))).isEmpty();
  }

  @Test
  @DisplayName("days of zones half or three quarters of an hour off UTC (Asia/Kolkata, Asia/Kathmandu) begin at their own midnight")
  void quarterHourZones() throws Exception {
    request("2026-01-10T18:10:00Z", 1);     // 23:40 in Kolkata, 23:55 in Kathmandu
    request("2026-01-10T18:20:00Z", 10);    // 23:50 in Kolkata, 00:05 on the 11th in Kathmandu
    request("2026-01-10T18:40:00Z", 100);   // 00:10 on the 11th in both
    String range = "since=2026-01-10&until=2026-01-11&tz=";
    assertThat(rows(get("/api/v1/reports/daily?" + range + "Asia/Kolkata"))).containsExactly("2026-01-10=11", "2026-01-11=100");
    assertThat(rows(get("/api/v1/reports/daily?" + range + "Asia/Kathmandu"))).containsExactly("2026-01-10=1", "2026-01-11=110");
    assertThat(items(get("/api/v1/usage?bucket=day&tz=Asia/Kolkata&from=2026-01-09T00:00:00Z&to=2026-01-12T00:00:00Z")))
        .containsExactly("2026-01-09T18:30:00Z=11", "2026-01-10T18:30:00Z=100");
  }

  @Test
  @DisplayName("every time zone's offset since 2000 is a whole number of quarter hours, so the rollup's buckets never straddle a local midnight")
  void everyZoneIsWholeQuarterHours() {
    List<String> misfits = new ArrayList<>();
    for (String id : ZoneId.getAvailableZoneIds()) {
      ZoneRules rules = ZoneId.of(id).getRules();
      List<ZoneOffset> offsets = new ArrayList<>(List.of(rules.getOffset(FIRST_STORED)));
      ZoneOffsetTransition transition = rules.nextTransition(FIRST_STORED);
      while (transition != null && transition.getInstant().isBefore(LAST_STORED)) {
        offsets.add(transition.getOffsetAfter());
        transition = rules.nextTransition(transition.getInstant());
      }
      offsets.stream().filter(offset -> offset.getTotalSeconds() % UsageRows.QUARTER_HOUR_SECONDS != 0)
          .forEach(offset -> misfits.add(id + " " + offset));
    }
    assertThat(misfits).isEmpty();
  }

  @Test
  @DisplayName("a usage range that cuts quarter hours counts only its own events: the rollup inside, the raw events at the ends")
  void rangeEndsInsideQuarterHours() throws Exception {
    request("2026-01-10T12:05:00Z", 1);     // before the range, in its first quarter hour
    request("2026-01-10T12:12:00Z", 10);
    request("2026-01-10T12:20:00Z", 100);
    request("2026-01-10T12:44:00Z", 1000);
    request("2026-01-10T12:50:00Z", 10000); // after the range, in its last quarter hour
    assertThat(items(get("/api/v1/usage?bucket=hour&from=2026-01-10T12:10:00Z&to=2026-01-10T12:47:00Z")))
        .containsExactly("2026-01-10T12:00:00Z=1110");
    assertThat(items(get("/api/v1/usage?bucket=hour&from=2026-01-10T12:06:00Z&to=2026-01-10T12:13:00Z")))
        .as("a range inside one quarter hour").containsExactly("2026-01-10T12:00:00Z=10");
  }
}
