package dev.contextwatch.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.core.config.ContextwatchConfig;
import dev.contextwatch.testkit.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

/**
 * Every view of the dashboard with little history (an hour of a few sessions) and with much (days
 * of a fleet of a thousand), checked for what a newcomer trips over and photographed: the pictures
 * in docs/screenshots and the README are these, taken with {@code -Ddocs.screenshots=true}
 * ({@link Browser}).
 */
@ExtendWith(VertxExtension.class)
class DashboardScreenshotsTest {
  private static final String CLI_EXITED = "e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b";
  private static final String OVER_WINDOW = "f0e1d2c3-b4a5-4968-8776-655443322110";
  private static final String NIGHTLY = "nightly-docs";

  @Test
  @DisplayName("with an hour of history the fleet, session, runs and usage views draw it: usage in minutes, its cumulative line drawn")
  void littleHistory(Vertx vertx) throws Exception {
    PipelineHarness pipeline = PipelineHarness.start(vertx);
    try (Browser browser = Browser.start(1600, 1000)) {
      Instant start = Instant.now().minusSeconds(50 * 60);
      String lead = "3a4b5c6d-7e8f-4a9b-8c7d-6e5f4a3b2c1d";
      List<PushLoad.Session> sessions = List.of(
          new PushLoad.Session(lead, "acme", "term-1", "docs-site", null, "claude-sonnet-4-5", 24_000, 9_000, start),
          new PushLoad.Session("8b7a6c5d-4e3f-4a2b-9c1d-0e9f8a7b6c5d", "acme", "term-2", "docs-site", lead, "claude-haiku-4-5",
              12_000, 3_000, start.plusSeconds(600)),
          new PushLoad.Session("5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f", "acme", "term-3", "claude-sonnet-4-5", 30_000, 2_500,
              start.plusSeconds(900)));
      for (PushLoad.Session session : sessions) {
        for (int turn = 0; turn < 16; turn += 4) {
          PushLoad.post(pipeline, session, turn, 4);
        }
      }

      browser.open(pipeline, "/");
      WebDriver driver = browser.driver;
      browser.waitUntil(() -> driver.findElements(By.cssSelector(".tile")).size() == 3);
      browser.screenshot("fleet-little.png");

      browser.open(pipeline, "/#/session/" + lead);
      browser.waitFor(By.cssSelector("#context-chart svg path"));
      // storeContent is off: the tool calls' commands are hidden, and the view says why and how to show them
      browser.waitUntil(() -> driver.findElement(By.xpath("//h2[text()='Recent events']/..")).getText().contains("hidden (storeContent off)"));
      browser.screenshot("session-little.png");

      browser.open(pipeline, "/#/runs");
      WebElement run = browser.waitFor(By.cssSelector("tr[data-run='docs-site']"));
      assertThat(run.findElement(By.cssSelector(".badge")).getDomAttribute("class")).contains("run-running");
      assertThat(run.getText()).contains("2 active");
      browser.screenshot("runs-little.png");

      browser.open(pipeline, "/#/runs/docs-site");
      browser.waitUntil(() -> driver.findElements(By.cssSelector(".tree .node")).size() == 2);
      assertThat(driver.findElements(By.cssSelector(".tree .node[data-depth='1']"))).hasSize(1);
      browser.screenshot("run-little.png");

      browser.open(pipeline, "/#/usage");
      browser.waitFor(By.cssSelector("#usage-bars svg rect"));
      JsonObject usage = pipeline.apiGet("/api/v1/usage?bucket=auto&from=" + Instant.now().minusSeconds(7 * 86400) + "&to=" + Instant.now());
      assertThat(usage.getString("bucket")).isEqualTo("minute");
      // many bars across the hour, not one bar across the chart, and a cumulative line that rises
      assertThat(driver.findElements(By.cssSelector("#usage-bars svg rect")).size()).isGreaterThan(10);
      assertThat(driver.findElements(By.cssSelector("#usage-cumulative svg path[fill='none']")))
          .allSatisfy(path -> assertThat(path.getDomAttribute("d")).contains("L"));
      assertThat(driver.findElement(By.id("usage-note")).getText()).contains("per minute").contains("sized to the data");
      browser.screenshot("usage-little.png");
    } finally {
      pipeline.stop();
    }
  }

