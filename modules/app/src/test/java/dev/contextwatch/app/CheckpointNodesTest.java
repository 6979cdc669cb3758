package dev.contextwatch.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.checkpoint.CheckpointMigrations;
import dev.contextwatch.checkpoint.CheckpointVerticle;
import dev.contextwatch.core.bus.Addresses;
import dev.contextwatch.core.bus.LocalCodec;
import dev.contextwatch.core.config.Budget;
import dev.contextwatch.core.config.CheckpointConfig;
import dev.contextwatch.core.config.ConfigLoader;
import dev.contextwatch.core.config.ContextwatchConfig;
import dev.contextwatch.core.config.WebhookEndpoint;
import dev.contextwatch.core.db.AdvisoryLocks;
import dev.contextwatch.core.metrics.Meters;
import dev.contextwatch.core.summary.SessionSummary;
import dev.contextwatch.core.summary.SessionsUpdated;
import dev.contextwatch.core.summary.SummaryCodec;
import dev.contextwatch.persistence.Migrations;
import dev.contextwatch.testkit.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.pgclient.PgConnectOptions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Several nodes on one PostgreSQL, as in a cluster: each node here is a checkpoint verticle on its
 * own Vert.x instance, all sharing one database and one webhook receiver. Deliveries are claimed
 * with a lease, so each is sent by one node and a dead node's claims are taken over; a session
 * assessed on two nodes yields one checkpoint, one delivery per endpoint and one budget count; the
 * lifecycle sweep runs on one node at a time.
 */
@ExtendWith(VertxExtension.class)
class CheckpointNodesTest {
  private static final String SECRET = "whsec-nodes";
  /** Generous: on a busy machine an attempt cut off by its time-out is sent again, which is not what these tests look for. */
  private static final int TIMEOUT_MS = 15_000;
  /** The dying node's: it must be killed before its first attempts end, and its leases (2 x 3 s + 1 s) lapse soon after. */
  private static final int DOOMED_TIMEOUT_MS = 3_000;
  private static final long COST_MICROS = 1_000;

  @Test
  @DisplayName("three nodes delivering from one outbox send every delivery exactly once, each claimed by one of them")
  void exactlyOnceAcrossNodes(Vertx vertx) throws Exception {
    WebhookReceiver receiver = WebhookReceiver.start(vertx, WebhookReceiver.Mode.OK);
    String url = migratedDatabase();
    CheckpointConfig checkpoints = checkpoints(List.of(endpoint("harness", receiver)), List.of());
    List<Vertx> nodes = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        nodes.add(node(url, checkpoints));
      }
      // each node announces a third of the sessions; every node's dispatcher claims from the one outbox
      for (int i = 0; i < nodes.size(); i++) {
        int node = i;
        List<SessionSummary> sessions = IntStream.range(0, 20).mapToObj(s -> critical("n" + node + "-s" + s)).toList();
        nodes.get(i).eventBus().publish(Addresses.SESSION_UPDATED, new SessionsUpdated(sessions, List.of()));
      }
      awaitAllDelivered(url, 120);

