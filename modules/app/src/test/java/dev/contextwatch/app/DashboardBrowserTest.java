package dev.contextwatch.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.contextwatch.testkit.Fixtures;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

/**
 * The dashboard in headless Chromium against the whole pipeline: what the fixtures and generated
 * sessions put in shows up, live. Screenshots go to target/screenshots ({@link Browser}).
 */
@ExtendWith(VertxExtension.class)
class DashboardBrowserTest {
  private static final Fixtures.Folder SINGLE = Fixtures.folder("single-prompt-delta-protobuf");

  @Test
  @DisplayName("a replayed session's tile shows the CLI's tokens and cost, and changes live, without a reload, when more data arrives")
  void tileUpdatesLive(Vertx vertx) throws Exception {
    PipelineHarness pipeline = PipelineHarness.start(vertx);
    try (Browser browser = Browser.start()) {
      browser.open(pipeline, "/");
      browser.script("window.sameDocument = true");

      PushLoad.replay(pipeline, SINGLE);
      JsonObject usage = SINGLE.cliResult().getJsonObject("usage");
      long cliTokens = usage.getLong("input_tokens") + usage.getLong("output_tokens")
          + usage.getLong("cache_read_input_tokens") + usage.getLong("cache_creation_input_tokens");
      WebElement tile = browser.waitFor(By.cssSelector(".tile[data-session='" + SINGLE.sessionId() + "']"));
      browser.waitUntil(() -> tile.getDomAttribute("data-tokens").equals(Long.toString(cliTokens)));
      assertThat(Double.parseDouble(tile.getDomAttribute("data-cost"))).isCloseTo(SINGLE.cliResult().getDouble("total_cost_usd"), within(1e-9));
      assertThat(tile.getText()).contains(SINGLE.sessionId().substring(0, 8)).contains("$0.02").contains("ACTIVE")
          .contains("claude-sonnet-4-5");
      browser.screenshot("dashboard-tile.png");

      // more turns of the same session: the tile follows the session's new totals
      PushLoad.post(pipeline, new PushLoad.Session(SINGLE.sessionId(), null, null, "claude-sonnet-4-5", 20_000, 1_000,
          Instant.now().minusSeconds(60)), 100, 3);
      JsonObject session = pipeline.apiGet("/api/v1/sessions/" + SINGLE.sessionId());
      JsonObject totals = session.getJsonObject("totals");
      long tokens = totals.getLong("inputTokens") + totals.getLong("outputTokens") + totals.getLong("cacheReadTokens")
          + totals.getLong("cacheCreationTokens");
      assertThat(tokens).isGreaterThan(cliTokens);
      browser.waitUntil(() -> tile.getDomAttribute("data-tokens").equals(Long.toString(tokens)));
      assertThat(tile.getText()).contains(session.getString("lastTool")).contains(totals.getLong("apiRequests") + " req");
      assertThat(browser.script("return window.sameDocument")).isEqualTo(true);
      browser.screenshot("dashboard-tile-live.png");
    } finally {
      pipeline.stop();
    }
  }

  @Test
  @DisplayName("sessions a load test simulated stay off the fleet until the synthetic toggle shows them, and go again when it is cleared")
  void syntheticToggle(Vertx vertx) throws Exception {
    PipelineHarness pipeline = PipelineHarness.start(vertx);
    for (boolean synthetic : List.of(false, true)) {
      PipelineHarness.Response response = pipeline.postAndWait("/v1/logs", OtlpRequests.PROTOBUF, OtlpRequests.mainRequest(
          synthetic ? "loadtest" : "acme", null, synthetic, synthetic ? "simulated" : "real", 0, 40_000), Map.of());
      assertThat(response.status()).isEqualTo(200);
    }
    try (Browser browser = Browser.start()) {
      browser.open(pipeline, "/");
      WebDriver driver = browser.driver;
      By tiles = By.cssSelector(".tile");
      browser.waitUntil(() -> driver.findElements(tiles).size() == 1);
      assertThat(driver.findElement(tiles).getDomAttribute("data-session")).isEqualTo("real");

      driver.findElement(By.id("synthetic")).click();
      browser.waitUntil(() -> driver.findElements(tiles).size() == 2);
      assertThat(driver.findElements(By.cssSelector(".tile[data-session='simulated']"))).hasSize(1);
      driver.findElement(By.id("synthetic")).click();
      browser.waitUntil(() -> driver.findElements(tiles).size() == 1);
    } finally {
      pipeline.stop();
    }
  }

