package dev.contextwatch.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.VertxExtension;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;

/** The fleet view's burn-rate card and the session view's burn rate, in a real browser; the card's screenshot goes to target/screenshots. */
@ExtendWith(VertxExtension.class)
class BurnRateBrowserTest {
  private final List<Request> sent = new ArrayList<>();

  /** A request sent, by when it was made and what it cost. */
  private record Request(Instant time, BigDecimal costUsd) {}

  @Test
  @DisplayName("the fleet's burn-rate card shows $/h and tokens/h now and over the last hour, today's projection and the fastest projects, and follows new requests; the session view shows the session's own rate")
  void burnRate(Vertx vertx) throws Exception {
    PipelineHarness pipeline = PipelineHarness.start(vertx);
    try (Browser browser = Browser.start()) {
      Instant now = Instant.now();
      send(pipeline, "acme", "burn-1", now.minus(Duration.ofMinutes(30)), 1, 200_000, "1.00");
      send(pipeline, "acme", "burn-1", now.minus(Duration.ofMinutes(2)), 2, 100_000, "0.50");
      send(pipeline, "beta", "burn-2", now.minus(Duration.ofMinutes(5)), 1, 50_000, "0.25");
      pipeline.awaitCount("select count(*) from events where event_name = 'api_request'", 3);

      browser.open(pipeline, "/#/fleet");
      // the last ten minutes: $0.75 and 150k tokens, six times over in an hour; the last hour: $1.75 and 350k
      assertThat(value(browser, "now-cost", "4.5")).isEqualTo("4.5");
      assertThat(browser.textOf(By.cssSelector(".burn [data-burn='now-cost']"))).contains("$4.50/h");
      assertThat(value(browser, "hour-cost", "1.75")).isEqualTo("1.75");
      assertThat(value(browser, "now-tokens", "900000")).isEqualTo("900000");
      assertThat(browser.textOf(By.cssSelector(".burn [data-burn='hour-tokens']"))).contains("350k");
      assertThat(browser.textOf(By.cssSelector(".burn tr[data-project='acme']"))).contains("$3.00/h").contains("$1.50/h");
      List<String> projects = browser.driver.findElements(By.cssSelector(".burn tr[data-project]")).stream()
          .map(row -> row.getDomAttribute("data-project")).toList();
      assertThat(projects).containsExactly("acme", "beta");

      // a request lands: the card follows without a reload
      send(pipeline, "acme", "burn-1", Instant.now().minus(Duration.ofMinutes(1)), 3, 10_000, "0.10");
      assertThat(value(browser, "now-cost", "5.1")).isEqualTo("5.1");
      Instant before = Instant.now();
      ZoneId zone = ZoneId.of((String) browser.script("return Intl.DateTimeFormat().resolvedOptions().timeZone"));
      browser.open(pipeline, "/?again#/fleet");   // a new page: its card is read after 'before'
      double projected = Double.parseDouble(value(browser, "projected-cost", text -> true));
      Instant after = Instant.now();
      // today's sum plus $1.85/h until midnight, read at some instant between before and after
      assertThat(projected).isBetween(projection(zone, after), projection(zone, before));
      browser.screenshot("dashboard-burn-rate.png");

      browser.open(pipeline, "/#/session/burn-1");
      assertThat(browser.waitFor(By.cssSelector(".kpi[data-kpi='burn'][data-value]")).getDomAttribute("data-value")).isEqualTo("1.6");
      assertThat(browser.textOf(By.cssSelector(".kpi[data-kpi='burn']"))).contains("$1.60/h").contains("now $3.60/h");
    } finally {
      pipeline.stop();
    }
  }

  /** The card's exact figure {@code key} once it reads {@code expected}; what it reads then otherwise (the wait times out). */
  private static String value(Browser browser, String key, String expected) {
    return value(browser, key, expected::equals);
  }

  private static String value(Browser browser, String key, Predicate<String> ready) {
    By figure = By.cssSelector(".burn [data-burn='" + key + "']");
    browser.waitUntil(() -> ready.test(browser.driver.findElement(figure).getDomAttribute("data-value")));
    return browser.driver.findElement(figure).getDomAttribute("data-value");
  }

  /** Today's cost at {@code at} in {@code zone} and the last hour's rate times the hours left in the day. */
  private double projection(ZoneId zone, Instant at) {
    LocalDate day = at.atZone(zone).toLocalDate();
    Instant start = day.atStartOfDay(zone).toInstant();
    Instant end = day.plusDays(1).atStartOfDay(zone).toInstant();
    BigDecimal today = BigDecimal.ZERO;
    BigDecimal lastHour = BigDecimal.ZERO;
    for (Request request : sent) {
      today = request.time().isBefore(start) ? today : today.add(request.costUsd());
      lastHour = request.time().isBefore(at.minus(Duration.ofHours(1))) ? lastHour : lastHour.add(request.costUsd());
    }
    double hoursLeft = Duration.between(at, end).toMillis() / 3_600_000.0;
    return today.doubleValue() + lastHour.doubleValue() * hoursLeft;
  }

  private void send(PipelineHarness pipeline, String project, String session, Instant time, long sequence, long input, String cost)
      throws Exception {
    Buffer body = OtlpRequests.requestAt(project, session, time, sequence, input, Double.parseDouble(cost));
    assertThat(pipeline.postAndWait("/v1/logs", OtlpRequests.PROTOBUF, body, Map.of()).status()).isEqualTo(200);
    sent.add(new Request(time, new BigDecimal(cost)));
  }
}
