package dev.contextwatch.api;

import dev.contextwatch.core.config.ApiConfig;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.PlatformHandler;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Who may use the API port. {@code /health} and {@code /ready} are open; closing a session,
 * retrying a delivery and deleting a project's or a run's data need the admin token (the API token
 * when there is none); everything else (queries, {@code /metrics}, the dashboard, the feed) needs
 * the API token or the admin token. A token comes as {@code Authorization: Bearer} (the scheme in
 * any case, RFC 7235), or for reads as {@code ?token=} for browsers, which then get it back as an
 * HTTP-only cookie so the dashboard's own requests and WebSocket carry it. A write (POST, DELETE) is
 * authorised by the header alone, so that a link or a page elsewhere can never act with a browser's
 * cookie; for the same reason a browser's WebSocket handshake must come from the server's own
 * origin or an allowed one. Comparisons take constant time.
 */
final class AccessControl implements PlatformHandler {
  static final String COOKIE = "contextwatch_token";
  private static final Set<String> OPEN = Set.of("/health", "/ready");
  private static final String BEARER = "Bearer";

  private final byte[] apiToken;
  private final byte[] adminToken;
  private final List<String> allowedOrigins;

  AccessControl(ApiConfig config) {
    this.apiToken = bytes(config.token());
    this.adminToken = bytes(config.adminToken());
    this.allowedOrigins = config.allowedOrigins();
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    // the only POSTs and DELETEs on this port are the admin actions
    boolean admin = request.method() == HttpMethod.POST || request.method() == HttpMethod.DELETE;
    if (OPEN.contains(request.path()) || (apiToken.length == 0 && adminToken.length == 0)
        || (!admin && apiToken.length == 0)) {
      ctx.next();
      return;
    }
    String fromQuery = request.getParam("token");
    String given = bearer(request);
    if (given == null && !admin) {
      given = fromQuery != null ? fromQuery : cookie(request);
    }
    if (given == null) {
      ctx.fail(ApiException.unauthorized(admin
          ? request.path() + " changes state and needs the admin token as an Authorization: Bearer <token> header;"
              + " ?token= and the dashboard's cookie are accepted for reads only"
          : request.path() + " needs the API token, as Authorization: Bearer <token> or ?token=<token>"));
      return;
    }
    byte[] presented = bytes(given);
    boolean allowed = admin ? matches(presented, adminToken.length > 0 ? adminToken : apiToken)
        : matches(presented, apiToken) || matches(presented, adminToken);
    if (!allowed) {
      ctx.fail(ApiException.unauthorized("wrong " + (admin ? "admin" : "API") + " token for " + request.path()));
      return;
    }
    String origin = request.getHeader(HttpHeaders.ORIGIN);
    if (origin != null && isWebSocket(request) && !originAllowed(origin, request.authority())) {
      ctx.fail(ApiException.forbidden("a WebSocket from a page of origin '" + origin + "' is refused: only pages of this"
          + " server and of the origins in apiAllowedOrigins may open the live feed"));
      return;
    }
    if (fromQuery != null && !admin) {
      ctx.response().addCookie(Cookie.cookie(COOKIE, fromQuery).setHttpOnly(true).setPath("/")
          .setSameSite(CookieSameSite.STRICT).setSecure(request.isSSL()));
    }
    ctx.next();
  }

  /** The credentials of {@code Authorization: Bearer <token>}, the scheme in any case; null for any other header. */
  private static String bearer(HttpServerRequest request) {
    String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
    if (authorization == null) {
      return null;
    }
    String[] parts = authorization.trim().split(" +", 2);
    return parts.length == 2 && parts[0].equalsIgnoreCase(BEARER) ? parts[1].trim() : null;
  }

  private static String cookie(HttpServerRequest request) {
    Cookie cookie = request.getCookie(COOKIE);
    return cookie == null ? null : cookie.getValue();
  }

  private static boolean isWebSocket(HttpServerRequest request) {
    return "websocket".equalsIgnoreCase(request.getHeader(HttpHeaders.UPGRADE));
  }

  /**
   * A page's Origin is let in when it is in the allow-list or names the host and port this request
   * was sent to (a default port may be left out on either side, as browsers and proxies do).
   */
  private boolean originAllowed(String origin, HostAndPort host) {
    String normalized = origin.trim().toLowerCase(Locale.ROOT);
    if (allowedOrigins.contains(normalized)) {
      return true;
    }
    try {
      URI uri = new URI(normalized);
      int defaultPort = "https".equals(uri.getScheme()) ? 443 : 80;
      return host != null && uri.getHost() != null && uri.getHost().equalsIgnoreCase(host.host())
          && withoutDefault(uri.getPort(), defaultPort) == withoutDefault(host.port(), defaultPort);
    } catch (URISyntaxException notAnOrigin) {
      return false;
    }
  }

  private static int withoutDefault(int port, int defaultPort) {
    return port == defaultPort ? -1 : port;
  }

  /** An empty expected token never matches: that door is governed by the other token. */
  private static boolean matches(byte[] presented, byte[] expected) {
    return expected.length > 0 && MessageDigest.isEqual(presented, expected);
  }

  private static byte[] bytes(String token) {
    return token.getBytes(StandardCharsets.UTF_8);
  }
}
