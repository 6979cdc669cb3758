package dev.contextwatch.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.testkit.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The fence of cluster mode: while ownership moves, two nodes may apply one session at the same
 * time, each from the state it holds. Two pipelines on two Vert.x instances (no cluster needed)
 * share one database, each with its own processor and persistence, and are fed the same sessions
 * interleaved and at once, with duplicates and retries landing on either node. The session row's
 * version, checked in the commit, must make the later node compute again from what the other
 * stored: every session's totals equal its rows, and nothing is lost or counted twice.
 */
@ExtendWith(VertxExtension.class)
class OwnershipFenceTest {
  private static final String[] SESSIONS = {"fence-a", "fence-b", "fence-c"};
  private static final int ROUNDS = 12;
  private static final int REQUESTS_PER_ROUND = 12;

  @Test
  @DisplayName("two nodes applying the same sessions at once, with duplicates and retries on either: totals equal rows, nothing lost or counted twice")
  void twoOwnersOfOneSession(Vertx vertx) throws Exception {
    long seed = Long.getLong("fence.seed", System.nanoTime());
    String context = "seed " + seed + " (replay with -Dfence.seed=" + seed + ")";
    System.out.println("OwnershipFenceTest " + context);
    Random random = new Random(seed);
    String url = TestDatabase.newDatabase();
    Vertx otherVertx = Vertx.vertx();
    PipelineHarness first = PipelineHarness.start(vertx, url, UnaryOperator.identity());
    PipelineHarness second = null;
    try {
      second = PipelineHarness.start(otherVertx, url, UnaryOperator.identity());
      List<PipelineHarness> nodes = List.of(first, second);
      Sessions sessions = new Sessions();
      for (int round = 0; round < ROUNDS; round++) {
        List<Future<Void>> inFlight = new ArrayList<>();
        for (int i = 0; i < REQUESTS_PER_ROUND; i++) {
          Request request = random.nextInt(4) == 0 && !sessions.sent.isEmpty()
              ? sessions.sent.get(random.nextInt(sessions.sent.size())) : sessions.fresh(random);
          inFlight.add(stored(nodes, random.nextInt(2), request, System.nanoTime() + TimeUnit.SECONDS.toNanos(60)));
          if (random.nextInt(4) == 0) {
            inFlight.add(stored(nodes, random.nextInt(2), request, System.nanoTime() + TimeUnit.SECONDS.toNanos(60)));
          }
        }
        PipelineHarness.await(Future.all(inFlight));
      }

      assertThat(StoredTotals.assertEqualRows(url, context)).isEqualTo(SESSIONS.length);
      for (int s = 0; s < SESSIONS.length; s++) {
        String what = context + ", " + SESSIONS[s];
        assertThat(first.count("select count(*) from events where session_id = '" + SESSIONS[s] + "'"))
            .as("%s: api_request events stored once each", what).isEqualTo(sessions.nextSequence[s]);
        JsonObject summary = new JsonObject(first.query("select summary::text from sessions where session_id = '" + SESSIONS[s] + "'"));
        assertThat(summary.getJsonObject("totals").getLong("apiRequests")).as("%s: apiRequests", what)
            .isEqualTo(sessions.nextSequence[s]);
        assertThat(summary.getJsonObject("metrics").getDouble("inputTokens", 0.0))
            .as("%s: the cumulative input tokens' deltas add up to the last total, not more", what)
            .isEqualTo(sessions.cumulative[s]);
      }
    } finally {
      try {
        if (second != null) {
          second.stop();
        }
        first.stop();
      } finally {
        otherVertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
    }
  }

  /** A request stored as an exporter sees it: sent until answered 200, each retry to either node, until a deadline. */
  private static Future<Void> stored(List<PipelineHarness> nodes, int node, Request request, long deadline) {
    return nodes.get(node).post(request.path(), OtlpRequests.PROTOBUF, request.body(), Map.of()).compose(response -> {
      if (response.status() == 200) {
        return Future.succeededFuture();
      }
      if (response.status() == 503 || response.status() == 429) {
        if (System.nanoTime() < deadline) {
          return stored(nodes, 1 - node, request, deadline);
        }
      }
      return Future.failedFuture(new AssertionError(request.path() + " answered " + response.status() + ": " + response.body()));
    });
  }

  private record Request(String path, Buffer body) {}

  /** What each session was sent so far: its next event sequence and its cumulative input tokens. */
  private static final class Sessions {
    final List<Request> sent = new ArrayList<>();
    final long[] nextSequence = new long[SESSIONS.length];
    final double[] cumulative = new double[SESSIONS.length];
    final long[] second = new long[SESSIONS.length];

    Request fresh(Random random) {
      int s = random.nextInt(SESSIONS.length);
      Request request;
      if (random.nextInt(3) == 0) {
        cumulative[s] += 1 + random.nextInt(5_000);
        request = new Request("/v1/metrics", OtlpRequests.cumulativeInputTokens(SESSIONS[s], ++second[s], cumulative[s]));
      } else {
        int count = 1 + random.nextInt(3);
        request = new Request("/v1/logs", OtlpRequests.apiRequests(SESSIONS[s], nextSequence[s], count));
        nextSequence[s] += count;
      }
      sent.add(request);
      return request;
    }
  }
}
