package dev.contextwatch.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Headless Chromium on the dashboard (Debian's chromium and chromedriver; .ci/run installs them),
 * with a fresh profile. Screenshots go to target/screenshots, or to docs/screenshots when the
 * tests run with {@code -Ddocs.screenshots=true} (that is how the documentation's pictures are
 * made). Fails, rather than skips, when the browser is not installed.
 */
final class Browser implements AutoCloseable {
  private static final String CHROMIUM = "/usr/bin/chromium";
  private static final String CHROMEDRIVER = "/usr/bin/chromedriver";
  /** The documentation's screenshots, from the module's directory (where the tests run). */
  private static final Path DOCS = Path.of("..", "..", "docs", "screenshots");
  private static final Path TARGET = Path.of("target", "screenshots");
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final long MAX_SHOT_HEIGHT = 2400;

  final WebDriver driver;

  private Browser(WebDriver driver) {
    this.driver = driver;
  }

  static Browser start() throws Exception {
    return start(1600, 1300);
  }

  static Browser start(int width, int height) throws Exception {
    for (String binary : List.of(CHROMIUM, CHROMEDRIVER)) {
      assertThat(Path.of(binary)).as("%s is missing: install Debian's chromium and chromium-driver"
          + " (apt-get install chromium chromium-driver; .ci/run does)", binary).isExecutable();
    }
    System.setProperty("webdriver.chrome.driver", CHROMEDRIVER);
    Path profile = Files.createTempDirectory("contextwatch-chromium");
    ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM).addArguments("--headless=new", "--no-sandbox",
        "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--hide-scrollbars", "--user-data-dir=" + profile,
        "--window-size=" + width + "," + height);
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER)).build();
    return new Browser(new ChromeDriver(service, options));
  }

  /** Opens the dashboard at {@code path} and waits until it says it is live: sessions drawn and the feed subscribed. */
  void open(PipelineHarness pipeline, String path) {
    driver.get("http://127.0.0.1:" + pipeline.apiPort() + path);
    waitUntil(() -> "live".equals(driver.findElement(By.id("connection")).getDomAttribute("data-state")));
  }

  WebElement waitFor(By selector) {
    return waiting().until(d -> d.findElement(selector));
  }

  /** The text of the element {@code selector} finds, found again if a redraw replaced it meanwhile. */
  String textOf(By selector) {
    return textOf(selector, text -> true);
  }

  /** The text of the element {@code selector} finds once it satisfies {@code ready}, looking again across redraws. */
  String textOf(By selector, Predicate<String> ready) {
    return waiting().until(d -> {
      String text = d.findElement(selector).getText();
      return ready.test(text) ? text : null;
    });
  }

  void waitUntil(BooleanSupplier condition) {
    waiting().until(d -> condition.getAsBoolean());
  }

  /** Views redraw with every change: an element found a moment ago may be gone, so look again. */
  private WebDriverWait waiting() {
    WebDriverWait wait = new WebDriverWait(driver, WAIT);
    wait.ignoring(StaleElementReferenceException.class);
    return wait;
  }

  Object script(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  /** Runs {@code script}, which calls its last argument with its result, and returns that result. */
  Object asyncScript(String script, Object... args) {
    driver.manage().timeouts().scriptTimeout(WAIT);
    return ((JavascriptExecutor) driver).executeAsyncScript(script, args);
  }

  /** The page, below the window too (up to {@link #MAX_SHOT_HEIGHT} pixels), into the screenshot directory; returns the file. */
  Path screenshot(String name) throws Exception {
    Path dir = Boolean.getBoolean("docs.screenshots") ? DOCS : TARGET;
    Files.createDirectories(dir);
    Path file = dir.resolve(name);
    long width = ((Number) script("return document.documentElement.clientWidth")).longValue();
    long height = Math.min(MAX_SHOT_HEIGHT, ((Number) script("return document.documentElement.scrollHeight")).longValue());
    Map<String, Object> shot = ((ChromeDriver) driver).executeCdpCommand("Page.captureScreenshot", Map.of("captureBeyondViewport", true,
        "clip", Map.of("x", 0, "y", 0, "width", width, "height", height, "scale", 1)));
    Files.write(file, Base64.getDecoder().decode((String) shot.get("data")));
    return file;
  }

  @Override
  public void close() {
    driver.quit();
  }
}
