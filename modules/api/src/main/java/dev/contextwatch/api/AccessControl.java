package dev.contextwatch.api;

import dev.contextwatch.core.config.ApiConfig;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.PlatformHandler;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Set;

/**
 * Who may use the API port. {@code /health} and {@code /ready} are open; closing a session and
 * retrying a delivery need the admin token (the API token when there is none); everything else
 * (queries, {@code /metrics}, the dashboard, the feed) needs the API token or the admin token. A
 * token comes as {@code Authorization: Bearer}, or as {@code ?token=} for browsers, which then get
 * it back as an HTTP-only cookie so the dashboard's own requests and WebSocket carry it.
 * Comparisons take constant time.
 */
final class AccessControl implements PlatformHandler {
  static final String COOKIE = "contextwatch_token";
  private static final Set<String> OPEN = Set.of("/health", "/ready");

  private final byte[] apiToken;
  private final byte[] adminToken;

  AccessControl(ApiConfig config) {
    this.apiToken = bytes(config.token());
    this.adminToken = bytes(config.adminToken());
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    // the only POSTs on this port are the admin actions
    boolean admin = request.method() == HttpMethod.POST;
    if (OPEN.contains(request.path()) || (apiToken.length == 0 && adminToken.length == 0)
        || (!admin && apiToken.length == 0)) {
      ctx.next();
      return;
    }
    String fromQuery = request.getParam("token");
    String given = bearer(request);
    if (given == null) {
      given = fromQuery != null ? fromQuery : cookie(request);
    }
    if (given == null) {
      ctx.fail(ApiException.unauthorized(request.path() + " needs the " + (admin ? "admin" : "API")
          + " token, as Authorization: Bearer <token> or ?token=<token>"));
      return;
    }
    byte[] presented = bytes(given);
    boolean allowed = admin ? matches(presented, adminToken.length > 0 ? adminToken : apiToken)
        : matches(presented, apiToken) || matches(presented, adminToken);
    if (!allowed) {
      ctx.fail(ApiException.unauthorized("wrong " + (admin ? "admin" : "API") + " token for " + request.path()));
      return;
    }
    if (fromQuery != null && !admin) {
      ctx.response().addCookie(Cookie.cookie(COOKIE, fromQuery).setHttpOnly(true).setPath("/")
          .setSameSite(CookieSameSite.STRICT).setSecure(request.isSSL()));
    }
    ctx.next();
  }

  private static String bearer(HttpServerRequest request) {
    String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
    return authorization != null && authorization.startsWith("Bearer ") ? authorization.substring("Bearer ".length()) : null;
  }

  private static String cookie(HttpServerRequest request) {
    Cookie cookie = request.getCookie(COOKIE);
    return cookie == null ? null : cookie.getValue();
  }

  /** An empty expected token never matches: that door is governed by the other token. */
  private static boolean matches(byte[] presented, byte[] expected) {
    return expected.length > 0 && MessageDigest.isEqual(presented, expected);
  }

  private static byte[] bytes(String token) {
    return token.getBytes(StandardCharsets.UTF_8);
  }
}