  @Test
  @DisplayName("a 2.1.332 session shows its subagent work by type and the run the client reported; a resumed session says so; a compacted one where its threshold came from; their tiles and heads name the client's version; a traced one shows its tree of agents")
  void subagentsAndResume(Vertx vertx) throws Exception {
    Fixtures.Folder subagent = new Fixtures.Folder(Fixtures.CLIENT_2_1_332, "subagent-delta-json");
    Fixtures.Folder resumed = new Fixtures.Folder(Fixtures.CLIENT_2_1_332, "resume-delta-protobuf");
    Fixtures.Folder compacted = new Fixtures.Folder(Fixtures.CLIENT_2_1_332, "reactive-compaction-delta-json");
    Fixtures.Folder traced = new Fixtures.Folder(Fixtures.CLIENT_2_1_332, "subagent-traces-delta-json");
    PipelineHarness pipeline = PipelineHarness.start(vertx);
    try (Browser browser = Browser.start()) {
      PushLoad.replay(pipeline, traced);
      browser.open(pipeline, "/#/session/" + traced.sessionId());
      assertThat(browser.textOf(By.cssSelector("tr[data-agent='a6fb604f8263b854e']"), text -> text.contains("general-purpose")))
          .contains("general-purpose a6fb604f8263b854e 4");
      assertThat(browser.textOf(By.cssSelector("tr[data-agent='main']"))).startsWith("main 5");
      browser.screenshot("dashboard-session-agents.png");

      PushLoad.replay(pipeline, subagent);
      PushLoad.replay(pipeline, resumed);
      PushLoad.replay(pipeline, compacted);
      JsonObject run = pipeline.apiGet("/api/v1/sessions/" + subagent.sessionId()).getJsonObject("subagents")
          .getJsonArray("runs").getJsonObject(0);

      browser.open(pipeline, "/");
      assertThat(browser.textOf(tileClient(subagent), text -> text.contains("subagent")))
          .isEqualTo("v2.1.332 · 1 subagent · threshold formula");
      assertThat(browser.textOf(tileClient(resumed), text -> text.contains("RESUMED"))).startsWith("v2.1.332 · RESUMED");
      assertThat(browser.textOf(tileClient(compacted), text -> text.contains("threshold"))).endsWith("threshold observed");
      browser.screenshot("dashboard-fleet-clients.png");

      browser.open(pipeline, "/#/session/" + subagent.sessionId());
      assertThat(browser.textOf(By.xpath("//h2[text()='Subagent runs']/following-sibling::table"), text -> text.contains(run.getString("agentId"))))
          .contains("general-purpose", run.getString("model"));
      assertThat(browser.textOf(By.xpath("//h2[text()='By subagent type']/following-sibling::table"))).contains("general-purpose");
      assertThat(browser.textOf(By.cssSelector("[data-flag='client']"))).isEqualTo("Claude Code 2.1.332");
      browser.screenshot("dashboard-session-subagents.png");

      browser.open(pipeline, "/#/session/" + resumed.sessionId());
      assertThat(browser.textOf(By.cssSelector("[data-flag='started']"), text -> text.contains("resume")))
          .contains("fresh, resume").containsIgnoringCase("resumed");

      browser.open(pipeline, "/#/session/" + compacted.sessionId());
      assertThat(browser.textOf(By.xpath("//*[local-name()='text'][starts-with(., 'auto-compact ')]")))
          .isEqualTo("auto-compact 195k · seen at its last compaction");
    } finally {
      pipeline.stop();
    }
  }

  private static By tileClient(Fixtures.Folder folder) {
    return By.cssSelector(".tile[data-session='" + folder.sessionId() + "'] .tile-client");
  }

