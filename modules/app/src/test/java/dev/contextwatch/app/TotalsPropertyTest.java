package dev.contextwatch.app;

import static dev.contextwatch.telemetry.Otlp.integer;
import static dev.contextwatch.telemetry.Otlp.real;
import static dev.contextwatch.telemetry.Otlp.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.telemetry.ClaudeCode;
import dev.contextwatch.telemetry.EventHeader;
import dev.contextwatch.telemetry.Otlp;
import dev.contextwatch.testkit.TestDatabase;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.resource.v1.Resource;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.VertxExtension;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Totals equal rows, whatever happens: seeded random interleavings of new requests, duplicates,
 * concurrent copies, retries, commits that land after their request was answered 503, restarts of
 * the pipeline, and a dedup cache of two keys. After every restart and at the end of each run,
 * every session's totals must equal what its stored rows add up to. The seed is printed and named
 * in every failure; {@code -Dtotals.seed=N} replays one.
 */
@ExtendWith(VertxExtension.class)
class TotalsPropertyTest {
  private static final int RUNS = 3;
  private static final int STEPS = 45;
  private static final String[] SESSIONS = {"prop-a", "prop-b", "prop-c"};
  private static final String[] TOOLS = {"Bash", "Read", "Edit", "Grep", "mcp__github__search"};
  private static final long T0 = 1_795_411_735_000_000_000L;
  private static final Resource RESOURCE = Resource.newBuilder().addAttributes(text("service.name", ClaudeCode.SERVICE_NAME)).build();

  @Test
  @DisplayName("under random duplicates, retries, late commits, restarts and a tiny dedup cache, every session's totals equal its stored rows")
  void totalsEqualRows(Vertx vertx) throws Exception {
    long seed = Long.getLong("totals.seed", System.nanoTime());
    System.out.println("TotalsPropertyTest seed=" + seed + " (replay with -Dtotals.seed=" + seed + ")");
    Random seeds = new Random(seed);
    for (int run = 0; run < RUNS; run++) {
      new Run(vertx, seed, run, new Random(seeds.nextLong())).play();
    }
  }

  /** One run on a fresh database: a random sequence of steps, the invariant checked along the way. */
  private static final class Run {
    private final Vertx vertx;
    private final String context;
    private final Random random;
    private final String url = TestDatabase.newDatabase();
    /** Every request built so far, with its path, so any of them can be sent again. */
    private final List<Request> sent = new ArrayList<>();
    private final long[] nextSequence = new long[SESSIONS.length];
    private final double[] cumulativeInput = new double[SESSIONS.length];
    private PipelineHarness pipeline;

    Run(Vertx vertx, long seed, int run, Random random) {
      this.vertx = vertx;
      this.context = "seed " + seed + ", run " + run;
      this.random = random;
    }

    void play() throws Exception {
      pipeline = PipelineHarness.start(vertx, url, config -> config.withSessions(config.sessions()
          .withDedupCacheRecords(2).withProcessorStoreTimeoutMs(300)));
      try {
        for (int step = 0; step < STEPS; step++) {
          step(step);
        }
        StoredTotals.assertEqualRows(url, context + ", at the end");
        assertThat(pipeline.count("select count(*) from sessions")).as(context).isEqualTo(SESSIONS.length);
      } finally {
        pipeline.stop();
      }
    }

    private void step(int step) throws Exception {
      int dice = step < SESSIONS.length ? 0 : random.nextInt(100);
      String what = context + ", step " + step;
      if (dice < 40) {
        expectStored(fresh(step < SESSIONS.length ? step : random.nextInt(SESSIONS.length)), what + ": new request");
      } else if (dice < 65) {
        expectStored(any(), what + ": retry of an earlier request");
      } else if (dice < 80) {
        Request copy = random.nextBoolean() ? fresh(random.nextInt(SESSIONS.length)) : any();
        List<Future<PipelineHarness.Response>> both = List.of(post(copy), post(copy));
        PipelineHarness.await(Future.join(both));
        for (Future<PipelineHarness.Response> response : both) {
          expectStored(copy, response.result(), what + ": two copies at once");
        }
      } else if (dice < 93) {
        lateCommit(what);
      } else {
        pipeline.restart();
        StoredTotals.assertEqualRows(url, what + ", after a restart");
      }
    }

