package dev.contextwatch.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.testkit.TestDatabase;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
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
        expectStored(send(fresh(step < SESSIONS.length ? step : random.nextInt(SESSIONS.length))), what + ": new request");
      } else if (dice < 65) {
        expectStored(send(any()), what + ": retry of an earlier request");
      } else if (dice < 80) {
        Request copy = random.nextBoolean() ? fresh(random.nextInt(SESSIONS.length)) : any();
        List<Future<PipelineHarness.Response>> both = List.of(post(copy), post(copy));
        PipelineHarness.await(Future.join(both));
        both.forEach(response -> expectStored(response.result(), what + ": two copies at once"));
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
        expectStored(send(request), what + ": retry right after a late commit");
      }
    }

    private PipelineHarness.Response send(Request request) throws Exception {
      return PipelineHarness.await(post(request));
    }

    private Future<PipelineHarness.Response> post(Request request) {
      return pipeline.post(request.path(), OtlpRequests.PROTOBUF, request.body(), Map.of());
    }

    private static void expectStored(PipelineHarness.Response response, String what) {
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
      ScopeLogs.Builder scope = ScopeLogs.newBuilder();
      int events = 1 + random.nextInt(4);
      for (int i = 0; i < events; i++) {
        long sequence = nextSequence[session]++;
        LogRecord.Builder record = LogRecord.newBuilder().setTimeUnixNano(T0 + sequence * 1_000_000_000L)
            .addAttributes(text("session.id", SESSIONS[session])).addAttributes(whole("event.sequence", sequence));
        switch (random.nextInt(4)) {
          case 0 -> record.addAttributes(text("event.name", "user_prompt")).addAttributes(whole("prompt_length", 20));
          case 1 -> record.addAttributes(text("event.name", "tool_result"))
              .addAttributes(text("tool_name", TOOLS[random.nextInt(TOOLS.length)]))
              .addAttributes(text("success", String.valueOf(random.nextBoolean())));
          default -> record.addAttributes(text("event.name", "api_request"))
              .addAttributes(text("model", "claude-sonnet-4-5"))
              .addAttributes(text("query_source", random.nextInt(4) == 0 ? "subagent" : "main"))
              .addAttributes(whole("input_tokens", random.nextInt(5_000)))
              .addAttributes(whole("output_tokens", random.nextInt(2_000)))
              .addAttributes(whole("cache_read_tokens", random.nextInt(100_000)))
              .addAttributes(whole("cache_creation_tokens", random.nextInt(10_000)))
              .addAttributes(KeyValue.newBuilder().setKey("cost_usd")
                  .setValue(AnyValue.newBuilder().setDoubleValue(random.nextInt(100_000) / 1e6)));
        }
        scope.addLogRecords(record);
      }
      byte[] body = ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
          .setResource(resource()).addScopeLogs(scope)).build().toByteArray();
      return new Request("/v1/logs", Buffer.buffer(body));
    }

    private Request metrics(int session) {
      long second = nextSequence[session]++;
      cumulativeInput[session] += random.nextInt(5_000);
      NumberDataPoint tokens = NumberDataPoint.newBuilder().setStartTimeUnixNano(T0)
          .setTimeUnixNano(T0 + second * 1_000_000_000L).setAsDouble(cumulativeInput[session])
          .addAttributes(text("session.id", SESSIONS[session])).addAttributes(text("type", "input"))
          .addAttributes(text("model", "claude-sonnet-4-5")).build();
      NumberDataPoint cost = NumberDataPoint.newBuilder().setStartTimeUnixNano(T0 + (second - 1) * 1_000_000_000L)
          .setTimeUnixNano(T0 + second * 1_000_000_000L).setAsDouble(random.nextInt(10_000) / 1e5)
          .addAttributes(text("session.id", SESSIONS[session])).addAttributes(text("model", "claude-sonnet-4-5")).build();
      ScopeMetrics scope = ScopeMetrics.newBuilder()
          .addMetrics(sum("claude_code.token.usage", AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE, tokens))
          .addMetrics(sum("claude_code.cost.usage", AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA, cost)).build();
      byte[] body = ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
          .setResource(resource()).addScopeMetrics(scope)).build().toByteArray();
      return new Request("/v1/metrics", Buffer.buffer(body));
    }
  }

  private record Request(String path, Buffer body) {}

  private static Metric sum(String name, AggregationTemporality temporality, NumberDataPoint point) {
    return Metric.newBuilder().setName(name)
        .setSum(Sum.newBuilder().setAggregationTemporality(temporality).setIsMonotonic(true).addDataPoints(point)).build();
  }

  private static Resource resource() {
    return Resource.newBuilder().addAttributes(text("service.name", "claude-code")).build();
  }

  private static KeyValue text(String key, String value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }

  private static KeyValue whole(String key, long value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setIntValue(value)).build();
  }
}
