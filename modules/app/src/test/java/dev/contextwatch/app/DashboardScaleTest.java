package dev.contextwatch.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

/**
 * The fleet view with a thousand and ten thousand sessions ({@link ScaleFleet}), in headless
 * Chromium: it counts every session, adds up every total, draws the riskiest tiles of each
 * project, and follows live updates. It prints what docs/performance.md reports: the time from
 * opening the page to the first full render (the browser's own mark, {@code contextwatch:first-render},
 * from navigation start) and the size of the fleet's tiles as sent; and, in the same browser on the
 * same fleet, how long the tiles take to arrive and parse against the snapshot of whole summaries
 * over the feed that the dashboard used to wait for. It asserts no time.
 */
@ExtendWith(VertxExtension.class)
class DashboardScaleTest {

  @Test
  @DisplayName("with 1,000 sessions the fleet view counts them all, shows their totals and draws the riskiest tiles of each project")
  void thousand(Vertx vertx) throws Exception {
    fleetOf(vertx, 1_000, "fleet-1k.png");
  }

  @Test
  @DisplayName("with 10,000 sessions the fleet view counts them all, shows their totals and draws the riskiest tiles of each project")
  void tenThousand(Vertx vertx) throws Exception {
    fleetOf(vertx, 10_000, "fleet-10k.png");
  }

  private static void fleetOf(Vertx vertx, int size, String screenshot) throws Exception {
    PipelineHarness pipeline = PipelineHarness.start(vertx);
    try (Browser browser = Browser.start()) {
      List<String> posted = ScaleFleet.seed(pipeline, size);
      assertThat(pipeline.count("select count(*) from sessions")).isEqualTo(size);
      long tokens = pipeline.count("select sum(input_tokens + output_tokens + cache_read_tokens + cache_creation_tokens) from sessions");
      BigDecimal cost = BigDecimal.valueOf(pipeline.count("select sum((summary->'totals'->>'costMicros')::bigint) from sessions"), 6);
      PipelineHarness.Response tiles = PipelineHarness.await(pipeline.apiRequest(HttpMethod.GET, "/api/v1/fleet", Buffer.buffer()));
      JsonObject fleet = tiles.body().toJsonObject();
      assertThat(fleet.getJsonArray("sessions")).hasSize(size);
      assertThat(fleet.getBoolean("truncated")).isFalse();

      browser.open(pipeline, "/");
      WebDriver driver = browser.driver;
      double firstRender = ((Number) browser.script(
          "return performance.getEntriesByName('contextwatch:first-render')[0].startTime")).doubleValue();
      WebElement count = driver.findElement(By.id("fleet-count"));
      assertThat(count.getDomAttribute("data-total")).isEqualTo(Integer.toString(size));
      assertThat(kpi(driver, "sessions")).isEqualTo(Integer.toString(size));
      assertThat(kpi(driver, "tokens")).isEqualTo(Long.toString(tokens));
      // costs are added in micro-dollars: the total is exact, without float noise
      assertThat(new BigDecimal(kpi(driver, "cost"))).isEqualByComparingTo(cost);
      assertThat(driver.findElement(By.cssSelector("[data-kpi='sessions']")).getText()).contains(String.format("%,d", size));
      List<WebElement> groups = driver.findElements(By.cssSelector(".project"));
      assertThat(groups).hasSize(ScaleFleet.PROJECTS + 3);
      assertThat(groups.stream().mapToInt(g -> Integer.parseInt(g.getDomAttribute("data-sessions"))).sum()).isEqualTo(size);
      int shown = driver.findElements(By.cssSelector(".tile")).size();
      assertThat(count.getDomAttribute("data-shown")).isEqualTo(Integer.toString(shown));
      assertThat(shown).isPositive().isLessThanOrEqualTo(20 * 2 * 5);

      // "show more" draws the next tiles of a group that has more than it shows
      WebElement crowded = groups.stream().filter(g -> !g.getDomAttribute("data-sessions").equals(g.getDomAttribute("data-shown")))
          .findFirst().orElseThrow();
      int before = crowded.findElements(By.cssSelector(".tile")).size();
      crowded.findElement(By.cssSelector(".more button")).click();
      browser.waitUntil(() -> crowded.findElements(By.cssSelector(".tile")).size() > before);

      // a session that is drawn follows its updates live
      String live = posted.get(0);
      WebElement tile = driver.findElement(By.cssSelector(".tile[data-session='" + live + "']"));
      String requests = tile.getDomAttribute("data-requests");
      PushLoad.post(pipeline, new PushLoad.Session(live, "billing-api", "refactor-ledger", "claude-sonnet-4-5", 30_000, 6_500,
          Instant.now().minusSeconds(26 * 20 + 30)), 26, 1);
      browser.waitUntil(() -> !requests.equals(tile.getDomAttribute("data-requests")));

      System.out.printf("dashboard at %,d sessions: first full render %.0f ms after navigation start; /api/v1/fleet %,d bytes"
              + " (%,d gzip-compressed as the browser gets it); %d tiles drawn%n", size, firstRender, tiles.body().length(),
          gzipped(pipeline), shown);
      System.out.printf("dashboard at %,d sessions, read in the browser: %s; %s%n", size, browser.asyncScript(FLEET_READ),
          browser.asyncScript(FULL_SNAPSHOT_READ));
      browser.screenshot(screenshot);
    } finally {
      pipeline.stop();
    }
  }

  /** The tiles as the dashboard reads them, fetched and parsed three times: the time of each. */
  private static final String FLEET_READ = """
      const done = arguments[arguments.length - 1];
      (async () => {
        const times = [];
        let fleet;
        for (let i = 0; i < 3; i++) {
          const start = performance.now();
          fleet = await (await fetch('/api/v1/fleet')).json();
          times.push(Math.round(performance.now() - start));
        }
        done(`tiles over GET /api/v1/fleet ${times.join(', ')} ms (${fleet.sessions.length} sessions)`);
      })();
      """;

  /** The snapshot of whole summaries over the feed, as the dashboard read the fleet before it had tiles: received and parsed. */
  private static final String FULL_SNAPSHOT_READ = """
      const done = arguments[arguments.length - 1];
      const start = performance.now();
      const socket = new WebSocket(`ws://${location.host}/v1/stream`);
      socket.onopen = () => socket.send(JSON.stringify({ op: 'subscribe', filter: {}, summary: 'full' }));
      socket.onmessage = message => {
        const frame = JSON.parse(message.data);
        if (frame.type !== 'snapshot') return;
        socket.close();
        done(`whole summaries in the feed's snapshot ${Math.round(performance.now() - start)} ms (${frame.sessions.length}`
          + ` of ${frame.total} sessions, ${message.data.length} characters)`);
      };
      """;

  private static String kpi(WebDriver driver, String name) {
    return driver.findElement(By.cssSelector("[data-kpi='" + name + "']")).getDomAttribute("data-value");
  }

  /** The size of /api/v1/fleet's body when the client accepts gzip, as browsers do. */
  private static int gzipped(PipelineHarness pipeline) throws Exception {
    PipelineHarness.Response response = PipelineHarness.await(pipeline.apiRequest(HttpMethod.GET, "/api/v1/fleet", Buffer.buffer(),
        Map.of("Accept-Encoding", "gzip")));
    assertThat(response.headers().get("Content-Encoding")).isEqualTo("gzip");
    return response.body().length();
  }
}
