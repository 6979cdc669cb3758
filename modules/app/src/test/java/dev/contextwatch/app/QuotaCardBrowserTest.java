package dev.contextwatch.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.VertxExtension;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/** The usage view's quota card, in a real browser; its screenshot goes to target/screenshots. */
@ExtendWith(VertxExtension.class)
class QuotaCardBrowserTest {
  /** OtlpRequests' first record time, in epoch seconds. */
  private static final long T0 = 1_795_411_735L;

  @Test
  @DisplayName("the usage view's quota card shows each user's 5-hour and 7-day use with reset, burn rate and when the limit is hit; a user without plan limits says so")
  void quotaCard(Vertx vertx) throws Exception {
    PipelineHarness pipeline = PipelineHarness.start(vertx);
    try (Browser browser = Browser.start()) {
      long now = Instant.now().getEpochSecond();
      long resetsAt = now + 3 * 3600;
      long sequence = now - T0; // the records' times are OtlpRequests' start plus their sequence in seconds: now
      send(pipeline, OtlpRequests.mainRequest("quota-1", sequence - 1801, 60_000));
      send(pipeline, OtlpRequests.statusLine("quota-1", "alice@example.com", sequence - 1800, 200_000, 30, 62, resetsAt));
      send(pipeline, OtlpRequests.statusLine("quota-1", "alice@example.com", sequence, 200_000, 31, 72, resetsAt));
      send(pipeline, OtlpRequests.statusLine("quota-2", "bob@example.com", sequence, 200_000, 10, -1, 0));
      pipeline.awaitCount("select count(*) from sessions where summary -> 'statusLine' is not null", 2);

      browser.open(pipeline, "/#/usage");
      browser.waitFor(By.cssSelector(".quota tr[data-user='bob@example.com']"));
      WebElement alice = browser.driver.findElement(By.cssSelector(".quota tr[data-user='alice@example.com']"));
      assertThat(alice.getText()).contains("72.0%").contains("36.0%").contains("burn 20.0%/h").contains("acme")
          .contains("limit ");
      assertThat(alice.findElements(By.cssSelector(".gauge .fill.hot"))).as("72 % is not hot yet, 5h gauge plain").isEmpty();
      WebElement bob = browser.driver.findElement(By.cssSelector(".quota tr[data-user='bob@example.com']"));
      assertThat(bob.getText()).contains("no plan limit");
      browser.screenshot("dashboard-quota.png");
    } finally {
      pipeline.stop();
    }
  }

  private static void send(PipelineHarness pipeline, Buffer body) throws Exception {
    assertThat(pipeline.postAndWait("/v1/logs", OtlpRequests.PROTOBUF, body, Map.of()).status()).isEqualTo(200);
  }
}
