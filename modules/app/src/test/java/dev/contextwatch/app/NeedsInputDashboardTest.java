package dev.contextwatch.app;

import static dev.contextwatch.app.HookRecords.event;
import static dev.contextwatch.app.HookRecords.hook;
import static dev.contextwatch.app.HookRecords.permissionPrompt;
import static dev.contextwatch.telemetry.Otlp.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.VertxExtension;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;

/** Needs input in the dashboard (headless Chromium against the whole pipeline; screenshots in target/screenshots). */
@ExtendWith(VertxExtension.class)
class NeedsInputDashboardTest {
  private static final By ACME_TILES = By.cssSelector("section.project[data-project='acme'] .tile");
  private static final By ASKING = By.cssSelector(".tile[data-session='asking']");

  @Test
  @DisplayName("a session waiting for permission is the first tile of its project, says what it waits for and since when, is counted in the project's head and the fleet's figures, and goes back to running live once it moves")
  void waitingTile(Vertx vertx) throws Exception {
    PipelineHarness pipeline = PipelineHarness.start(vertx);
    try (Browser browser = Browser.start()) {
      Instant asked = Instant.now().truncatedTo(ChronoUnit.MILLIS);
      post(pipeline, event("acme", "asking", "user_prompt", asked.minusSeconds(30), 1));
      // closer to compaction and more recent: first of its project but for the waiting one
      post(pipeline, OtlpRequests.mainRequest("busy", 1, 150_000));
      post(pipeline, OtlpRequests.mainRequest("busy", 2, 160_000));
      browser.open(pipeline, "/");
      WebDriver driver = browser.driver;
      browser.waitUntil(() -> driver.findElements(ACME_TILES).size() == 2);
      assertThat(driver.findElements(ACME_TILES).get(0).getDomAttribute("data-session")).isEqualTo("busy");

      post(pipeline, hook(permissionPrompt("asking"), asked));
      browser.waitUntil(() -> "waiting".equals(driver.findElement(ASKING).getDomAttribute("data-status")));
      assertThat(driver.findElements(ACME_TILES).get(0).getDomAttribute("data-session")).isEqualTo("asking");
      assertThat(browser.textOf(ASKING)).contains("WAITING").contains("waiting for input · a tool waits for permission · since")
          .containsPattern("since \\d+s ago");
      assertThat(browser.textOf(By.cssSelector("section.project[data-project='acme'] .project-head"))).contains("1 waiting for input");
      assertThat(driver.findElement(By.cssSelector("[data-kpi='waiting']")).getDomAttribute("data-value")).isEqualTo("1");
      browser.screenshot("dashboard-waiting.png");

      post(pipeline, event("acme", "asking", "tool_result", asked.plusSeconds(2), 2, text("tool_name", "Bash"),
          text("success", "true")));
      browser.waitUntil(() -> "active".equals(driver.findElement(ASKING).getDomAttribute("data-status")));
      assertThat(browser.textOf(ASKING)).doesNotContain("waiting for input");
      assertThat(driver.findElement(By.cssSelector("[data-kpi='waiting']")).getDomAttribute("data-value")).isEqualTo("0");
      assertThat(driver.findElements(By.cssSelector("section.project[data-project='acme'] .waiting-count"))).isEmpty();
    } finally {
      pipeline.stop();
    }
  }

  private static void post(PipelineHarness pipeline, Buffer body) throws Exception {
    PipelineHarness.Response response = pipeline.postAndWait("/v1/logs", OtlpRequests.PROTOBUF, body, Map.of());
    assertThat(response.status()).as(response.body().toString()).isEqualTo(200);
  }
}
