package dev.contextwatch.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.loadtest.SimSession.EventTotals;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The account of a run, driven through the ledger and the counters as the dispatcher and the
 * sender drive them: seven export requests, two copies sent on purpose, a retry, a refusal, a
 * request given up after its attempt and one before it.
 */
class AccountTest {
  private Options options;
  private SimSession session;
  private Ledger ledger;
  private final Stats stats = new Stats();

  @BeforeEach
  void fleet() {
    options = Options.parse("--sessions", "1", "--duration", "5s");
    List<SimSession> fleet = new Simulator(options).fleet(0);
    session = fleet.get(0);
    ledger = new Ledger(fleet);
  }

  /**
   * r1 10 events acknowledged while sending; r2 7 points acknowledged, and so is its copy; r3 5
   * events acknowledged on the second attempt; r4 4 events abandoned after one attempt; r5 3
   * events abandoned but its copy acknowledged; r6 2 points refused; r7 6 events given up before
   * an attempt.
   */
  private void run() {
    Request r1 = exported(events(0, 10));
    Request r2 = exported(points(1_000, 7));
    Request r3 = exported(events(10, 5));
    Request r4 = exported(events(15, 4));
    Request r5 = exported(events(19, 3));
    Request r6 = exported(points(2_000, 2));
    Request r7 = exported(events(22, 6));
    settle(r1, Sender.Outcome.ACKNOWLEDGED, "200");
    Request d2 = copy(r2);
    settle(r2, Sender.Outcome.ACKNOWLEDGED, "200");
    settle(d2, Sender.Outcome.ACKNOWLEDGED, "200");
    stats.attempt("503", 1_000);
    stats.retry();
    settle(r3, Sender.Outcome.ACKNOWLEDGED, "200");
    settle(r4, Sender.Outcome.ABANDONED, "timeout");
    Request d5 = copy(r5);
    settle(r5, Sender.Outcome.ABANDONED, "connection-error");
    settle(d5, Sender.Outcome.ACKNOWLEDGED, "200");
    settle(r6, Sender.Outcome.REFUSED, "400");
    stats.abandonedBeforeAttempt();
    stats.outcome(Sender.Outcome.ABANDONED);
    ledger.inDoubt(r7);
  }

  @Test
  @DisplayName("requests and records add up: every request settled once, every record acknowledged once or in doubt, attempts = started + retries")
  void addsUp() {
    run();
    Account account = Account.of(stats, ledger, Result.WarmUp.NONE, 10, verification(18, 7));

    Account.Requests q = account.requests;
    assertThat(q.exports()).isEqualTo(7);
    assertThat(q.logs()).isEqualTo(5);
    assertThat(q.metrics()).isEqualTo(2);
    assertThat(q.duplicatesSent()).isEqualTo(2);
    assertThat(q.toSettle()).isEqualTo(9);
    assertThat(q.acknowledged()).isEqualTo(5);
    assertThat(q.refused()).isEqualTo(1);
    assertThat(q.abandoned()).isEqualTo(3);
    assertThat(q.unsettled()).isZero();
    assertThat(q.attempts()).isEqualTo(9).isEqualTo(q.expectedAttempts());
    Account.Records r = account.records;
    assertThat(r.sent().events).isEqualTo(28);
    assertThat(r.sent().points).isEqualTo(9);
    assertThat(r.acknowledged().events).as("r1 + r3 + r5 through its copy").isEqualTo(18);
    assertThat(r.acknowledged().points).as("r2 once, though its copy was acknowledged too").isEqualTo(7);
    assertThat(r.acknowledgedInFinalFlush()).isEqualTo(15);
    assertThat(r.inDoubt().events).as("r4 and r7").isEqualTo(10);
    assertThat(r.inDoubt().points).as("r6").isEqualTo(2);
    assertThat(r.unsettled()).isZero();
    assertThat(r.acknowledged().records() + r.inDoubt().records()).isEqualTo(r.sent().records());
    assertThat(account.inconsistencies()).isEmpty();
  }

