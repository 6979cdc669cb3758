package dev.contextwatch.api;

import dev.contextwatch.core.bus.Addresses;
import dev.contextwatch.core.bus.FeedClose;
import dev.contextwatch.core.bus.LocalCodec;
import dev.contextwatch.core.cluster.Ownership;

import dev.contextwatch.core.cluster.WireCodecs;
import dev.contextwatch.core.config.ApiConfig;
import dev.contextwatch.core.config.DatabaseConfig;
import dev.contextwatch.core.config.SessionConfig;
import dev.contextwatch.core.config.StreamConfig;
import dev.contextwatch.core.db.DatabasePool;
import dev.contextwatch.core.db.Databases;
import dev.contextwatch.core.metrics.Meters;
import dev.contextwatch.core.model.DeliveryRetry;
import dev.contextwatch.core.model.Synthetic;
import dev.contextwatch.core.model.WebhookDelivery;
import dev.contextwatch.core.summary.CloseSession;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The query API: sessions (status computed at read time), their events and context series,
 * projects, runs with their session trees, closing a session through the processor, and
 * {@code /health} and {@code /ready}. Reads PostgreSQL through its own small pool; answers JSON,
 * errors included ({@code {"error": code, "message": sentence}}). Also serves the dashboard at
 * {@code /} and accepts the live feed's WebSockets at {@code /v1/stream}, handing each to the push
 * verticle.
 */
