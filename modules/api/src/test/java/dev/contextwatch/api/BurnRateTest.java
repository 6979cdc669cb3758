package dev.contextwatch.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * GET /api/v1/burn-rate and /api/v1/sessions/{id}/burn-rate: exact rates over the last ten minutes
 * and the last hour, today's sum projected to midnight, from events at known times. The harness's
 * events carry {@code input + 1260} tokens (60 output, 1000 cache read, 200 cache creation).
 */
@ExtendWith(VertxExtension.class)
class BurnRateTest {
  private static final JsonObject MAIN = new JsonObject().put("query_source", "main");
  private static final long OTHER_TOKENS = 1260;
  private ApiHarness api;
  private long sequence;

  @BeforeEach
  void setUp(Vertx vertx) throws Exception {
    api = ApiHarness.start(vertx);
  }

  /** An api_request of {@code session} at {@code time} with {@code tokens} tokens in all. */
  private void request(String session, String time, long tokens, double costUsd) throws Exception {
    api.event(session, Instant.parse(time), "api_request", sequence++, tokens - OTHER_TOKENS, costUsd, MAIN);
  }

  private JsonObject get(String uri) throws Exception {
    ApiHarness.Response response = api.get(uri);
    assertThat(response.status()).as(response.body().toString()).isEqualTo(200);
    return response.json();
  }

  @Test
  @DisplayName("now is the last ten minutes and last hour the last sixty, each up to 'at' (excluded); today is projected to midnight at the last hour's rate")
  void windows() throws Exception {
    api.session("a").project("acme").insert();
    request("a", "2026-03-10T12:25:00Z", 2000, 0.10);
    request("a", "2026-03-10T12:20:00Z", 2000, 0.05);   // the first instant of now
    request("a", "2026-03-10T11:45:00Z", 4000, 0.25);
    request("a", "2026-03-10T11:30:00Z", 2000, 0.10);   // the first instant of the last hour
    request("a", "2026-03-10T03:00:00Z", 10000, 1.00);  // earlier today
    request("a", "2026-03-09T23:59:59Z", 2000, 5.00);   // yesterday
    request("a", "2026-03-10T12:30:00Z", 2000, 7.00);   // at 'at': not yet
    api.event("a", Instant.parse("2026-03-10T12:26:00Z"), "api_error", sequence++, 5000, 3.00, MAIN);

    JsonObject burn = get("/api/v1/burn-rate?at=2026-03-10T12:30:00Z");
    assertThat(burn.getString("at")).isEqualTo("2026-03-10T12:30:00Z");
    assertThat(burn.getString("tz")).isEqualTo("UTC");
    JsonObject windows = burn.getJsonObject("windows");
    assertThat(windows.getJsonObject("now").getString("from")).isEqualTo("2026-03-10T12:20:00Z");
    assertThat(windows.getJsonObject("lastHour").getString("from")).isEqualTo("2026-03-10T11:30:00Z");
    assertThat(windows.getJsonObject("today").getString("day")).isEqualTo("2026-03-10");
    assertThat(windows.getJsonObject("today").getDouble("hoursLeft")).isEqualTo(11.5);

    JsonObject fleet = burn.getJsonObject("fleet");
    assertThat(fleet.getJsonObject("now")).isEqualTo(rate(4000, 0.15, 2, 24000, 0.90));
    assertThat(fleet.getJsonObject("lastHour")).isEqualTo(rate(10000, 0.50, 4, 10000, 0.50));
    // 20000 + 10000/h x 11.5 h, $1.50 + $0.50/h x 11.5 h
    assertThat(fleet.getJsonObject("today")).isEqualTo(today(20000, 1.50, 5, 135000, 7.25));
    assertThat(burn.getJsonArray("projects")).hasSize(1);
    assertThat(burn.getJsonArray("projects").getJsonObject(0).getString("project")).isEqualTo("acme");
    assertThat(burn.getJsonArray("sessions").getJsonObject(0).getJsonObject("lastHour")).isEqualTo(fleet.getJsonObject("lastHour"));
  }