  @Test
  @DisplayName("the console, result.json and report.html show the same account, each number labelled")
  void oneAccountEverywhere() {
    run();
    Result result = result(Account.of(stats, ledger, Result.WarmUp.NONE, 10, verification(18, 7)));
    String console = Report.console(result);
    JsonObject json = result.toJson();
    String html = Report.html(result);

    for (String line : List.of(
        "7 exports made by the sessions (5 logs, 2 metrics) + 2 duplicates sent on purpose = 9; 5 acknowledged, 1 refused (4xx), "
            + "3 abandoned, 0 unsettled",
        "9 = 8 requests started + 1 retries",
        "37 = 28 events + 9 metric points (each once: copies sent on purpose are not counted again)",
        "25 = 18 events + 7 metric points; 10 while sending + 15 in the final flush",
        "12 in doubt (their requests were never acknowledged), 0 unsettled",
        "by database: events 18 expected, 18 stored; metric points 7 expected, 7 stored")) {
      assertThat(console).contains(line);
      assertThat(html).contains(line);
    }
    JsonObject account = json.getJsonObject("account");
    assertThat(account.getJsonObject("requests").getLong("toSettle")).isEqualTo(9);
    assertThat(account.getJsonObject("requests").getLong("duplicatesSentOnPurpose")).isEqualTo(2);
    assertThat(account.getJsonObject("records").getJsonObject("sent").getLong("records")).isEqualTo(37);
    assertThat(account.getJsonObject("records").getJsonObject("acknowledged").getLong("records")).isEqualTo(25);
    assertThat(account.getJsonObject("records").getJsonObject("acknowledged").getLong("whileSending")).isEqualTo(10);
    assertThat(account.getJsonObject("records").getJsonObject("inDoubt").getLong("records")).isEqualTo(12);
    assertThat(json.getJsonObject("verification").getJsonObject("events").getLong("expected")).isEqualTo(18);
    assertThat(json.getJsonObject("load").getLong("recordsAcknowledgedWhileSending")).isEqualTo(10);
    assertThat(account.getJsonArray("inconsistencies")).isEmpty();
  }

  @Test
  @DisplayName("a verifier that expects other counts than the acknowledgements is named, not passed over")
  void mismatchNamed() {
    run();
    Result result = result(Account.of(stats, ledger, Result.WarmUp.NONE, 10, verification(19, 7)));
    assertThat(result.account.inconsistencies()).singleElement().asString()
        .contains("the verifier expected 19 events and 7 metric points, the acknowledgements counted 18 and 7");
    assertThat(Report.console(result)).contains("does not add up");
  }

  private Request exported(Request.Contribution contribution) {
    String path = contribution instanceof Request.Events ? Exports.LOGS : Exports.METRICS;
    Request request = new Request(session, path, Buffer.buffer(), contribution);
    ledger.sent(request);
    stats.exported(request);
    return request;
  }

  private Request copy(Request original) {
    stats.duplicateSent();
    return original.duplicate();
  }

  /** One more attempt answered {@code answer}, and the request's outcome, as the dispatcher settles it. */
  private void settle(Request request, Sender.Outcome outcome, String answer) {
    stats.attempt(answer, 1_000);
    stats.outcome(outcome);
    if (outcome == Sender.Outcome.ACKNOWLEDGED) {
      ledger.acknowledged(request);
    } else {
      ledger.inDoubt(request);
    }
  }

  private static Request.Events events(long first, int count) {
    return new Request.Events(first, count, new EventTotals());
  }

  private static Request.Points points(long time, int count) {
    return new Request.Points(time, count, List.of());
  }

  private Verifier.Verification verification(long events, long points) {
    return new Verifier.Verification("database", events, events, points, points, 0, 0, 0, 1, 0, 0, List.of());
  }

  private Result result(Account account) {
    return new Result(options, "a test", Instant.EPOCH, new Result.Load(10, 2, 5.0), stats, account, 0, 0, 0, 0, null, null);
  }
}
