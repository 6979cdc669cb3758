package dev.contextwatch.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.contextwatch.testkit.Fixtures;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in headless Chromium (Debian's chromium and chromedriver; .ci/run installs them),
 * against the whole pipeline: what the fixtures and generated sessions put in shows up, live.
 * Screenshots go to target/ (docs/dashboard.png is the fleet one).
 */
@ExtendWith(VertxExtension.class)
class DashboardBrowserTest {
  private static final String CHROMIUM = "/usr/bin/chromium";
  private static final String CHROMEDRIVER = "/usr/bin/chromedriver";
  private static final Path SHOTS = Path.of("target");
  private static final Fixtures.Folder SINGLE = Fixtures.folder("single-prompt-delta-protobuf");
  private static final Duration WAIT = Duration.ofSeconds(30);

  private WebDriver driver;

  @AfterEach
  void quit() {
    if (driver != null) {
      driver.quit();
    }
  }

  @Test
  @DisplayName("a replayed session's tile shows the CLI's tokens and cost, and changes live, without a reload, when more data arrives")
  void tileUpdatesLive(Vertx vertx) throws Exception {
    PipelineHarness pipeline = PipelineHarness.start(vertx);
    driver = chromium();
    open(pipeline, "/");
    ((JavascriptExecutor) driver).executeScript("window.sameDocument = true");

    PushLoad.replay(pipeline, SINGLE);
    JsonObject usage = SINGLE.cliResult().getJsonObject("usage");
    long cliTokens = usage.getLong("input_tokens") + usage.getLong("output_tokens")
        + usage.getLong("cache_read_input_tokens") + usage.getLong("cache_creation_input_tokens");
    WebElement tile = waitFor(By.cssSelector(".tile[data-session='" + SINGLE.sessionId() + "']"));
    waitUntil(() -> tile.getDomAttribute("data-tokens").equals(Long.toString(cliTokens)));
    assertThat(Double.parseDouble(tile.getDomAttribute("data-cost"))).isCloseTo(SINGLE.cliResult().getDouble("total_cost_usd"), within(1e-9));
    assertThat(tile.getText()).contains(SINGLE.sessionId().substring(0, 8)).contains("$0.02").contains("ACTIVE")
        .contains("claude-sonnet-4-5");
    screenshot("dashboard-tile.png");

    // more turns of the same session: the tile follows the session's new totals
    PushLoad.post(pipeline, new PushLoad.Session(SINGLE.sessionId(), null, null, "claude-sonnet-4-5", 20_000, 1_000,
        Instant.now().minusSeconds(60)), 100, 3);
    JsonObject session = pipeline.apiGet("/api/v1/sessions/" + SINGLE.sessionId());
    JsonObject totals = session.getJsonObject("totals");
    long tokens = totals.getLong("inputTokens") + totals.getLong("outputTokens") + totals.getLong("cacheReadTokens")
        + totals.getLong("cacheCreationTokens");
    assertThat(tokens).isGreaterThan(cliTokens);
    waitUntil(() -> tile.getDomAttribute("data-tokens").equals(Long.toString(tokens)));
    assertThat(tile.getText()).contains(session.getString("lastTool")).contains(totals.getLong("apiRequests") + " req");
    assertThat(((JavascriptExecutor) driver).executeScript("return window.sameDocument")).isEqualTo(true);
    screenshot("dashboard-tile-live.png");
    pipeline.stop();
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
    driver = chromium();
    open(pipeline, "/");
    By tiles = By.cssSelector(".tile");
    waitUntil(() -> driver.findElements(tiles).size() == 1);
    assertThat(driver.findElement(tiles).getDomAttribute("data-session")).isEqualTo("real");

    driver.findElement(By.id("synthetic")).click();
    waitUntil(() -> driver.findElements(tiles).size() == 2);
    assertThat(driver.findElements(By.cssSelector(".tile[data-session='simulated']"))).hasSize(1);
    driver.findElement(By.id("synthetic")).click();
    waitUntil(() -> driver.findElements(tiles).size() == 1);
    pipeline.stop();
  }

  @Test
  @DisplayName("a fleet is grouped by project with the session nearest auto-compact first; its session, run and usage views draw")
  void fleet(Vertx vertx) throws Exception {
    PipelineHarness pipeline = PipelineHarness.start(vertx);
    for (Fixtures.Folder folder : Fixtures.folders()) {
      PushLoad.replay(pipeline, folder);
    }
    List<PushLoad.Session> generated = DashboardFleet.post(pipeline);
    pipeline.api(HttpMethod.POST, "/api/v1/sessions/" + DashboardFleet.CLOSED + "/close", 200);
    long sessions = pipeline.apiGet("/api/v1/sessions").getLong("total");
    assertThat(sessions).isEqualTo(Fixtures.folders().size() + generated.size());

    driver = chromium();
    open(pipeline, "/");
    waitUntil(() -> driver.findElements(By.cssSelector(".tile")).size() == sessions);
    // levels come from the checkpoint verticle, a moment after the data
    waitUntil(() -> !driver.findElements(By.cssSelector(".tile.level-critical")).isEmpty());
    JsonObject riskiest = pipeline.apiGet("/api/v1/sessions?sort=risk&limit=1").getJsonArray("items").getJsonObject(0);
    WebElement firstGroup = driver.findElement(By.cssSelector(".project"));
    assertThat(firstGroup.findElement(By.cssSelector(".name")).getText())
        .isEqualTo(riskiest.getString("project") == null ? "no project" : riskiest.getString("project"));
    assertThat(firstGroup.findElement(By.cssSelector(".tile")).getDomAttribute("data-session")).isEqualTo(riskiest.getString("sessionId"));
    assertThat(driver.findElements(By.cssSelector(".project .name"))).extracting(WebElement::getText)
        .contains("acme", "billing-api", "web-frontend", "data-pipeline", "no project");
    screenshot("dashboard-fleet.png");

    open(pipeline, "/#/session/" + DashboardFleet.NEAR_COMPACT);
    waitFor(By.cssSelector("#context-chart svg path"));
    waitUntil(() -> driver.findElements(By.xpath("//h2[text()='Recent events']/following-sibling::table//tr")).size() > 10);
    assertThat(driver.findElement(By.cssSelector(".session-head h1")).getText()).isEqualTo("refactor-ledger");
    screenshot("dashboard-session.png");

    open(pipeline, "/#/runs/" + DashboardFleet.RUN);
    waitUntil(() -> driver.findElements(By.cssSelector(".tree .node")).size() == 4);
    assertThat(driver.findElements(By.cssSelector(".tree .tree .node"))).hasSize(3);
    screenshot("dashboard-run.png");

    open(pipeline, "/#/usage");
    waitFor(By.cssSelector(".chart svg rect"));
    assertThat(driver.findElements(By.cssSelector(".heat .c[style*='background']"))).isNotEmpty();
    screenshot("dashboard-usage.png");
    pipeline.stop();
  }

  @Test
  @DisplayName("with 500 sessions the fleet view draws every tile and shows a burst of 100 updates")
  void fiveHundredSessions(Vertx vertx) throws Exception {
    PipelineHarness pipeline = PipelineHarness.start(vertx);
    Instant start = Instant.now().minusSeconds(600);
    List<PushLoad.Session> sessions = IntStream.range(0, 500).mapToObj(i -> new PushLoad.Session("fleet-" + i,
        "project-" + i % 12, "agent-" + i, "claude-sonnet-4-5", 20_000 + i * 250L, 2_000, start)).toList();
    postAll(pipeline, sessions, 0, 2);
    driver = chromium();
    long opened = System.nanoTime();
    open(pipeline, "/");
    waitUntil(() -> driver.findElements(By.cssSelector(".tile[data-requests='2']")).size() == 500);
    long drawn = System.nanoTime();

    postAll(pipeline, sessions.subList(0, 100), 2, 1);
    long answered = System.nanoTime();
    waitUntil(() -> driver.findElements(By.cssSelector(".tile[data-requests='3']")).size() == 100);
    long shown = System.nanoTime();
    assertThat(driver.findElements(By.cssSelector(".tile"))).hasSize(500);
    assertThat(driver.findElements(By.cssSelector(".project"))).hasSize(12);
    System.out.printf("dashboard: 500 tiles drawn %d ms after opening the page; 100 updates shown %d ms after their last 200%n",
        TimeUnit.NANOSECONDS.toMillis(drawn - opened), TimeUnit.NANOSECONDS.toMillis(shown - answered));
    screenshot("dashboard-500.png");
    pipeline.stop();
  }

  /** One request of {@code count} turns from turn {@code first} for every session, all at once. */
  private static void postAll(PipelineHarness pipeline, List<PushLoad.Session> sessions, int first, int count) throws Exception {
    List<Future<PipelineHarness.Response>> posts = sessions.stream()
        .map(s -> pipeline.post("/v1/logs", PushLoad.PROTOBUF, PushLoad.turns(s, first, count), Map.of())).toList();
    PipelineHarness.await(Future.all(posts));
    assertThat(posts).allSatisfy(post -> assertThat(post.result().status()).isEqualTo(200));
  }

  /** Headless Chromium with a fresh profile; fails, rather than skips, when the browser is not installed. */
  private static WebDriver chromium() throws Exception {
    for (String binary : List.of(CHROMIUM, CHROMEDRIVER)) {
      assertThat(Path.of(binary)).as("%s is missing: install Debian's chromium and chromium-driver"
          + " (apt-get install chromium chromium-driver; .ci/run does)", binary).isExecutable();
    }
    System.setProperty("webdriver.chrome.driver", CHROMEDRIVER);
    Path profile = Files.createTempDirectory("contextwatch-chromium");
    ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM).addArguments("--headless=new", "--no-sandbox",
        "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--user-data-dir=" + profile, "--window-size=1600,1300");
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER)).build();
    return new ChromeDriver(service, options);
  }

  private void open(PipelineHarness pipeline, String path) {
    driver.get("http://127.0.0.1:" + pipeline.apiPort() + path);
    waitUntil(() -> "live".equals(driver.findElement(By.id("connection")).getDomAttribute("data-state")));
  }

  private WebElement waitFor(By selector) {
    return new WebDriverWait(driver, WAIT).until(d -> d.findElement(selector));
  }

  private void waitUntil(BooleanSupplier condition) {
    new WebDriverWait(driver, WAIT).until(d -> condition.getAsBoolean());
  }

  private void screenshot(String name) throws Exception {
    Files.createDirectories(SHOTS);
    Files.write(SHOTS.resolve(name), ((ChromeDriver) driver).getScreenshotAs(OutputType.BYTES));
  }
}