public final class ApiVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ApiVerticle.class);
  static final int CLOSE_TIMEOUT_MS = 5000;
  static final int RETRY_TIMEOUT_MS = 5000;
  static final int FLEET_TIMEOUT_MS = 30_000;
  static final int RETRY_AFTER_SECONDS = 2;
  private static final int SHUTDOWN_SECONDS = 5;
  /**
   * The dashboard's paths (resources/webroot), matched exactly so that the API's paths keep their
   * 404 and 405 answers. Its assets are small and change with every release: never cached.
   */
  private static final String DASHBOARD = "/|/[\\w.-]+\\.(?:html|css)|/js/[\\w.-]+\\.js";
  /** WebSocket close code when no push verticle takes an accepted socket. */

  private final ApiConfig api;
  private final DatabaseConfig database;
  private final SessionConfig sessions;
  private final StreamConfig stream;
  private Pool pool;
  private Queries queries;
  private SessionGauges sessionGauges;
  private UsageQueries usage;
  private ReportQueries reports;
  private QuotaQueries quota;
  private BudgetQueries budgets;
  private BurnRateQueries burnRates;
  private AnalyticsQueries analytics;
  private Deletions deletions;
  private Router router;
  private HttpServer server;

  public ApiVerticle(ApiConfig api, DatabaseConfig database, SessionConfig sessions, StreamConfig stream) {
    this.api = api;
    this.database = database;
    this.sessions = sessions;
    this.stream = stream;
  }

  @Override
  public Future<?> start() {
    if (database.url().isEmpty()) {
      return Future.failedFuture(new IllegalStateException("the API needs the database URL (postgresql://...)"));
    }
    LocalCodec.registerAll(vertx);
    if (Ownership.of(vertx).clustered()) {
      WireCodecs.registerAll(vertx);
    }
    pool = Databases.pool(vertx, database, DatabasePool.API);
    queries = new Queries(pool, sessions);
    sessionGauges = new SessionGauges(pool, sessions);
    usage = new UsageQueries(pool);
    reports = new ReportQueries(pool);
    quota = new QuotaQueries(pool);
    budgets = new BudgetQueries(pool);
    burnRates = new BurnRateQueries(pool);
    analytics = new AnalyticsQueries(pool);
    deletions = new Deletions(vertx.eventBus(), Ownership.of(vertx).clustered());
    router = router();
    // responses are compressed for clients that accept it: the fleet's tiles shrink about tenfold
    server = vertx.createHttpServer(api.tls().applyTo(new HttpServerOptions().setHost(api.host()).setPort(api.port())
        .setCompressionSupported(true)
        .setMaxWebSocketFrameSize(stream.maxFrameBytes()).setMaxWebSocketMessageSize(stream.maxFrameBytes())));
    return server.requestHandler(router).listen()
        .onSuccess(s -> LOG.info("event=api_started host={} port={} pool_size={}", api.host(), s.actualPort(), DatabasePool.API.size(database)))
        .onFailure(e -> pool.close());
  }

  @Override
  public Future<?> stop() {
    return server.shutdown(SHUTDOWN_SECONDS, TimeUnit.SECONDS)
        .eventually(() -> pool.close())
        .onComplete(v -> LOG.info("event=api_stopped"));
  }

  /** The bound port, useful when configured as 0. */
  public int port() {
    return server.actualPort();
  }

  private Router router() {
    Router router = Router.router(vertx);
    router.route().handler(new AccessControl(api));
    router.route().handler(ApiVerticle::refuseNul);
    router.get("/health").handler(json(this::health));
    router.get("/metrics").handler(this::metrics);
    router.get("/ready").handler(this::ready);
    router.get("/api/v1/fleet").handler(this::fleet);
    router.get("/api/v1/sessions").handler(json(this::sessions));
    router.get("/api/v1/sessions/:id").handler(json(this::session));
    router.get("/api/v1/sessions/:id/events").handler(json(this::events));
    router.get("/api/v1/sessions/:id/statusline").handler(this::statusLine);
    router.get("/api/v1/quota").handler(json(this::quota));
    router.get("/api/v1/budgets").handler(json(this::budgets));
    router.get("/api/v1/sessions/:id/agents").handler(json(this::agents));
    router.post("/api/v1/sessions/:id/close").handler(json(this::close));
    router.get("/api/v1/projects").handler(json(this::projects));
    router.delete("/api/v1/projects/:project").handler(json(this::deleteProject));
    router.get("/api/v1/runs").handler(json(this::runs));
    router.get("/api/v1/runs/:id").handler(json(this::run));
    router.delete("/api/v1/runs/:id").handler(json(this::deleteRun));
    router.get("/api/v1/checkpoints").handler(json(this::checkpoints));
    router.get("/api/v1/webhooks/deliveries").handler(json(this::deliveries));
    router.post("/api/v1/webhooks/deliveries/:id/retry").handler(json(this::retryDelivery));
    router.get("/api/v1/usage").handler(json(this::usage));
    router.get("/api/v1/reports/:report").handler(this::report);
    router.get("/api/v1/burn-rate").handler(json(this::burnRate));
    router.get("/api/v1/sessions/:id/burn-rate").handler(json(this::sessionBurnRate));
    router.get("/api/v1/analytics/:view").handler(json(this::analytics));
    router.get("/v1/stream").handler(this::stream);
    router.routeWithRegex(DASHBOARD).handler(StaticHandler.create("webroot").setCachingEnabled(false));
    router.route().failureHandler(this::fail);
    router.errorHandler(400, this::malformed);
    router.errorHandler(404, this::fail);
    router.errorHandler(405, this::fail);
    return router;
  }

  /** No id or filter can hold a NUL character (PostgreSQL text cannot): a 400, before the database would refuse it. */
  private static void refuseNul(RoutingContext ctx) {
    String uri = ctx.request().uri();
    if (uri.indexOf('\0') >= 0 || uri.toLowerCase(Locale.ROOT).contains("%00")) {
      ctx.fail(ApiException.badRequest(400,
          "the path or a query parameter contains a NUL character (%00), which no id or filter can hold"));
      return;
    }
    ctx.next();
  }

  /** An endpoint whose result is answered 200 as JSON; its failures go to {@link #fail}. */
  private static Handler<RoutingContext> json(Function<RoutingContext, Future<JsonObject>> endpoint) {
    return ctx -> endpoint.apply(ctx).onSuccess(body -> respond(ctx, 200, body)).onFailure(ctx::fail);
  }

  private Future<JsonObject> health(RoutingContext ctx) {
    return Future.succeededFuture(new JsonObject().put("status", "up"));
  }

  /** Prometheus text format; the session gauges are counted first so the scrape sees the present. */
  private void metrics(RoutingContext ctx) {
    PrometheusMeterRegistry prometheus = Meters.prometheus();
    if (prometheus == null) {
      ctx.fail(ApiException.unavailable("metrics are off: Vert.x was started without the Micrometer options"));
      return;
    }
    sessionGauges.refresh()
        .onFailure(e -> LOG.warn("event=session_gauges_failed reason=\"{}\"", e.getMessage()))
        .onComplete(v -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")
            .end(prometheus.scrape()));
  }

  /** Ready once every owner of tables (persistence, checkpoint) has recorded a successful migration. */
  private void ready(RoutingContext ctx) {
    queries.migrations()
        .onSuccess(migrations -> respond(ctx, migrations.contains(0L) ? 503 : 200, migrations.contains(0L)
            ? notReady("up", "no successful migration is recorded in flyway_schema_history (persistence) or"
                + " flyway_checkpoint_history (checkpoint)")
            : new JsonObject().put("status", "ready").put("database", "up")
                .put("migrations", migrations.stream().mapToLong(Long::longValue).sum()).put("cluster", cluster())))
        .onFailure(error -> respond(ctx, 503, notReady(error)));
  }

  /** Cluster mode, this node's id and the members it sees now (docs/cluster.md); {@code {"enabled": false}} on a single node. */
  private JsonObject cluster() {
    Ownership ownership = Ownership.of(vertx);
    JsonObject cluster = new JsonObject().put("enabled", ownership.clustered());
    return ownership.clustered() ? cluster.put("node", ownership.localNode()).put("members", ownership.members()) : cluster;
  }

  /** The answer while the database cannot be read, in an operator's terms; the log has the database's own text. */
  private static JsonObject notReady(Throwable error) {
    LOG.warn("event=not_ready reason=\"{}\"", error.getMessage());
    return serverAnswered(error)
        ? notReady("up", "the schema is not in place: no migration is recorded (flyway_schema_history or"
            + " flyway_checkpoint_history is missing)")
        : notReady("down", databaseDown(error));
  }

  private static String databaseDown(Throwable error) {
    String state = error instanceof PgException pg && pg.getSqlState() != null ? pg.getSqlState() : "";
    if (state.equals("3D000")) {
      return "the configured database does not exist (pgUrl)";
    }
    if (state.startsWith("28")) {
      return "the database refused the configured user or password (pgUrl)";
    }
    return "the database does not answer; the server log has the details";
  }

  private static JsonObject notReady(String database, String message) {
    return new JsonObject().put("status", "not_ready").put("database", database).put("message", message);
  }

  /** The server took the connection and refused the statement (e.g. no migration history yet): it is up. */
  private static boolean serverAnswered(Throwable error) {
    return error instanceof PgException pg && pg.getSqlState() != null && pg.getSqlState().startsWith("42");
  }

  private Future<JsonObject> sessions(RoutingContext ctx) {
    return queries.sessions(SessionQuery.from(new QueryParameters(ctx)));
  }

  /**
   * Every session's tile summary and the live feed's position they were read at, from the push
   * verticle (the JSON it encoded, written as it is): the dashboard's first paint, before it
   * subscribes to the feed from that position. Synthetic sessions are left out unless asked for.
   */
  private void fleet(RoutingContext ctx) {
    Synthetic synthetic = new QueryParameters(ctx).synthetic(Synthetic.EXCLUDE);
    vertx.eventBus().<Buffer>request(Addresses.PUSH_TILES, synthetic, new DeliveryOptions().setSendTimeout(FLEET_TIMEOUT_MS))
        .onSuccess(reply -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(reply.body()))
        .onFailure(error -> ctx.fail(fleetFailure(error)));
  }

  private static Throwable fleetFailure(Throwable error) {
    if (!(error instanceof ReplyException reply)) {
      return error;
    }
    return switch (reply.failureType()) {
      case NO_HANDLERS -> ApiException.unavailable("the live feed is not running, so the fleet cannot be read; retry later");
      case TIMEOUT -> ApiException.unavailable("the fleet was not read within " + FLEET_TIMEOUT_MS + " ms; retry later");
      case RECIPIENT_FAILURE -> ApiException.unavailable(reply.getMessage());
      default -> reply;
    };
  }

  private Future<JsonObject> session(RoutingContext ctx) {
    return queries.sessionWithContext(ctx.pathParam("id"));
  }

  /** One line of plain text for scripts/statusline.sh; errors are the API's JSON as everywhere. */
  private void statusLine(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    burnRates.lastHourCostPerHour(id, Instant.now())
        .compose(costPerHour -> queries.statusLine(id, costPerHour))
        .onSuccess(line -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8").end(line + "\n"))
        .onFailure(ctx::fail);
  }

  private Future<JsonObject> quota(RoutingContext ctx) {
    return quota.quota(Instant.now());
  }

  private Future<JsonObject> budgets(RoutingContext ctx) {
    return budgets.budgets(Instant.now());
  }

  private Future<JsonObject> events(RoutingContext ctx) {
    QueryParameters query = new QueryParameters(ctx);
    return queries.events(ctx.pathParam("id"), query.text("name"), query.page(100, 1000));
  }

  private Future<JsonObject> agents(RoutingContext ctx) {
    return queries.agents(ctx.pathParam("id"));
  }

  private Future<JsonObject> close(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    return closeOnOwner(id)
        .recover(error -> Future.failedFuture(closeFailure(id, error)))
        .compose(reply -> queries.session(id));
  }

  /** In cluster mode the session's owner closes it: the one node that applies its records. */
  private Future<Message<Object>> closeOnOwner(String id) {
    Ownership ownership = Ownership.of(vertx);
    if (!ownership.clustered()) {
      return vertx.eventBus().request(Addresses.SESSION_CLOSE, new CloseSession(id),
          new DeliveryOptions().setSendTimeout(CLOSE_TIMEOUT_MS));
    }
    return vertx.eventBus().request(Addresses.closeOn(ownership.ownerOf(id)), new CloseSession(id),
        WireCodecs.CLOSE_SESSION.options().setSendTimeout(CLOSE_TIMEOUT_MS));
  }

  private static Throwable closeFailure(String id, Throwable error) {
    return error instanceof ReplyException reply && reply.failureType() == ReplyFailure.RECIPIENT_FAILURE
        && reply.failureCode() == 404 ? ApiException.notFound("no session with id '" + id + "'")
        : ApiException.ofReply(error, "session processor", "close session '" + id + "'", CLOSE_TIMEOUT_MS);
  }

  private Future<JsonObject> projects(RoutingContext ctx) {
    return queries.projects(new QueryParameters(ctx).synthetic(Synthetic.EXCLUDE));
  }

  private Future<JsonObject> runs(RoutingContext ctx) {
    return queries.runs(new QueryParameters(ctx).synthetic(Synthetic.EXCLUDE));
  }

  private Future<JsonObject> run(RoutingContext ctx) {
    return queries.run(ctx.pathParam("id"), new QueryParameters(ctx).synthetic(Synthetic.EXCLUDE));
  }

  /** Every row of the project's sessions (only its synthetic ones with synthetic=only), through their owners. */
  private Future<JsonObject> deleteProject(RoutingContext ctx) {
    String project = ctx.pathParam("project");
    return deleteSessions("project", project, new QueryParameters(ctx), "project '" + project + "'")
        .map(deleted -> new JsonObject().put("project", project).mergeIn(deleted));
  }

  private Future<JsonObject> deleteRun(RoutingContext ctx) {
    String run = ctx.pathParam("id");
    return deleteSessions("run_id", run, new QueryParameters(ctx), "run '" + run + "'")
        .map(deleted -> new JsonObject().put("runId", run).mergeIn(deleted));
  }

  private Future<JsonObject> deleteSessions(String column, String value, QueryParameters query, String what) {
    return queries.sessionIds(column, value, query.synthetic(Synthetic.INCLUDE), what)
        .compose(ids -> deletions.delete(ids, "the sessions of " + what));
  }

  private Future<JsonObject> checkpoints(RoutingContext ctx) {
    QueryParameters query = new QueryParameters(ctx);
    return queries.checkpoints(query.text("session"), query.text("project"),
        query.oneOf("level", List.of("warning", "critical", "compacted")), query.page(100, 1000));
  }

  private Future<JsonObject> deliveries(RoutingContext ctx) {
    QueryParameters query = new QueryParameters(ctx);
    return queries.deliveries(query.oneOf("status", List.of("pending", "delivered", "dead")), query.text("session"),
        query.text("endpoint"), query.page(100, 1000));
  }

  /** Asks the checkpoint verticle, the owner of the outbox, to put the delivery back in its queue. */
  private Future<JsonObject> retryDelivery(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    UUID uuid;
    try {
      uuid = UUID.fromString(id);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(ApiException.notFound("no webhook delivery with id '" + id + "'"));
    }
    return vertx.eventBus().<WebhookDelivery>request(Addresses.RETRY_DELIVERY, new DeliveryRetry(uuid),
            new DeliveryOptions().setSendTimeout(RETRY_TIMEOUT_MS))
        .map(reply -> Rows.delivery(reply.body()))
        .recover(error -> Future.failedFuture(retryFailure(id, error)));
  }

  /** 404 and 409 as the checkpoint verticle said them; anything else as for every request over the bus. */
  private static Throwable retryFailure(String id, Throwable error) {
    if (error instanceof ReplyException reply && reply.failureType() == ReplyFailure.RECIPIENT_FAILURE) {
      if (reply.failureCode() == 404) {
        return ApiException.notFound(reply.getMessage());
      }
      if (reply.failureCode() == 409) {
        return ApiException.conflict(reply.getMessage());
      }
    }
    return ApiException.ofReply(error, "checkpoint verticle", "retry webhook delivery '" + id + "'", RETRY_TIMEOUT_MS);
  }


  private Future<JsonObject> usage(RoutingContext ctx) {
    return usage.usage(UsageQuery.from(new QueryParameters(ctx), Instant.now()));
  }

  private Future<JsonObject> burnRate(RoutingContext ctx) {
    return burnRates.fleet(BurnRateQuery.from(new QueryParameters(ctx), Instant.now()));
  }

  private Future<JsonObject> sessionBurnRate(RoutingContext ctx) {
    return burnRates.session(ctx.pathParam("id"), BurnRateQuery.from(new QueryParameters(ctx), Instant.now()));
  }

  private Future<JsonObject> analytics(RoutingContext ctx) {
    return analytics.analytics(AnalyticsQuery.from(ctx.pathParam("view"), new QueryParameters(ctx), Instant.now()));
  }

  /** A report as JSON, or as CSV with {@code format=csv} or {@code Accept: text/csv}. */
  private void report(RoutingContext ctx) {
    QueryParameters query = new QueryParameters(ctx);
    ReportQuery report = ReportQuery.from(ctx.pathParam("report"), query);
    String format = query.oneOf("format", List.of("json", "csv"));
    boolean csv = format == null ? String.valueOf(ctx.request().getHeader(HttpHeaders.ACCEPT)).contains("text/csv") : format.equals("csv");
    reports.report(report).onSuccess(body -> respondReport(ctx, csv, body)).onFailure(ctx::fail);
  }

  private static void respondReport(RoutingContext ctx, boolean csv, JsonObject report) {
    if (csv) {
      ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "text/csv; charset=utf-8").end(ReportCsv.of(report));
    } else {
      respond(ctx, 200, report);
    }
  }

  /** Accepts the WebSocket (the token was checked like every request's) and hands it to the push verticle, which owns it from then on. */
  private void stream(RoutingContext ctx) {
    // checked here so the answer is the API's JSON; a handshake Vert.x refuses further on (a bad key or
    // version) it answers itself, in plain text
    if (!"websocket".equalsIgnoreCase(ctx.request().getHeader(HttpHeaders.UPGRADE))) {
      ctx.fail(ApiException.badRequest(400, "/v1/stream expects a WebSocket upgrade (Upgrade: websocket); see docs/websocket.md"));
      return;
    }
    ctx.request().toWebSocket().onSuccess(this::handOver);
  }

  private void handOver(ServerWebSocket socket) {
    // frames wait until the push verticle has set its handlers; a message over the limit sent at
    // once is refused by Vert.x's decoder even now, and would otherwise go unanswered (1006, not 1009)
    socket.exceptionHandler(error -> FeedClose.tooLarge(socket, stream.maxFrameBytes()));
    socket.pause();
    vertx.eventBus().request(Addresses.PUSH_CONNECT, socket, new DeliveryOptions().setCodecName(LocalCodec.WEBSOCKET))
        .onFailure(error -> socket.close(FeedClose.INTERNAL_ERROR, "the live feed is not running"));
  }

  /** The one place that formats errors: {@code {"error": code, "message": sentence}}. */
  private void fail(RoutingContext ctx) {
    respondError(ctx, apiError(ctx));
  }

  /** A request Vert.x refused before routing it (its path does not decode). */
  private void malformed(RoutingContext ctx) {
    respondError(ctx, ApiException.badRequest(400, "cannot answer " + ctx.request().method() + " " + ctx.request().path()
        + ": " + clientProblem(400)));
  }

  private void respondError(RoutingContext ctx, ApiException error) {
    HttpServerResponse response = ctx.response();
    if (response.ended() || response.closed()) {
      return;
    }
    switch (error.status) {
      case 405 -> response.putHeader(HttpHeaders.ALLOW, allowedMethods(ctx.request().path()));
      case 503 -> response.putHeader(HttpHeaders.RETRY_AFTER, Integer.toString(RETRY_AFTER_SECONDS));
      default -> { }
    }
    respond(ctx, error.status, new JsonObject().put("error", error.code).put("message", error.getMessage()));
  }

  private ApiException apiError(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    String request = ctx.request().method() + " " + ctx.request().path();
    if (failure instanceof ApiException e) {
      return e;
    }
    if (failure == null && ctx.statusCode() == 404) {
      return ApiException.notFound("no endpoint at " + ctx.request().path()
          + "; see /api/v1/sessions, /api/v1/projects, /api/v1/runs, /health and /ready");
    }
    if (failure == null && ctx.statusCode() == 405) {
      return ApiException.methodNotAllowed("method " + ctx.request().method() + " is not allowed on "
          + ctx.request().path() + "; use " + allowedMethods(ctx.request().path()));
    }
    if (ctx.statusCode() >= 400 && ctx.statusCode() < 500) {
      // Vert.x's own refusals (a bad %-escape, say) carry its wording: answer in the client's terms
      return ApiException.badRequest(ctx.statusCode(), "cannot answer " + request + ": " + clientProblem(ctx.statusCode()));
    }
    LOG.error("event=api_error request=\"{}\"", request, failure);
    return ApiException.internal("internal error while answering " + request + "; the server log has the details");
  }

  private static String clientProblem(int status) {
    return switch (status) {
      case 400 -> "the path or the query string is not valid %-encoding (a % must be followed by two hex digits)";
      case 413 -> "the request is too large";
      default -> "the request is not valid (HTTP " + status + ")";
    };
  }

  /** The methods the router has for {@code path}, for the Allow header of a 405. */
  private String allowedMethods(String path) {
    return router.getRoutes().stream()
        .filter(route -> route.getPath() != null && route.methods() != null && matches(route, path))
        .flatMap(route -> route.methods().stream())
        .map(HttpMethod::name)
        .distinct()
        .sorted()
        .collect(Collectors.joining(", "));
  }

  private static boolean matches(Route route, String path) {
    return path.matches(route.getPath().replaceAll(":[^/]+", "[^/]+"));
  }

  private static void respond(RoutingContext ctx, int status, JsonObject body) {
    HttpServerResponse response = ctx.response();
    if (!response.closed()) {
      response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.toBuffer());
    }
  }
}