      List<String> stored = column(url, "select id::text from webhook_deliveries");
      assertThat(stored).hasSize(120);
      Map<String, Long> attempts = receiver.attempts(a -> true).stream()
          .collect(Collectors.groupingBy(WebhookReceiver.Attempt::deliveryId, Collectors.counting()));
      assertThat(attempts.keySet()).containsExactlyInAnyOrderElementsOf(stored);
      assertThat(attempts.values()).as("no delivery sent twice").containsOnly(1L);
      assertThat(column(url, "select distinct claimed_by from webhook_deliveries")).as("the nodes shared the work").hasSizeGreaterThan(1);
      assertThat(column(url, "select count(*) from webhook_deliveries where lease_until is not null or attempts <> 1"))
          .containsExactly("0");
    } finally {
      closeAll(nodes);
      PipelineHarness.await(receiver.close());
    }
  }

  @Test
  @DisplayName("a node that dies holding claims: the others send those deliveries once the leases lapse, never while they hold, and none twice")
  void deadNodesClaimsTakenOver(Vertx vertx) throws Exception {
    WebhookReceiver receiver = WebhookReceiver.start(vertx, WebhookReceiver.Mode.NEVER_ANSWER);
    String url = migratedDatabase();
    CheckpointConfig checkpoints = checkpoints(List.of(endpoint("harness", receiver)), List.of());
    CheckpointConfig dying = checkpoints(ConfigLoader.defaults().checkpoints(), List.of(endpoint("harness", receiver)), List.of(),
        checkpoints.lifecycleSweepSeconds(), DOOMED_TIMEOUT_MS);
    String role = "doomed_" + Long.toHexString(System.nanoTime());
    execute(url, "create role " + role + " login superuser password 'doomed'");
    List<Vertx> survivors = new ArrayList<>();
    Vertx doomed = node(url.replaceFirst("//[^@]*@", "//" + role + ":doomed@"), dying);
    try {
      doomed.eventBus().publish(Addresses.SESSION_UPDATED,
          new SessionsUpdated(IntStream.range(0, 6).mapToObj(s -> critical("s" + s)).toList(), List.of()));
      // the receiver holds every answer: the doomed node's claims stay in flight
      int held = checkpoints.maxInFlight();
      Awaitility.await("the doomed node's attempts").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
          .until(() -> receiver.attempts(a -> true).size() >= held);

      // it dies: it can no longer reach the database, so it records nothing, and it stops
      execute(url, "alter role " + role + " nologin");
      execute(url, "select pg_terminate_backend(pid) from pg_stat_activity where usename = '" + role + "'");
      Map<String, Instant> leases = leases(url);
      assertThat(leases).hasSize(held);
      List<String> deadClaimant = column(url, "select distinct claimed_by from webhook_deliveries where lease_until > now()");
      assertThat(deadClaimant).hasSize(1);
      PipelineHarness.await(doomed.close());
      doomed = null;

      receiver.answer(WebhookReceiver.Mode.OK);
      for (int i = 0; i < 2; i++) {
        survivors.add(node(url, checkpoints));
      }
      awaitAllDelivered(url, 12);

      Map<String, List<WebhookReceiver.Attempt>> byDelivery = receiver.attempts(a -> true).stream()
          .collect(Collectors.groupingBy(WebhookReceiver.Attempt::deliveryId));
      assertThat(byDelivery).hasSize(12);
      byDelivery.forEach((id, attempts) -> {
        List<WebhookReceiver.Attempt> delivered = attempts.stream().filter(a -> a.answered() == 200).toList();
        assertThat(delivered).as("delivered once: " + id).hasSize(1);
        assertThat(attempts).as("sent again only if the dead node had claimed it: " + id).hasSize(leases.containsKey(id) ? 2 : 1);
        if (leases.containsKey(id)) {
          assertThat(delivered.get(0).receivedAt()).as("taken over only after the lease lapsed: " + id).isAfterOrEqualTo(leases.get(id));
        }
      });
      assertThat(column(url, "select count(*) from webhook_deliveries where claimed_by = '" + deadClaimant.get(0)
          + "' or lease_until is not null")).as("every result recorded by a survivor").containsExactly("0");
    } finally {
      if (doomed != null) {
        PipelineHarness.await(doomed.close());
      }
      closeAll(survivors);
      PipelineHarness.await(receiver.close());
      execute(url, "drop role if exists " + role);
    }
  }

  @Test
  @DisplayName("one session update assessed on two nodes at once yields one checkpoint, one delivery per endpoint, and budgets counting it once")
  void sameUpdateOnTwoNodes(Vertx vertx) throws Exception {
    WebhookReceiver receiver = WebhookReceiver.start(vertx, WebhookReceiver.Mode.OK);
    String url = migratedDatabase();
    List<Budget> budgets = List.of(
        new Budget("fleet-day", Budget.Period.DAY, 1_000_000_000L, null, null, true, null, 80, ZoneOffset.UTC),
        new Budget("per-session", Budget.Period.SESSION, 1_000_000_000L, null, null, false, null, 80, ZoneOffset.UTC));
    CheckpointConfig checkpoints = checkpoints(List.of(endpoint("a", receiver), endpoint("b", receiver)), budgets);
    int sessions = 40;
    List<Vertx> nodes = new ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) {
        nodes.add(node(url, checkpoints));
      }
      SessionsUpdated update = new SessionsUpdated(IntStream.range(0, sessions).mapToObj(s -> critical("s" + s)).toList(), List.of());
      nodes.forEach(node -> node.eventBus().publish(Addresses.SESSION_UPDATED, update));
      awaitAllDelivered(url, sessions * 2 * 2);
    } finally {
      // a stop applies what waits: both nodes' assessments are committed after it
      closeAll(nodes);
      PipelineHarness.await(receiver.close());
    }
    assertThat(column(url, "select count(*) from checkpoints")).containsExactly(Integer.toString(sessions));
    assertThat(column(url, "select endpoint || ' ' || event_type || ' ' || count(*) from webhook_deliveries"
        + " group by endpoint, event_type order by 1")).containsExactly("a context.critical " + sessions,
        "a session.started " + sessions, "b context.critical " + sessions, "b session.started " + sessions);
    assertThat(receiver.attempts(a -> true)).hasSize(sessions * 4);
    assertThat(column(url, "select cost_micros from budget_use where budget = 'fleet-day'"))
        .as("the fleet's use counts each session once").containsExactly(Long.toString(sessions * COST_MICROS));
    assertThat(column(url, "select distinct cost_micros from budget_use where budget = 'per-session'"))
        .containsExactly(Long.toString(COST_MICROS));
  }

  @Test
  @DisplayName("the lifecycle sweep skips its passes while another node holds the sweep lock, and sweeps once it is free")
  void sweepOnOneNodeAtATime(Vertx vertx) throws Exception {
    WebhookReceiver receiver = WebhookReceiver.start(vertx, WebhookReceiver.Mode.OK);
    PipelineHarness pipeline = PipelineHarness.start(vertx, TestDatabase.newDatabase(),
        config -> config.withCheckpoints(checkpoints(config.checkpoints(), List.of(endpoint("harness", receiver)), List.of(), 1,
            TIMEOUT_MS)));
    try (Connection otherNode = TestDatabase.connect(pipeline.databaseUrl)) {
      post(pipeline, OtlpRequests.mainRequest("quiet", 0, 10_000));
      receiver.awaitDelivered(a -> a.event().equals("session.started"), 1, 10_000);

      lock(otherNode, "select pg_advisory_lock(?)");
      double skipped = sweeps("skipped");
      pipeline.execute("update sessions set last_received_at = now() - interval '2 hours' where session_id = 'quiet'");
      Awaitility.await("two skipped sweeps").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
          .until(() -> sweeps("skipped") >= skipped + 2);
      assertThat(pipeline.query("select status from session_levels where session_id = 'quiet'")).isEqualTo("active");
      assertThat(receiver.attempts(a -> a.event().equals("session.stale"))).isEmpty();

      lock(otherNode, "select pg_advisory_unlock(?)");
      receiver.awaitDelivered(a -> a.event().equals("session.stale"), 1, 10_000);
      assertThat(pipeline.query("select status from session_levels where session_id = 'quiet'")).isEqualTo("stale");
    } finally {
      pipeline.stop();
      PipelineHarness.await(receiver.close());
    }
  }

  /** A database with both modules' tables, as the first node's start leaves it. */
  private static String migratedDatabase() {
    String url = TestDatabase.newDatabase();
    Migrations.apply(PgConnectOptions.fromUri(url));
    CheckpointMigrations.apply(PgConnectOptions.fromUri(url));
    return url;
  }

  /** A node: a checkpoint verticle on its own Vert.x instance. */
  private static Vertx node(String url, CheckpointConfig checkpoints) throws Exception {
    ContextwatchConfig defaults = ConfigLoader.defaults();
    Vertx node = Vertx.vertx();
    LocalCodec.registerAll(node);
    PipelineHarness.await(node.deployVerticle(new CheckpointVerticle(checkpoints, defaults.sessions(), defaults.database().withUrl(url))));
    return node;
  }

  private static void closeAll(List<Vertx> nodes) throws Exception {
    for (Vertx node : nodes) {
      PipelineHarness.await(node.close());
    }
  }

  private static WebhookEndpoint endpoint(String name, WebhookReceiver receiver) {
    return new WebhookEndpoint(name, receiver.url(), SECRET, WebhookEndpoint.DEFAULT_EVENT_TYPES, Set.of(), false);
  }

  private static CheckpointConfig checkpoints(List<WebhookEndpoint> endpoints, List<Budget> budgets) {
    CheckpointConfig defaults = ConfigLoader.defaults().checkpoints();
    return checkpoints(defaults, endpoints, budgets, defaults.lifecycleSweepSeconds(), TIMEOUT_MS);
  }

  /** A short backoff, so that retries come within a test's time. */
  private static CheckpointConfig checkpoints(CheckpointConfig c, List<WebhookEndpoint> endpoints, List<Budget> budgets, int sweepSeconds,
      int timeoutMs) {
    return new CheckpointConfig(c.levels(), c.projectLevels(), c.samples(), endpoints, timeoutMs, c.maxAttempts(), 50,
        c.maxInFlight(), sweepSeconds, c.quotaWarningPercent(), budgets);
  }

  /** A session past the critical level, with some cost for the budgets. */
  private static SessionSummary critical(String id) {
    return SummaryCodec.fromJson(id, new JsonObject().put("sessionId", id).put("project", "acme").put("status", "active")
        .put("lastSeen", Instant.now().toString())
        .put("totals", new JsonObject().put("costMicros", COST_MICROS).put("inputTokens", 100))
        .put("context", new JsonObject().put("percentOfThreshold", 95.0).put("compactions", 0)));
  }

  private static void awaitAllDelivered(String url, int deliveries) {
    Awaitility.await(deliveries + " deliveries delivered").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
        .until(() -> column(url, "select count(*) from webhook_deliveries where status = 'delivered'"),
            delivered -> delivered.equals(List.of(Integer.toString(deliveries))));
  }

  /** The leases held now, by delivery id. */
  private static Map<String, Instant> leases(String url) throws Exception {
    Map<String, Instant> leases = new HashMap<>();
    try (Connection c = TestDatabase.connect(url); ResultSet rs = c.createStatement()
        .executeQuery("select id::text, lease_until from webhook_deliveries where lease_until > now()")) {
      while (rs.next()) {
        leases.put(rs.getString(1), rs.getTimestamp(2).toInstant());
      }
    }
    return leases;
  }

  private static List<String> column(String url, String sql) throws Exception {
    List<String> values = new ArrayList<>();
    try (Connection c = TestDatabase.connect(url); ResultSet rs = c.createStatement().executeQuery(sql)) {
      while (rs.next()) {
        values.add(rs.getString(1));
      }
    }
    return values;
  }

  private static void execute(String url, String sql) throws Exception {
    try (Connection c = TestDatabase.connect(url); Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static void lock(Connection connection, String sql) throws Exception {
    try (PreparedStatement s = connection.prepareStatement(sql)) {
      s.setLong(1, AdvisoryLocks.LIFECYCLE_SWEEP);
      s.execute();
    }
  }

  private static double sweeps(String outcome) {
    var counter = Meters.registry().find("contextwatch_lifecycle_sweeps_total").tag("outcome", outcome).counter();
    return counter == null ? 0 : counter.count();
  }

  private static void post(PipelineHarness pipeline, io.vertx.core.buffer.Buffer body) throws Exception {
    PipelineHarness.Response response = pipeline.postAndWait("/v1/logs", OtlpRequests.PROTOBUF, body, Map.of());
    assertThat(response.status()).as(response.body().toString()).isEqualTo(200);
  }
}
