package dev.contextwatch.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.core.config.Budget;
import dev.contextwatch.testkit.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.VertxExtension;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/** The usage view's budget card, in a real browser; its screenshot goes to target/screenshots. */
@ExtendWith(VertxExtension.class)
class BudgetCardBrowserTest {
  /** OtlpRequests' first record time, in epoch seconds. */
  private static final long T0 = 1_795_411_735L;

  @Test
  @DisplayName("the usage view's budget card shows each budget's limit and its use today, hot once warned; a budget without use says so")
  void budgetCard(Vertx vertx) throws Exception {
    List<Budget> budgets = List.of(new Budget("acme-daily", Budget.Period.DAY, 1_000_000L, null, "acme", false, null, 80, ZoneOffset.UTC),
        new Budget("other-monthly", Budget.Period.MONTH, null, 5_000L, "other", false, null, 80, ZoneOffset.UTC));
    PipelineHarness pipeline = PipelineHarness.start(vertx, TestDatabase.newDatabase(), config -> config.withCheckpoints(
        config.checkpoints().withBudgets(budgets)));
    try (Browser browser = Browser.start()) {
      long sequence = Instant.now().getEpochSecond() - T0; // the records' times are OtlpRequests' start plus their sequence: now
      send(pipeline, OtlpRequests.pricedRequest("card-1", sequence - 1, 0.50));
      send(pipeline, OtlpRequests.pricedRequest("card-1", sequence, 0.35));
      pipeline.awaitCount("select cost_micros from budget_use where subject = 'acme'", 850_000);

      browser.open(pipeline, "/#/usage");
      browser.waitFor(By.cssSelector(".budgets tr[data-budget='other-monthly']"));
      WebElement daily = browser.driver.findElement(By.cssSelector(".budgets tr[data-budget='acme-daily']"));
      assertThat(daily.getText()).contains("85.0%").contains("acme: $0.85").contains("$1.00");
      assertThat(daily.findElements(By.cssSelector(".gauge .fill.hot"))).as("85 % passed the 80 % warning").hasSize(1);
      assertThat(browser.driver.findElement(By.cssSelector(".budgets tr[data-budget='other-monthly']")).getText())
          .contains("no use yet").contains("5k tokens");
      browser.screenshot("dashboard-budgets.png");
    } finally {
      pipeline.stop();
    }
  }

  private static void send(PipelineHarness pipeline, Buffer body) throws Exception {
    assertThat(pipeline.postAndWait("/v1/logs", OtlpRequests.PROTOBUF, body, Map.of()).status()).isEqualTo(200);
  }
}