  @Test
  @DisplayName("with days of history and a thousand sessions every view draws; an exited CLI says so, an impossible context is flagged, tool calls show their commands")
  void muchHistory(Vertx vertx) throws Exception {
    PipelineHarness pipeline = PipelineHarness.start(vertx, TestDatabase.newDatabase(), DashboardScreenshotsTest::storeContent);
    try (Browser browser = Browser.start(1600, 1000)) {
      ScaleFleet.seed(pipeline, 1_000);
      pipeline.api(HttpMethod.POST, "/api/v1/sessions/" + DashboardFleet.CLOSED + "/close", 200);
      Instant start = Instant.now().minusSeconds(3 * 3600);
      // a CLI at its threshold that exited an hour and a half ago (as if: its last record is that old), and
      // one whose events name a 200k model while its context is larger
      PushLoad.post(pipeline, new PushLoad.Session(CLI_EXITED, "billing-api", "invoice-export", "claude-sonnet-4-5",
          120_000, 8_000, start), 0, 8);
      PushLoad.post(pipeline, new PushLoad.Session(OVER_WINDOW, "web-frontend", "long-context", "claude-sonnet-4-5",
          150_000, 15_000, start), 0, 10);
      for (String label : List.of("build-index", "render-pages")) {
        PushLoad.post(pipeline, new PushLoad.Session(label + "-0000-4000-8000-000000000000", "docs", label, NIGHTLY, null,
            "claude-haiku-4-5", 10_000, 2_000, start.minusSeconds(20 * 3600)), 0, 6);
      }
      age(pipeline, "session_id = '" + CLI_EXITED + "'", "90 minutes");
      age(pipeline, "run_id = '" + NIGHTLY + "'", "22 hours 50 minutes");

      browser.open(pipeline, "/");
      WebDriver driver = browser.driver;
      WebElement exited = browser.waitFor(By.cssSelector(".tile[data-session='" + CLI_EXITED + "']"));
      assertThat(exited.getText()).contains("stale").contains("most likely exited").doesNotContain("compacts next request");
      WebElement over = driver.findElement(By.cssSelector(".tile[data-session='" + OVER_WINDOW + "']"));
      assertThat(over.findElements(By.cssSelector("[data-flag='over-window']"))).hasSize(1);
      assertThat(over.getText()).contains("no prediction");
      browser.screenshot("fleet-much.png");

      browser.open(pipeline, "/#/session/" + OVER_WINDOW);
      browser.waitFor(By.cssSelector(".note[data-flag='over-window']"));
      browser.screenshot("session-over-window.png");

      browser.open(pipeline, "/#/session/" + DashboardFleet.NEAR_COMPACT);
      browser.waitFor(By.cssSelector("#context-chart svg path"));
      browser.waitUntil(() -> !driver.findElements(By.cssSelector("code.target")).isEmpty());
      assertThat(driver.findElements(By.cssSelector("code.target"))).extracting(WebElement::getText)
          .contains("mvn -q verify -pl billing", "src/main/java/billing/Ledger.java");
      assertThat(driver.findElements(By.cssSelector(".thread"))).extracting(WebElement::getText).contains("main thread");
      browser.screenshot("session-much.png");

      browser.open(pipeline, "/#/runs");
      browser.waitFor(By.cssSelector("tr[data-run='" + NIGHTLY + "']"));
      assertThat(driver.findElement(By.cssSelector("tr[data-run='" + NIGHTLY + "'] .badge")).getDomAttribute("class"))
          .contains("run-finished");
      browser.screenshot("runs-much.png");

      browser.open(pipeline, "/#/runs/" + DashboardFleet.RUN);
      browser.waitUntil(() -> driver.findElements(By.cssSelector(".tree .node")).size() == 4);
      assertThat(driver.findElements(By.cssSelector(".tree .node .when .bar"))).hasSize(4);
      browser.screenshot("run-much.png");

      browser.open(pipeline, "/#/usage");
      browser.waitFor(By.cssSelector("#usage-bars svg rect"));
      assertThat(driver.findElement(By.id("usage-note")).getText()).contains("per hour");
      browser.screenshot("usage-much.png");
    } finally {
      pipeline.stop();
    }
  }

  /** Moves the last activity of some sessions back, as if their CLIs had exited that long ago (row and summary alike). */
  private static void age(PipelineHarness pipeline, String where, String ago) throws Exception {
    pipeline.execute("UPDATE sessions SET last_received_at = now() - interval '" + ago + "', summary = jsonb_set(summary,"
        + " '{lastReceivedAt}', to_jsonb(now() - interval '" + ago + "')) WHERE " + where);
  }

  /** The server keeps content: tool calls show their command or file. */
  private static ContextwatchConfig storeContent(ContextwatchConfig config) {
    return config.withReceiver(config.receiver().withStoreContent(true));
  }
}