  @Test
  @DisplayName("the last hour's sums are /api/v1/usage's over the same hour: the same stored rows")
  void lastHourIsUsage() throws Exception {
    api.session("a").project("acme").insert();
    request("a", "2026-03-10T11:10:00Z", 3000, 0.123456);
    request("a", "2026-03-10T11:50:00Z", 5000, 0.654321);
    request("a", "2026-03-10T12:05:00Z", 7000, 0.2);
    JsonObject lastHour = get("/api/v1/burn-rate?at=2026-03-10T12:10:00Z").getJsonObject("fleet").getJsonObject("lastHour");
    JsonObject usage = get("/api/v1/usage?bucket=minute&from=2026-03-10T11:10:00Z&to=2026-03-10T12:10:00Z");
    long tokens = 0;
    long costMicros = 0;
    for (Object item : usage.getJsonArray("items")) {
      JsonObject bucket = (JsonObject) item;
      tokens += bucket.getLong("inputTokens") + bucket.getLong("outputTokens") + bucket.getLong("cacheReadTokens")
          + bucket.getLong("cacheCreationTokens");
      costMicros += bucket.getLong("costMicros");
    }
    assertThat(lastHour.getLong("tokens")).isEqualTo(tokens).isEqualTo(15000);
    assertThat(lastHour.getDouble("costUsd")).isEqualTo(costMicros / 1e6).isEqualTo(0.977777);
  }

  @Test
  @DisplayName("today is the calendar day of 'at' in tz: in UTC and in Tokyo the same events make different days and projections")
  void dayInTwoTimeZones() throws Exception {
    api.session("a").project("acme").insert();
    request("a", "2026-06-10T14:00:00Z", 2000, 0.20);   // 10 June in UTC, 23:00 on 10 June in Tokyo
    request("a", "2026-06-10T16:00:00Z", 2000, 0.30);   // 11 June 01:00 in Tokyo
    request("a", "2026-06-10T22:00:00Z", 2000, 0.10);   // in the last hour
    String at = "at=2026-06-10T22:30:00Z";

    JsonObject utc = get("/api/v1/burn-rate?" + at);
    assertThat(utc.getJsonObject("windows").getJsonObject("today").getString("day")).isEqualTo("2026-06-10");
    assertThat(utc.getJsonObject("windows").getJsonObject("today").getDouble("hoursLeft")).isEqualTo(1.5);
    assertThat(utc.getJsonObject("fleet").getJsonObject("today")).isEqualTo(today(6000, 0.60, 3, 9000, 0.75));

    JsonObject tokyo = get("/api/v1/burn-rate?tz=Asia/Tokyo&" + at);
    JsonObject day = tokyo.getJsonObject("windows").getJsonObject("today");
    assertThat(day.getString("day")).isEqualTo("2026-06-11");
    assertThat(day.getString("from")).isEqualTo("2026-06-10T15:00:00Z");
    assertThat(day.getDouble("hoursLeft")).isEqualTo(16.5);
    // 4000 + 2000/h x 16.5 h, $0.40 + $0.10/h x 16.5 h; the rates themselves do not depend on the zone
    assertThat(tokyo.getJsonObject("fleet").getJsonObject("today")).isEqualTo(today(4000, 0.40, 2, 37000, 2.05));
    assertThat(tokyo.getJsonObject("fleet").getJsonObject("lastHour")).isEqualTo(utc.getJsonObject("fleet").getJsonObject("lastHour"));
  }