  @Test
  @DisplayName("a fleet is grouped by project with the session nearest auto-compact first; its session, run and usage views draw")
  void fleet(Vertx vertx) throws Exception {
    PipelineHarness pipeline = PipelineHarness.start(vertx);
    try (Browser browser = Browser.start()) {
      for (Fixtures.Folder folder : Fixtures.folders()) {
        PushLoad.replay(pipeline, folder);
      }
      List<PushLoad.Session> generated = DashboardFleet.post(pipeline);
      pipeline.api(HttpMethod.POST, "/api/v1/sessions/" + DashboardFleet.CLOSED + "/close", 200);
      long sessions = pipeline.apiGet("/api/v1/sessions").getLong("total");
      assertThat(sessions).isEqualTo(Fixtures.folders().size() + generated.size());

      browser.open(pipeline, "/");
      WebDriver driver = browser.driver;
      browser.waitUntil(() -> driver.findElements(By.cssSelector(".tile")).size() == sessions);
      // levels come from the checkpoint verticle, a moment after the data
      browser.waitUntil(() -> !driver.findElements(By.cssSelector(".tile.level-critical")).isEmpty());
      JsonObject riskiest = pipeline.apiGet("/api/v1/sessions?sort=risk&limit=1").getJsonArray("items").getJsonObject(0);
      WebElement firstGroup = driver.findElement(By.cssSelector(".project"));
      assertThat(firstGroup.findElement(By.cssSelector(".name")).getText())
          .isEqualTo(riskiest.getString("project") == null ? "no project" : riskiest.getString("project"));
      assertThat(firstGroup.findElement(By.cssSelector(".tile")).getDomAttribute("data-session")).isEqualTo(riskiest.getString("sessionId"));
      assertThat(driver.findElements(By.cssSelector(".project .name"))).extracting(WebElement::getText)
          .contains("acme", "billing-api", "web-frontend", "data-pipeline", "no project");
      WebElement closed = driver.findElement(By.cssSelector(".tile[data-session='" + DashboardFleet.CLOSED + "']"));
      assertThat(closed.getText()).contains("closed").doesNotContain("to auto-compact").doesNotContain("compacts next request");
      browser.screenshot("dashboard-fleet.png");

      browser.open(pipeline, "/#/session/" + DashboardFleet.NEAR_COMPACT);
      browser.waitFor(By.cssSelector("#context-chart svg path"));
      browser.waitUntil(() -> driver.findElements(By.xpath("//h2[text()='Recent events']/following-sibling::table//tr")).size() > 10);
      assertThat(driver.findElement(By.cssSelector(".session-head h1")).getText()).isEqualTo("refactor-ledger");
      browser.screenshot("dashboard-session.png");

      browser.open(pipeline, "/#/runs/" + DashboardFleet.RUN);
      browser.waitUntil(() -> driver.findElements(By.cssSelector(".tree .node")).size() == 4);
      assertThat(driver.findElements(By.cssSelector(".tree .node[data-depth='1']"))).hasSize(3);
      browser.screenshot("dashboard-run.png");

      browser.open(pipeline, "/#/usage");
      browser.waitFor(By.cssSelector(".chart svg rect"));
      assertThat(driver.findElements(By.cssSelector(".heat .c[style*='background']"))).isNotEmpty();
      browser.screenshot("dashboard-usage.png");
    } finally {
      pipeline.stop();
    }
  }

  @Test
  @DisplayName("a minute of usage is drawn as a bar among empty minutes, never as one bar across the chart")
  void shortHistory(Vertx vertx) throws Exception {
    PipelineHarness pipeline = PipelineHarness.start(vertx);
    try (Browser browser = Browser.start()) {
      PushLoad.post(pipeline, new PushLoad.Session("brief", "acme", "brief", "claude-sonnet-4-5", 20_000, 5_000,
          Instant.now().minusSeconds(50)), 0, 3);
      browser.open(pipeline, "/#/usage");
      WebDriver driver = browser.driver;
      browser.waitFor(By.cssSelector("#usage-bars svg rect"));
      double chartWidth = Double.parseDouble(driver.findElement(By.cssSelector("#usage-bars svg")).getDomAttribute("viewBox").split(" ")[2]);
      double barsWidth = driver.findElements(By.cssSelector("#usage-bars svg rect")).stream()
          .mapToDouble(bar -> Double.parseDouble(bar.getDomAttribute("width"))).sum();
      assertThat(barsWidth).isPositive().isLessThan(chartWidth / 4);
      browser.screenshot("dashboard-usage-minute.png");
    } finally {
      pipeline.stop();
    }
  }