    /**
     * A request answered 503 because the processor's store time-out passed while PostgreSQL was
     * stalled; its batch commits once the stall ends. Retried at once, later, or never.
     */
    private void lateCommit(String what) throws Exception {
      Request request = fresh(random.nextInt(SESSIONS.length));
      try (Connection stall = TestDatabase.connect(url)) {
        stall.setAutoCommit(false);
        stall.createStatement().execute("LOCK TABLE events, metric_points IN ACCESS EXCLUSIVE MODE");
        PipelineHarness.Response answer = send(request);
        assertThat(answer.status()).as("%s: stalled request: %s", what, answer.body()).isEqualTo(503);
        stall.rollback();
      }
      if (random.nextBoolean()) {
        expectStored(request, what + ": retry right after a late commit");
      }
    }

    private PipelineHarness.Response send(Request request) throws Exception {
      return PipelineHarness.await(post(request));
    }

    private Future<PipelineHarness.Response> post(Request request) {
      return pipeline.post(request.path(), OtlpRequests.PROTOBUF, request.body(), Map.of());
    }

    private void expectStored(Request request, String what) throws Exception {
      expectStored(request, send(request), what);
    }

    /**
     * Stored, as an exporter sees it: a 503 (the 300 ms store time-out passed on a busy machine)
     * promises nothing, so the request is sent again, as an exporter would, until a deadline.
     */
    private void expectStored(Request request, PipelineHarness.Response first, String what) throws Exception {
      PipelineHarness.Response response = first;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (response.status() == 503 && System.nanoTime() < deadline) {
        response = send(request);
      }
      assertThat(response.status()).as("%s: %s", what, response.body()).isEqualTo(200);
    }

    private Request any() {
      return sent.get(random.nextInt(sent.size()));
    }

    /** The next request of a session: some events, or its metrics (a cumulative token count and a delta cost). */
    private Request fresh(int session) {
      Request request = random.nextInt(3) == 0 ? metrics(session) : logs(session);
      sent.add(request);
      return request;
    }

    private Request logs(int session) {
      List<LogRecord> records = new ArrayList<>();
      int events = 1 + random.nextInt(4);
      for (int i = 0; i < events; i++) {
        long sequence = nextSequence[session]++;
        EventHeader at = EventHeader.of(SESSIONS[session], T0 + sequence * 1_000_000_000L, sequence);
        LogRecord.Builder record = switch (random.nextInt(4)) {
          case 0 -> at.record("user_prompt").addAttributes(integer("prompt_length", 20));
          case 1 -> at.record("tool_result")
              .addAttributes(text("tool_name", TOOLS[random.nextInt(TOOLS.length)]))
              .addAttributes(text("success", String.valueOf(random.nextBoolean())));
          default -> at.record("api_request")
              .addAttributes(text("model", "claude-sonnet-4-5"))
              .addAttributes(text("query_source", random.nextInt(4) == 0 ? "subagent" : "main"))
              .addAttributes(integer("input_tokens", random.nextInt(5_000)))
              .addAttributes(integer("output_tokens", random.nextInt(2_000)))
              .addAttributes(integer("cache_read_tokens", random.nextInt(100_000)))
              .addAttributes(integer("cache_creation_tokens", random.nextInt(10_000)))
              .addAttributes(real("cost_usd", random.nextInt(100_000) / 1e6));
        };
        records.add(record.build());
      }
      return new Request("/v1/logs", Buffer.buffer(Otlp.logs(RESOURCE, ClaudeCode.EVENTS, records).toByteArray()));
    }

    private Request metrics(int session) {
      long second = nextSequence[session]++;
      cumulativeInput[session] += random.nextInt(5_000);
      Metric.Builder tokens = Otlp.monotonicSum("claude_code.token.usage", "", "", true);
      tokens.getSumBuilder().addDataPoints(Otlp.point(T0, T0 + second * 1_000_000_000L, cumulativeInput[session])
          .addAttributes(text("session.id", SESSIONS[session])).addAttributes(text("type", "input"))
          .addAttributes(text("model", "claude-sonnet-4-5")));
      Metric.Builder cost = Otlp.monotonicSum("claude_code.cost.usage", "", "", false);
      cost.getSumBuilder().addDataPoints(Otlp.point(T0 + (second - 1) * 1_000_000_000L, T0 + second * 1_000_000_000L,
              random.nextInt(10_000) / 1e5)
          .addAttributes(text("session.id", SESSIONS[session])).addAttributes(text("model", "claude-sonnet-4-5")));
      return new Request("/v1/metrics", Buffer.buffer(Otlp.metrics(RESOURCE, ClaudeCode.METRICS,
          List.of(tokens.build(), cost.build())).toByteArray()));
    }
  }

  private record Request(String path, Buffer body) {}
}