  @Test
  @DisplayName("a day the clocks change is 23 hours long, and early in a day the last hour's rate counts yesterday's requests but today's sum does not")
  void dayEdges() throws Exception {
    JsonObject berlin = get("/api/v1/burn-rate?tz=Europe/Berlin&at=2026-03-29T00:30:00Z").getJsonObject("windows").getJsonObject("today");
    assertThat(berlin.getString("from")).isEqualTo("2026-03-28T23:00:00Z");
    assertThat(berlin.getString("to")).isEqualTo("2026-03-29T22:00:00Z");
    assertThat(berlin.getDouble("hoursLeft")).isEqualTo(21.5);

    api.session("a").project("acme").insert();
    request("a", "2026-03-09T23:50:00Z", 2000, 0.60);
    JsonObject fleet = get("/api/v1/burn-rate?at=2026-03-10T00:20:00Z").getJsonObject("fleet");
    assertThat(fleet.getJsonObject("lastHour")).isEqualTo(rate(2000, 0.60, 1, 2000, 0.60));
    // 23 h 40 min left: 2000 x 23.666... rounds to 47333 tokens, $0.60 x 23.666... to $14.20
    assertThat(fleet.getJsonObject("today")).isEqualTo(today(0, 0.0, 0, 47333, 14.2));
  }

  @Test
  @DisplayName("projects and the fastest sessions come by their last hour's cost; limit caps the sessions, synthetic sessions are left out unless asked")
  void projectsAndSessions() throws Exception {
    api.session("a").project("acme").insert();
    api.session("b").project("acme").insert();
    api.session("c").project("beta").insert();
    api.session("d").insert();
    api.session("e").project("acme").insert();
    api.session("load").project("acme").insert();
    api.sql("UPDATE sessions SET synthetic = true WHERE session_id = 'load'");
    request("a", "2026-03-10T12:00:00Z", 3000, 0.30);
    request("b", "2026-03-10T12:00:00Z", 1000 + OTHER_TOKENS, 0.10);
    request("c", "2026-03-10T12:00:00Z", 5000, 0.50);
    request("d", "2026-03-10T12:00:00Z", 2000, 0.05);
    request("e", "2026-03-10T08:00:00Z", 9000, 1.00);   // today, not in the last hour
    request("load", "2026-03-10T12:00:00Z", 9000, 9.00);
    String at = "at=2026-03-10T12:30:00Z";

    JsonObject burn = get("/api/v1/burn-rate?limit=2&" + at);
    assertThat(burn.getString("synthetic")).isEqualTo("exclude");
    assertThat(keys(burn, "sessions", "sessionId")).containsExactly("c", "a");
    assertThat(keys(burn, "projects", "project")).containsExactly("beta", "acme", null);
    JsonObject acme = burn.getJsonArray("projects").getJsonObject(1);
    assertThat(acme.getJsonObject("lastHour").getDouble("costUsdPerHour")).isEqualTo(0.40);
    assertThat(acme.getJsonObject("today").getDouble("costUsd")).isEqualTo(1.40);
    assertThat(burn.getJsonObject("fleet").getJsonObject("lastHour").getDouble("costUsdPerHour")).isEqualTo(0.95);
    assertThat(keys(get("/api/v1/burn-rate?" + at), "sessions", "sessionId")).containsExactly("c", "a", "b", "d", "e");

    assertThat(get("/api/v1/burn-rate?synthetic=include&" + at).getJsonObject("fleet").getJsonObject("lastHour")
        .getDouble("costUsdPerHour")).isEqualTo(9.95);
    assertThat(keys(get("/api/v1/burn-rate?synthetic=only&" + at), "sessions", "sessionId")).containsExactly("load");

    JsonObject own = get("/api/v1/sessions/a/burn-rate?" + at);
    assertThat(own.getString("sessionId")).isEqualTo("a");
    assertThat(own.getString("project")).isEqualTo("acme");
    JsonObject listed = burn.getJsonArray("sessions").getJsonObject(1);
    assertThat(own.getJsonObject("rates")).isEqualTo(new JsonObject().put("now", listed.getJsonObject("now"))
        .put("lastHour", listed.getJsonObject("lastHour")).put("today", listed.getJsonObject("today")));
  }

