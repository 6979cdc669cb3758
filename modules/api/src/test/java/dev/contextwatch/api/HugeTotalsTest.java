package dev.contextwatch.api;

import static dev.contextwatch.api.ApiHarness.minutesAgo;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Rows whose tokens add up beyond a 64-bit integer, and costs that are not finite numbers, stored
 * before they could be refused at ingest: every aggregate still answers 200, sums saturating at
 * the largest integer and costs counting only finite values.
 */
@ExtendWith(VertxExtension.class)
class HugeTotalsTest {
  private static final long HUGE = 9_000_000_000_000_000_000L;
  private ApiHarness api;

  @BeforeEach
  void setUp(Vertx vertx) throws Exception {
    api = ApiHarness.start(vertx);
  }

  @Test
  @DisplayName("projects and runs whose sessions add up beyond a 64-bit integer answer 200 with the sums saturated")
  void projectsAndRuns() throws Exception {
    api.session("huge-1").project("acme").run("run-1").tokens(HUGE, HUGE, 1, 2).cost(0.5).apiRequests(HUGE).insert();
    api.session("huge-2").project("acme").run("run-1").tokens(HUGE, HUGE, 1, 2).cost(0.25).apiRequests(HUGE).insert();
    api.session("nan").project("acme").run("run-1").cost(Double.NaN).insert();
    api.session("inf").project("acme").run("run-1").cost(Double.POSITIVE_INFINITY).insert();

    ApiHarness.Response projects = api.get("/api/v1/projects");
    assertThat(projects.status()).as(projects.body().toString()).isEqualTo(200);
    JsonObject acme = projects.json().getJsonArray("items").getJsonObject(0);
    assertThat(acme.getLong("sessions")).isEqualTo(4);
    assertThat(acme.getLong("inputTokens")).isEqualTo(Long.MAX_VALUE);
    assertThat(acme.getLong("outputTokens")).isEqualTo(Long.MAX_VALUE);
    assertThat(acme.getLong("cacheReadTokens")).isEqualTo(2);
    assertThat(acme.getValue("costUsd")).as("only finite costs are added").isEqualTo(0.75);

    ApiHarness.Response runs = api.get("/api/v1/runs");
    assertThat(runs.status()).as(runs.body().toString()).isEqualTo(200);
    assertThat(runs.json().getJsonArray("items").getJsonObject(0).getLong("inputTokens")).isEqualTo(Long.MAX_VALUE);

    ApiHarness.Response run = api.get("/api/v1/runs/run-1");
    assertThat(run.status()).as(run.body().toString()).isEqualTo(200);
    JsonObject totals = run.json().getJsonObject("totals");
    assertThat(totals.getLong("inputTokens")).isEqualTo(Long.MAX_VALUE);
    assertThat(totals.getLong("apiRequests")).isEqualTo(Long.MAX_VALUE);
    assertThat(totals.getValue("costUsd")).isEqualTo(0.75);
  }

  @Test
  @DisplayName("usage over events that add up beyond a 64-bit integer answers 200 with the sums saturated, by model and by project")
  void usage() throws Exception {
    api.session("huge").project("acme").insert();
    // within one hour bucket, whatever the clock says
    Instant time = minutesAgo(5).truncatedTo(ChronoUnit.HOURS);
    api.event("huge", time, "api_request", 1, HUGE, 0.5, new JsonObject());
    api.event("huge", time.plusMillis(1), "api_request", 2, HUGE, Double.NaN, new JsonObject());
    api.event("huge", time.plusMillis(2), "api_request", 3, HUGE, Double.NEGATIVE_INFINITY, new JsonObject());

    for (String group : new String[] {"model", "project"}) {
      ApiHarness.Response usage = api.get("/api/v1/usage?group=" + group);
      assertThat(usage.status()).as(group + " " + usage.body()).isEqualTo(200);
      JsonObject item = usage.json().getJsonArray("items").getJsonObject(0);
      assertThat(item.getLong("inputTokens")).as(group).isEqualTo(Long.MAX_VALUE);
      assertThat(item.getLong("requests")).as(group).isEqualTo(3);
      assertThat(item.getValue("costUsd")).as(group).isEqualTo(0.5);
    }
  }
}
