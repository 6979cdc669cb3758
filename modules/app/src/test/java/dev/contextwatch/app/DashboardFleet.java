package dev.contextwatch.app;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A small fleet for the dashboard: three projects, sessions from nearly compacting to barely
 * started, on 200k and 1M windows, a run that fanned out to three subagent sessions, and one
 * closed session; started over the last days so that the usage view has something to show.
 */
final class DashboardFleet {
  /** refactor-ledger: 92% of its auto-compact threshold, about two requests left. */
  static final String NEAR_COMPACT = "5f2c9a41-0d7e-4c1b-9a63-2b8e7d4c1a90";
  static final String RUN = "etl-migration";
  static final String CLOSED = "c7d1e2f3-4a5b-4c6d-8e9f-0a1b2c3d4e5f";
  /** Turns posted per request, so the context series has a point per request and growth can be fitted. */
  private static final int TURNS_PER_REQUEST = 4;

  private DashboardFleet() {}

  private record Plan(PushLoad.Session session, int turns) {}

  /** Posts every session of the fleet; returns them. */
  static List<PushLoad.Session> post(PipelineHarness pipeline) throws Exception {
    Instant now = Instant.now();
    String orchestrator = "0a9b8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d";
    List<Plan> plans = List.of(
        plan(NEAR_COMPACT, "billing-api", "refactor-ledger", null, null, "claude-sonnet-4-5", 30_000, 6_500, 20, now, 26),
        plan("8e1d0c2b-3a4f-4e5d-8c7b-6a5f4e3d2c1b", "billing-api", "fix-flaky-tests", null, null, "claude-sonnet-4-5", 25_000, 4_000, 24, now, 50),
        plan("2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e", "billing-api", "api-docs", null, null, "claude-haiku-4-5", 15_000, 1_500, 12, now, 75),
        plan("9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a", "web-frontend", "checkout-redesign", null, null, "claude-opus-4-8", 60_000, 21_000, 32, now, 100),
        plan("4e5f6a7b-8c9d-4e0f-a1b2-c3d4e5f6a7b8", "web-frontend", "a11y-audit", null, null, "claude-sonnet-4-5", 20_000, 3_000, 16, now, 30),
        plan(CLOSED, "web-frontend", "spike-prototype", null, null, "claude-sonnet-4-5", 18_000, 2_000, 8, now, 120),
        plan(orchestrator, "data-pipeline", "orchestrator", RUN, null, "claude-opus-4-8", 40_000, 9_000, 20, now, 8),
        plan("1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", "data-pipeline", "worker-orders", RUN, orchestrator, "claude-sonnet-4-5", 22_000, 5_200, 20, now, 7),
        plan("6f5e4d3c-2b1a-4f9e-8d7c-6b5a4f3e2d1c", "data-pipeline", "worker-invoices", RUN, orchestrator, "claude-sonnet-4-5", 22_000, 4_100, 18, now, 7),
        plan("3c2b1a0f-9e8d-4c7b-a6f5-e4d3c2b1a0f9", "data-pipeline", "worker-customers", RUN, orchestrator, "claude-haiku-4-5", 18_000, 2_500, 14, now, 6));
    for (Plan plan : plans) {
      for (int turn = 0; turn < plan.turns(); turn += TURNS_PER_REQUEST) {
        PushLoad.post(pipeline, plan.session(), turn, Math.min(TURNS_PER_REQUEST, plan.turns() - turn));
      }
    }
    return plans.stream().map(Plan::session).toList();
  }

  private static Plan plan(String id, String project, String label, String run, String parent, String model, long start,
      long growth, int turns, Instant now, int hoursAgo) {
    Instant started = now.minus(Duration.ofHours(hoursAgo));
    return new Plan(new PushLoad.Session(id, project, label, run, parent, model, start, growth, started), turns);
  }
}
