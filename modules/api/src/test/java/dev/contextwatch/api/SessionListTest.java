package dev.contextwatch.api;

import static dev.contextwatch.api.ApiHarness.minutesAgo;
import static dev.contextwatch.api.ApiHarness.now;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** GET /api/v1/sessions: status computed at read time, every filter, every order, paging. */
@ExtendWith(VertxExtension.class)
class SessionListTest {
  private ApiHarness api;

  @BeforeEach
  void setUp(Vertx vertx) throws Exception {
    api = ApiHarness.start(vertx);
  }

  /** One session per status (the defaults: active below 5 minutes, idle below 60). */
  private void fourStatuses() throws Exception {
    api.session("active").project("alpha").run("run-1").receivedMinutesAgo(1).insert();
    api.session("idle").project("alpha").run("run-1").receivedMinutesAgo(30).insert();
    api.session("stale").project("beta").receivedMinutesAgo(120).insert();
    api.session("closed").project("beta").run("run-2").receivedMinutesAgo(1).closed(now()).insert();
  }

  @Test
  @DisplayName("status is computed from last_received_at when read: 1 min ago active, 30 min idle, 2 h stale, closed_at set closed")
  void statusFromTime() throws Exception {
    fourStatuses();
    JsonArray items = api.get("/api/v1/sessions?sort=activity&limit=10").json().getJsonArray("items");
    assertThat(items).hasSize(4);
    items.forEach(item -> {
      JsonObject session = (JsonObject) item;
      assertThat(session.getString("status")).as(session.getString("sessionId")).isEqualTo(session.getString("sessionId"));
    });
  }

  @Test
  @DisplayName("the status filter selects each status, and several at once when comma-separated or repeated")
  void statusFilter() throws Exception {
    fourStatuses();
    for (String status : List.of("active", "idle", "stale", "closed")) {
      JsonObject page = api.get("/api/v1/sessions?status=" + status).json();
      assertThat(ids(page)).as(status).containsExactly(status);
      assertThat(page.getLong("total")).as(status).isEqualTo(1);
    }
    assertThat(ids(api.get("/api/v1/sessions?status=idle,stale&sort=activity").json())).containsExactly("idle", "stale");
    assertThat(ids(api.get("/api/v1/sessions?status=closed&status=active&sort=activity").json()))
        .containsExactlyInAnyOrder("active", "closed");
    assertThat(api.get("/api/v1/sessions?status=Active").json().getLong("total")).isEqualTo(1);
  }

  @Test
  @DisplayName("project, run and since filter the list, alone and together, and the total follows the filters")
  void filters() throws Exception {
    fourStatuses();
    assertThat(ids(api.get("/api/v1/sessions?project=alpha&sort=activity").json())).containsExactly("active", "idle");
    assertThat(ids(api.get("/api/v1/sessions?run=run-1&sort=activity").json())).containsExactly("active", "idle");
    assertThat(ids(api.get("/api/v1/sessions?run=run-2").json())).containsExactly("closed");
    assertThat(ids(api.get("/api/v1/sessions?project=nobody").json())).isEmpty();

    String since = minutesAgo(45).toString();
    assertThat(ids(api.get("/api/v1/sessions?sort=activity&since=" + since).json()))
        .containsExactlyInAnyOrder("active", "closed", "idle");
    JsonObject combined = api.get("/api/v1/sessions?project=beta&since=" + since).json();
    assertThat(ids(combined)).containsExactly("closed");
    assertThat(combined.getLong("total")).isEqualTo(1);
    assertThat(ids(api.get("/api/v1/sessions?project=alpha&status=idle&run=run-1").json())).containsExactly("idle");
  }

  @Test
  @DisplayName("since includes a session received exactly at that instant and accepts an offset")
  void sinceBoundary() throws Exception {
    api.session("at").received(Instant.parse("2026-01-31T12:00:00Z")).insert();
    api.session("before").received(Instant.parse("2026-01-31T11:59:59.999Z")).insert();
    assertThat(ids(api.get("/api/v1/sessions?since=2026-01-31T12:00:00Z").json())).containsExactly("at");
    assertThat(ids(api.get("/api/v1/sessions?since=2026-01-31T13:00:00%2B01:00").json())).containsExactly("at");
  }

  @Test
  @DisplayName("risk order puts active sessions first, then the least headroom before compaction, sessions without context data last, ties newest first")
  void riskOrder() throws Exception {
    api.session("roomy").context(20_000, 160_000).receivedMinutesAgo(1).insert();
    api.session("no-context").receivedMinutesAgo(0).insert();
    api.session("tight").context(150_000, 160_000).receivedMinutesAgo(3).insert();
    api.session("tie-old").context(100_000, 160_000).receivedMinutesAgo(9).insert();
    api.session("tie-new").context(100_000, 160_000).receivedMinutesAgo(8).insert();
    api.session("over").context(170_000, 160_000).receivedMinutesAgo(50).insert();
    api.session("over-closed").context(170_000, 160_000).receivedMinutesAgo(1).closed(now()).insert();

    // an idle, stale or closed session at the threshold makes no request: the active ones come first
    List<String> expected = List.of("tight", "roomy", "no-context", "over-closed", "over", "tie-new", "tie-old");
    assertThat(ids(api.get("/api/v1/sessions").json())).containsExactlyElementsOf(expected);
    assertThat(ids(api.get("/api/v1/sessions?sort=risk").json())).containsExactlyElementsOf(expected);
  }

  @Test
  @DisplayName("activity order is the most recently received first; cost order the most expensive first")
  void activityAndCostOrder() throws Exception {
    api.session("cheap-new").cost(0.01).receivedMinutesAgo(1).insert();
    api.session("dear-old").cost(9.5).receivedMinutesAgo(90).insert();
    api.session("mid").cost(1.25).receivedMinutesAgo(20).insert();

    assertThat(ids(api.get("/api/v1/sessions?sort=activity").json())).containsExactly("cheap-new", "mid", "dear-old");
    assertThat(ids(api.get("/api/v1/sessions?sort=cost").json())).containsExactly("dear-old", "mid", "cheap-new");
  }

  @Test
  @DisplayName("limit and offset page through the ordered list while total counts every match")
  void paging() throws Exception {
    for (int i = 0; i < 7; i++) {
      api.session("s-" + i).project(i < 5 ? "paged" : "other").receivedMinutesAgo(i).insert();
    }
    JsonObject first = api.get("/api/v1/sessions?project=paged&sort=activity&limit=2").json();
    assertThat(ids(first)).containsExactly("s-0", "s-1");
    assertThat(first.getLong("total")).isEqualTo(5);
    assertThat(first.getInteger("limit")).isEqualTo(2);
    assertThat(first.getInteger("offset")).isZero();

    JsonObject last = api.get("/api/v1/sessions?project=paged&sort=activity&limit=2&offset=4").json();
    assertThat(ids(last)).containsExactly("s-4");
    assertThat(last.getLong("total")).isEqualTo(5);
    assertThat(last.getInteger("offset")).isEqualTo(4);

    JsonObject beyond = api.get("/api/v1/sessions?project=paged&offset=50").json();
    assertThat(ids(beyond)).isEmpty();
    assertThat(beyond.getLong("total")).isEqualTo(5);

    assertThat(ids(api.get("/api/v1/sessions?limit=500").json())).hasSize(7);
  }

  private static List<String> ids(JsonObject page) {
    List<String> ids = new ArrayList<>();
    page.getJsonArray("items").forEach(item -> ids.add(((JsonObject) item).getString("sessionId")));
    return ids;
  }
}