  @Test
  @DisplayName("with 500 sessions in 12 projects the fleet view counts every one, draws the riskiest rows of each project, and shows a burst of 100 updates")
  void fiveHundredSessions(Vertx vertx) throws Exception {
    PipelineHarness pipeline = PipelineHarness.start(vertx);
    try (Browser browser = Browser.start()) {
      Instant start = Instant.now().minusSeconds(600);
      List<PushLoad.Session> sessions = IntStream.range(0, 500).mapToObj(i -> new PushLoad.Session("fleet-" + i,
          "project-" + i % 12, "agent-" + i, "claude-sonnet-4-5", 20_000 + i * 250L, 2_000, start)).toList();
      postAll(pipeline, sessions, 0, 2);
      long opened = System.nanoTime();
      browser.open(pipeline, "/");
      WebDriver driver = browser.driver;
      WebElement count = driver.findElement(By.id("fleet-count"));
      browser.waitUntil(() -> "500".equals(count.getDomAttribute("data-total")));
      long drawn = System.nanoTime();
      assertThat(driver.findElements(By.cssSelector(".project"))).hasSize(12);
      assertThat(driver.findElements(By.cssSelector(".project"))).extracting(g -> Integer.parseInt(g.getDomAttribute("data-sessions")))
          .allSatisfy(n -> assertThat(n).isBetween(41, 42));
      assertThat(driver.findElements(By.cssSelector(".tile"))).hasSize(Integer.parseInt(count.getDomAttribute("data-shown")))
          .hasSizeLessThan(500);
      // the riskiest of each project is drawn: the one with the largest context
      assertThat(driver.findElements(By.cssSelector(".project .tile:first-child"))).extracting(t -> t.getDomAttribute("data-session"))
          .containsExactlyInAnyOrderElementsOf(IntStream.range(488, 500).mapToObj(i -> "fleet-" + i).toList());

      long tokensBefore = Long.parseLong(pipeline.query("select sum(input_tokens + output_tokens + cache_read_tokens + cache_creation_tokens) from sessions"));
      postAll(pipeline, sessions.subList(400, 500), 2, 1);
      long answered = System.nanoTime();
      long tokens = Long.parseLong(pipeline.query("select sum(input_tokens + output_tokens + cache_read_tokens + cache_creation_tokens) from sessions"));
      assertThat(tokens).isGreaterThan(tokensBefore);
      // the figures are drawn anew with every change: read them afresh each time
      browser.waitUntil(() -> Long.toString(tokens).equals(driver.findElement(By.cssSelector("[data-kpi='tokens']")).getDomAttribute("data-value")));
      long shown = System.nanoTime();
      assertThat(driver.findElements(By.cssSelector(".project .tile:first-child"))).allSatisfy(t -> assertThat(t.getDomAttribute("data-requests")).isEqualTo("3"));
      System.out.printf("dashboard: 500 sessions counted %d ms after opening the page; 100 updates shown %d ms after their last 200%n",
          TimeUnit.NANOSECONDS.toMillis(drawn - opened), TimeUnit.NANOSECONDS.toMillis(shown - answered));
      browser.screenshot("dashboard-500.png");
    } finally {
      pipeline.stop();
    }
  }

  /** One request of {@code count} turns from turn {@code first} for every session, all at once. */
  static void postAll(PipelineHarness pipeline, List<PushLoad.Session> sessions, int first, int count) throws Exception {
    List<Future<PipelineHarness.Response>> posts = sessions.stream()
        .map(s -> pipeline.post("/v1/logs", PushLoad.PROTOBUF, PushLoad.turns(s, first, count), Map.of())).toList();
    PipelineHarness.await(Future.all(posts));
    assertThat(posts).allSatisfy(post -> assertThat(post.result().status()).isEqualTo(200));
  }
}
