package dev.contextwatch.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several --otlp URLs, of which only one reaches a pipeline: one refuses connections (a node that
 * is gone), one answers 503 to everything (a node that is not ready). The sessions of those
 * nodes fail over to the live one; since a failed-over request is the same request, the ledger
 * stays exact and nothing is lost or stored twice.
 */
class FailoverRunTest {
  @TempDir
  Path out;

  @Test
  @DisplayName("requests of sessions whose node refuses connections or answers 503 go to the next node and are all stored once")
  void sessionsOfAGoneNodeFailOver() throws Exception {
    HttpServer unavailable = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    unavailable.createContext("/", exchange -> {
      exchange.getRequestBody().readAllBytes();
      exchange.sendResponseHeaders(503, -1);
      exchange.close();
    });
    unavailable.start();
    URI gone = URI.create("http://127.0.0.1:" + EmbeddedTarget.freePort());
    URI notReady = URI.create("http://127.0.0.1:" + unavailable.getAddress().getPort());
    Options embedded = Options.parse("--embedded", "--out", out.toString());
    EmbeddedTarget pipeline = EmbeddedTarget.start(embedded);
    try {
      URI live = pipeline.otlp().get(0);
      List<URI> otlp = List.of(gone, notReady, live);
      Options options = Options.parse("--otlp", Target.urls(otlp), "--api", Target.urls(pipeline.api()), "--mode", "saturation",
          "--sessions", "12", "--duration", "3s", "--batch-records", "20", "--subscribers", "1", "--out", out.toString(),
          "--history", out.resolve("history.jsonl").toString());
      Result result = new LoadTest(options, new Target.Running(otlp, pipeline.api(), pipeline.databaseUrl())).run();

      Verifier.Verification v = result.verification;
      assertThat(v.lost()).as("lost").isZero();
      assertThat(v.duplicated()).as("duplicated").isZero();
      assertThat(v.totalsMismatched()).as("sessions whose totals differ: %s", v.examples()).isZero();
      assertThat(v.sessionsInDoubt()).as("every request was acknowledged in the end").isZero();
      assertThat(v.sessionsChecked()).isEqualTo(12);
      assertThat(result.passed()).isTrue();
      assertThat(result.nodeLoads).extracting(Sender.NodeLoad::otlp).containsExactly(gone, notReady, live);
      assertThat(result.nodeLoads.get(0).acknowledged()).isZero();
      assertThat(result.nodeLoads.get(0).failovers()).as("failovers from the node that is gone").isPositive();
      assertThat(result.nodeLoads.get(1).acknowledged()).isZero();
      assertThat(result.nodeLoads.get(1).failovers()).as("failovers from the node that answers 503").isPositive();
      assertThat(result.nodeLoads.get(2).acknowledged()).isEqualTo(result.stats.acknowledged());
      assertThat(Report.console(result)).contains("failovers");
    } finally {
      pipeline.close();
      unavailable.stop(0);
    }
  }
}