  @Test
  @DisplayName("an idle fleet and a session without requests answer zeros, not errors")
  void idle() throws Exception {
    JsonObject burn = get("/api/v1/burn-rate");
    assertThat(burn.getJsonObject("fleet").getJsonObject("now")).isEqualTo(rate(0, 0.0, 0, 0, 0.0));
    assertThat(burn.getJsonObject("fleet").getJsonObject("lastHour")).isEqualTo(rate(0, 0.0, 0, 0, 0.0));
    assertThat(burn.getJsonObject("fleet").getJsonObject("today")).isEqualTo(today(0, 0.0, 0, 0, 0.0));
    assertThat(burn.getJsonArray("projects")).isEmpty();
    assertThat(burn.getJsonArray("sessions")).isEmpty();

    api.session("quiet").project("acme").insert();
    JsonObject quiet = get("/api/v1/sessions/quiet/burn-rate");
    assertThat(quiet.getJsonObject("rates").getJsonObject("lastHour")).isEqualTo(rate(0, 0.0, 0, 0, 0.0));
  }

  @Test
  @DisplayName("the status line shows a session's dollars per hour over the last hour while it spends, and no rate once it stopped")
  void statusLine() throws Exception {
    api.session("spending").project("acme").insert();
    api.session("stopped").project("acme").insert();
    api.event("spending", ApiHarness.minutesAgo(20), "api_request", sequence++, 100, 0.30, MAIN);
    api.event("spending", ApiHarness.minutesAgo(5), "api_request", sequence++, 100, 0.12, MAIN);
    api.event("stopped", ApiHarness.minutesAgo(90), "api_request", sequence++, 100, 0.30, MAIN);
    ApiHarness.Response spending = api.get("/api/v1/sessions/spending/statusline");
    assertThat(spending.status()).isEqualTo(200);
    assertThat(spending.body().toString()).contains(" | $0.42/h");
    assertThat(api.get("/api/v1/sessions/stopped/statusline").body().toString()).doesNotContain("/h");
    assertThat(api.get("/api/v1/sessions/nobody/statusline").json().getString("message")).isEqualTo("no session with id 'nobody'");
  }

  @Test
  @DisplayName("a bad at, tz, limit or synthetic is a 400 naming the parameter; an unknown session is a 404")
  void badParameters() throws Exception {
    assertBad("at=yesterday", "'at'", "ISO-8601");
    assertBad("tz=Mars/Olympus", "'tz'", "IANA time zone");
    assertBad("limit=0", "'limit'", "1 to 100");
    assertBad("limit=many", "'limit'", "1 to 100");
    assertBad("synthetic=maybe", "'synthetic'", "exclude");
    ApiHarness.Response unknown = api.get("/api/v1/sessions/nobody/burn-rate");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.json().getString("message")).contains("'nobody'");
    api.session("a").insert();
    assertThat(api.get("/api/v1/sessions/a/burn-rate?tz=Mars/Olympus").status()).isEqualTo(400);
  }

  private void assertBad(String query, String parameter, String hint) throws Exception {
    ApiHarness.Response response = api.get("/api/v1/burn-rate?" + query);
    assertThat(response.status()).as(response.body().toString()).isEqualTo(400);
    assertThat(response.json().getString("error")).isEqualTo("bad_parameter");
    assertThat(response.json().getString("message")).contains(parameter).contains(hint);
  }

  private static JsonObject rate(long tokens, double costUsd, long requests, long tokensPerHour, double costUsdPerHour) {
    return new JsonObject().put("tokens", tokens).put("costUsd", costUsd).put("requests", requests)
        .put("tokensPerHour", tokensPerHour).put("costUsdPerHour", costUsdPerHour);
  }

  private static JsonObject today(long tokens, double costUsd, long requests, long projectedTokens, double projectedCostUsd) {
    return new JsonObject().put("tokens", tokens).put("costUsd", costUsd).put("requests", requests)
        .put("projectedTokens", projectedTokens).put("projectedCostUsd", projectedCostUsd);
  }

  private static List<String> keys(JsonObject burn, String list, String key) {
    return burn.getJsonArray(list).stream().map(o -> ((JsonObject) o).getString(key)).toList();
  }
}
