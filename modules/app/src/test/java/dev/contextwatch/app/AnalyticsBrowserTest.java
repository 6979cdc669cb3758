package dev.contextwatch.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.app.OtlpRequests.Usage;
import dev.contextwatch.testkit.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

/**
 * The analytics view in a real browser with minutes of one session and with a year of hundreds:
 * what each panel draws, counted; the screenshots in docs/screenshots are these
 * ({@code -Ddocs.screenshots=true}, {@link Browser}).
 */
@ExtendWith(VertxExtension.class)
class AnalyticsBrowserTest {
  private static final List<String> PROJECTS = List.of("billing-api", "web-frontend", "data-pipeline", "docs");
  private static final List<String> MODELS = List.of("claude-sonnet-4-5", "claude-opus-4-8", "claude-haiku-4-5");
  private static final int YEAR_SESSIONS = 300;

  @Test
  @DisplayName("with one session of minutes every analytics panel draws it: one point, a rising cumulative cost, minute buckets, its weekday hour")
  void littleData(Vertx vertx) throws Exception {
    PipelineHarness pipeline = PipelineHarness.start(vertx);
    try (Browser browser = Browser.start(1600, 1000)) {
      Instant start = Instant.now().minus(Duration.ofMinutes(14));
      String session = "1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9";
      List<Usage> requests = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        requests.add(new Usage(start.plus(Duration.ofSeconds(90L * i)), "prompt-" + i / 3, MODELS.get(0), 2_000 + 300L * i,
            20_000L * i, i == 0 ? 12_000 : 800, 400, 0.02 + 0.01 * i));
      }
      send(pipeline, OtlpRequests.requestsOf("billing-api", session, requests));

      browser.open(pipeline, "/#/analytics");
      WebDriver driver = browser.driver;
      browser.waitFor(By.cssSelector("#analytics-scatter circle.point"));
      assertThat(browser.textOf(By.id("analytics-note"))).contains("1 session,").contains("per minute");
      assertPanels(browser, 1, 1, 1);
      assertThat(driver.findElements(By.cssSelector("#analytics-cumulative svg path[fill='none']")))
          .allSatisfy(path -> assertThat(path.getDomAttribute("d")).contains("L"));
      assertThat(driver.findElements(By.cssSelector("#analytics-per-request svg circle"))).hasSize(8);
      assertThat(driver.findElements(By.cssSelector("#analytics-heatmap .c.on"))).hasSize(heatmapCells(pipeline, Duration.ofDays(30)));
      assertThat(driver.findElement(By.cssSelector("#analytics-scatter circle.point title")).getDomProperty("textContent"))
          .contains("billing-api").contains("11 min");
      browser.screenshot("analytics-little.png");

      // an hour's range draws the same
      driver.findElement(By.cssSelector(".seg[data-key='range'] button[data-value='1h']")).click();
      browser.waitUntil(() -> driver.findElement(By.cssSelector(".seg[data-key='range'] button.on")).getText().equals("1h"));
      browser.waitFor(By.cssSelector("#analytics-scatter circle.point"));
      assertPanels(browser, 1, 1, 1);

      driver.findElement(By.cssSelector("#analytics-top-sessions tr[data-session] a")).click();
      browser.waitUntil(() -> driver.getCurrentUrl().endsWith("#/session/" + session));
    } finally {
      pipeline.stop();
    }
  }

  @Test
  @DisplayName("with a year of hundreds of sessions the panels draw each of them, by month, and the heatmap covers the whole year, in analytics and usage")
  void muchData(Vertx vertx) throws Exception {
    PipelineHarness pipeline = PipelineHarness.start(vertx, TestDatabase.newDatabase(), AnalyticsApiTest::keepRecords);
    try (Browser browser = Browser.start(1600, 1000)) {
      double cost = postYear(pipeline, new Random(16));

      browser.open(pipeline, "/#/analytics");
      WebDriver driver = browser.driver;
      driver.findElement(By.cssSelector(".seg[data-key='range'] button[data-value='1y']")).click();
      assertThat(browser.textOf(By.id("analytics-note"), text -> text.contains(YEAR_SESSIONS + " sessions")))
          .contains("per month").contains(dollars(cost));
      assertPanels(browser, YEAR_SESSIONS, 10, PROJECTS.size());
      assertThat(driver.findElements(By.cssSelector("#analytics-models tr[data-key]"))).hasSize(MODELS.size());
      int cells = heatmapCells(pipeline, Duration.ofDays(365));
      assertThat(cells).as("a year of sessions at random hours").isGreaterThan(100);
      assertThat(driver.findElements(By.cssSelector("#analytics-heatmap .c.on"))).hasSize(cells);
      // the cumulative cost rises month by month: one point per month, and the first at 0
      List<WebElement> lines = driver.findElements(By.cssSelector("#analytics-cumulative svg path[fill='none']"));
      assertThat(lines).hasSize(PROJECTS.size() + 1);
      assertThat(lines.get(lines.size() - 1).getDomAttribute("d").split("L")).hasSizeBetween(13, 15);
      browser.screenshot("analytics-much.png");

      // the usage view's heatmap covers the year too, not its last 60 days
      browser.open(pipeline, "/#/usage");
      driver.findElement(By.cssSelector(".seg[data-key='range'] button[data-value='1y']")).click();
      browser.waitUntil(() -> driver.findElements(By.cssSelector("#usage-heatmap .c.on")).size() == cells);
    } finally {
      pipeline.stop();
    }
  }

  /** Each panel drew {@code sessions} points, {@code top} top sessions and {@code projects} projects, and every heatmap cell. */
  private static void assertPanels(Browser browser, int sessions, int top, int projects) {
    WebDriver driver = browser.driver;
    browser.waitUntil(() -> driver.findElements(By.cssSelector("#analytics-scatter circle.point")).size() == sessions);
    assertThat(driver.findElements(By.cssSelector("#analytics-scatter a[href^='#/session/'] circle"))).hasSize(sessions);
    assertThat(driver.findElements(By.cssSelector("#analytics-top-sessions tr[data-session]"))).hasSize(top);
    assertThat(driver.findElements(By.cssSelector("#analytics-top-projects tr[data-key]"))).hasSize(projects);
    assertThat(driver.findElements(By.cssSelector("#analytics-heatmap .c"))).hasSize(7 * 24);
    for (String chart : List.of("analytics-cumulative", "analytics-per-request", "analytics-per-prompt", "analytics-cache")) {
      assertThat(driver.findElements(By.cssSelector("#" + chart + " svg path"))).as(chart).isNotEmpty();
    }
  }

  /** Sessions spread over the last 364 days, at random hours, each of a few requests minutes apart; returns their cost. */
  private static double postYear(PipelineHarness pipeline, Random random) throws Exception {
    Instant now = Instant.now();
    double cost = 0;
    for (int i = 0; i < YEAR_SESSIONS; i++) {
      // the first a day ago, the last 363: a span of over 360 days, which the series shows in months
      Instant start = now.minus(Duration.ofDays(1 + 362L * i / (YEAR_SESSIONS - 1))).minus(Duration.ofMinutes(random.nextInt(24 * 60)));
      String session = new UUID(random.nextLong(), random.nextLong()).toString();
      int count = 2 + random.nextInt(8);
      String model = MODELS.get(random.nextInt(MODELS.size()));
      List<Usage> requests = new ArrayList<>();
      Instant time = start;
      for (int r = 0; r < count; r++) {
        double price = (random.nextInt(300) + 10) / 100.0;
        requests.add(new Usage(time, session + "-p" + r / 2, model, 1_000 + random.nextInt(20_000), random.nextInt(200_000),
            random.nextInt(20_000), 200 + random.nextInt(4_000), price));
        cost += price;
        time = time.plus(Duration.ofSeconds(30 + random.nextInt(20 * 60)));
      }
      send(pipeline, OtlpRequests.requestsOf(PROJECTS.get(i % PROJECTS.size()), session, requests));
    }
    return cost;
  }

  /** The weekday hours with requests in the last {@code range}, in the browser's time zone (the JVM's), as the API counts them. */
  private static int heatmapCells(PipelineHarness pipeline, Duration range) throws Exception {
    Instant now = Instant.now().plusSeconds(60);
    JsonObject heatmap = pipeline.apiGet("/api/v1/analytics/heatmap?from=" + now.minus(range) + "&to=" + now + "&tz="
        + ZoneId.systemDefault().getId());
    return heatmap.getJsonArray("items").size();
  }

  /** A total as the dashboard writes it (format.js cost). */
  private static String dollars(double usd) {
    return usd >= 1000 ? String.format(Locale.US, "$%,d", Math.round(usd)) : String.format(Locale.US, "$%.0f", usd);
  }

  private static void send(PipelineHarness pipeline, Buffer body) throws Exception {
    assertThat(pipeline.postAndWait("/v1/logs", OtlpRequests.PROTOBUF, body, Map.of()).status()).isEqualTo(200);
  }
}
