package dev.contextwatch.core.config;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds the typed configuration from three layers, later ones winning: the defaults bundled from
 * config/contextwatch.json, a JSON file ({@code --config FILE}, else ./config/contextwatch.json when
 * present), and {@code CONTEXTWATCH_*} environment variables (key {@code pgUrl} is
 * {@code CONTEXTWATCH_PG_URL}). Every bad value fails with a message naming the key and its source.
 */
public final class ConfigLoader {
  public static final String ENV_PREFIX = "CONTEXTWATCH_";
  public static final Path DEFAULT_FILE = Path.of("config", "contextwatch.json");
  private static final String DEFAULTS_RESOURCE = "/contextwatch.json";

  private final JsonObject values;
  private final Map<String, String> sources = new HashMap<>();

  private ConfigLoader(JsonObject defaults) {
    this.values = defaults.copy();
    defaults.fieldNames().forEach(key -> sources.put(key, "default"));
  }

  /** Defaults only: what tests start from. */
  public static ContextwatchConfig defaults() {
    return new ConfigLoader(bundledDefaults()).build();
  }

  /**
   * @param file the file given with --config, or null for ./config/contextwatch.json if it exists
   * @param env the environment to read CONTEXTWATCH_* variables from
   */
  public static ContextwatchConfig load(Path file, Map<String, String> env) {
    ConfigLoader loader = new ConfigLoader(bundledDefaults());
    Path chosen = file != null ? file : Files.exists(DEFAULT_FILE) ? DEFAULT_FILE : null;
    if (file != null && !Files.isRegularFile(file)) {
      throw new ConfigException("--config: no such file: " + file);
    }
    if (chosen != null) {
      loader.overlayFile(chosen);
    }
    loader.overlayEnv(env);
    return loader.build();
  }

  /** The environment variable that overrides a key: pgUrl becomes CONTEXTWATCH_PG_URL. */
  public static String envName(String key) {
    return ENV_PREFIX + key.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase();
  }

  /** Every key with its default, in file order. */
  public static JsonObject bundledDefaults() {
    try (InputStream in = ConfigLoader.class.getResourceAsStream(DEFAULTS_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("defaults " + DEFAULTS_RESOURCE + " missing from the classpath");
      }
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read bundled defaults", e);
    }
  }

  private void overlayFile(Path file) {
    JsonObject fromFile;
    try {
      fromFile = new JsonObject(Files.readString(file));
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
    } catch (DecodeException e) {
      throw new ConfigException("config file " + file + " is not a JSON object: " + e.getMessage());
    }
    for (String key : fromFile.fieldNames()) {
      if (!values.containsKey(key)) {
        throw new ConfigException("unknown key '" + key + "' in " + file);
      }
      Object value = fromFile.getValue(key);
      String source = file.toString();
      if (!sameType(values.getValue(key), value)) {
        throw new ConfigException(bad(key, source, "expected " + typeName(values.getValue(key)) + ", got " + value));
      }
      values.put(key, value);
      sources.put(key, source);
    }
  }

  private void overlayEnv(Map<String, String> env) {
    for (String key : values.fieldNames()) {
      String name = envName(key);
      String raw = env.get(name);
      if (raw == null) {
        continue;
      }
      sources.put(key, name);
      Object current = values.getValue(key);
      values.put(key, current instanceof Number ? parseInteger(key, raw)
          : current instanceof String ? raw.trim()
          : current instanceof Boolean ? parseBoolean(key, raw)
          : parseJson(key, raw, current));
    }
  }

  /** Keys whose value is a JSON array or object take the JSON text from the environment. */
  private Object parseJson(String key, String raw, Object current) {
    try {
      Object parsed = io.vertx.core.json.Json.decodeValue(raw.trim());
      if (current instanceof JsonArray && parsed instanceof JsonArray || current instanceof JsonObject && parsed instanceof JsonObject) {
        return parsed;
      }
    } catch (DecodeException e) {
      throw new ConfigException(bad(key, sources.get(key), "not valid JSON: " + e.getMessage()));
    }
    throw new ConfigException(bad(key, sources.get(key), "expected " + typeName(current)));
  }

  private boolean parseBoolean(String key, String raw) {
    return switch (raw.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "true", "1", "yes" -> true;
      case "false", "0", "no" -> false;
      default -> throw new ConfigException(bad(key, sources.get(key), "expected true or false, got '" + raw + "'"));
    };
  }

  private long parseInteger(String key, String raw) {
    try {
      return Long.parseLong(raw.trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(bad(key, sources.get(key), "expected an integer, got '" + raw + "'"));
    }
  }

  private ContextwatchConfig build() {
    ReceiverConfig receiver = new ReceiverConfig(
        string("otlpHttpHost"),
        intIn("otlpHttpPort", 0, 65535),
        intIn("otlpGrpcPort", 0, 65535),
        intIn("receiverInstances", 1, 64),
        intIn("maxBodyBytes", 1024, Integer.MAX_VALUE - 8),
        intIn("maxInFlightRequests", 1, 1_000_000),
        intIn("maxInFlightPerConnection", 1, 1_000_000),
        intIn("maxBufferedBodyBytes", 1024, Integer.MAX_VALUE - 8),
        intIn("otlpIdleTimeoutSeconds", 1, 86_400),
        intIn("otlpBodyTimeoutMs", 100, 600_000),
        string("ingestToken"),
        intIn("storeTimeoutMs", 100, 600_000),
        intIn("retryAfterSeconds", 1, 3600),
        (Boolean) values.getValue("storeContent"),
        intIn("maxAttributesPerRecord", 1, 10_000),
        intIn("maxAttributeValueChars", 16, 16 * 1024 * 1024),
        List.of(nonEmpty("runIdAttribute"), nonEmpty("parentSessionAttribute")),
        tls("otlpTlsCertFile", "otlpTlsKeyFile"),
        (Boolean) values.getValue("contextReloading"));
    checkReceiver(receiver);
    DatabaseConfig database = new DatabaseConfig(
        pgUrl("pgUrl"),
        string("pgDataDir"),
        intIn("pgEmbeddedPort", 0, 65535),
        intIn("pgPoolSize", 1, 256),
        intIn("pgConnectTimeoutMs", 100, 600_000));
    WriterConfig writer = new WriterConfig(
        intIn("writerMaxBatchRecords", 1, 1_000_000),
        intIn("writerFlushIntervalMs", 0, 10_000),
        intIn("writerMaxQueuedRecords", 1, 100_000_000),
        intIn("writerMaxConcurrentFlushes", 1, 64));
    if (writer.maxConcurrentFlushes() > database.poolSize()) {
      throw new ConfigException(bad("writerMaxConcurrentFlushes", sources.get("writerMaxConcurrentFlushes"),
          "must not exceed pgPoolSize (" + database.poolSize() + ")"));
    }
    ApiConfig api = new ApiConfig(string("apiHost"), intIn("apiPort", 0, 65535), tls("apiTlsCertFile", "apiTlsKeyFile"),
        string("apiToken"), string("adminToken"), origins("apiAllowedOrigins"));
    SessionConfig sessions = new SessionConfig(
        intIn("sessionActiveMinutes", 1, 10_000),
        intIn("sessionIdleMinutes", 1, 100_000),
        nonEmpty("runIdAttribute"),
        nonEmpty("parentSessionAttribute"),
        string("modelsFile"),
        intIn("maxSessionsInMemory", 100, 100_000_000),
        intIn("dedupCacheRecords", 1000, 100_000_000),
        intIn("maxKeysPerSession", 1, 100_000),
        intIn("processorStoreTimeoutMs", 100, 600_000),
        compactionThresholds());
    if (sessions.idleMinutes() <= sessions.activeMinutes()) {
      throw new ConfigException(bad("sessionIdleMinutes", sources.get("sessionIdleMinutes"),
          "must be greater than sessionActiveMinutes (" + sessions.activeMinutes() + ")"));
    }
    if (!sessions.modelsFile().isEmpty() && !Files.isRegularFile(Path.of(sessions.modelsFile()))) {
      throw new ConfigException(bad("modelsFile", sources.get("modelsFile"), "no such file: " + sessions.modelsFile()));
    }
    RetentionConfig retention = new RetentionConfig(intIn("retentionEventsDays", 0, 36_500),
        intIn("retentionPointsDays", 0, 36_500), intIn("retentionSpansDays", 0, 36_500),
        intIn("retentionIntervalMinutes", 1, 10_080), intIn("retentionBatchRows", 1, 1_000_000));
    return new ContextwatchConfig(receiver, api, database, writer, retention, sessions, checkpoints(), stream(),
        intIn("shutdownTimeoutMs", 100, 600_000), cluster());
  }

  /** Off, nothing but the types is checked (no lookup of this machine's addresses); on, the host must be one of its own. */
  private ClusterConfig cluster() {
    boolean enabled = (Boolean) values.getValue("clusterEnabled");
    int port = intIn("clusterPort", 1, 65535);
    List<String> members = clusterChecked("clusterMembers", ClusterAddresses::members);
    String host = enabled ? clusterChecked("clusterHost", ClusterAddresses::localHost) : string("clusterHost");
    return new ClusterConfig(enabled, host, port, members);
  }

  private <T> T clusterChecked(String key, java.util.function.Function<String, T> check) {
    try {
      return check.apply(string(key).trim());
    } catch (IllegalArgumentException e) {
      throw new ConfigException(bad(key, sources.get(key), e.getMessage()));
    }
  }

  /** A receiver must be able to hold one whole body, and keep a connection open while a request waits for its commit. */
  private void checkReceiver(ReceiverConfig receiver) {
    if (receiver.maxBufferedBodyBytes() < receiver.maxBodyBytes()) {
      throw new ConfigException(bad("maxBufferedBodyBytes", sources.get("maxBufferedBodyBytes"),
          "must be at least maxBodyBytes (" + receiver.maxBodyBytes() + ")"));
    }
    if (receiver.idleTimeoutSeconds() * 1000L <= receiver.storeTimeoutMs()) {
      throw new ConfigException(bad("otlpIdleTimeoutSeconds", sources.get("otlpIdleTimeoutSeconds"),
          "must be longer than storeTimeoutMs (" + receiver.storeTimeoutMs() + " ms)"));
    }
  }

  private CheckpointConfig checkpoints() {
    LevelThresholds global = new LevelThresholds(intIn("levelWarningPercent", 1, 100), intIn("levelCriticalPercent", 1, 100),
        intIn("levelWarningRequests", 0, 1000), intIn("levelCriticalRequests", 0, 1000));
    Map<String, LevelThresholds> perProject = new HashMap<>();
    JsonObject overrides = (JsonObject) values.getValue("levelOverrides");
    for (String project : overrides.fieldNames()) {
      perProject.put(project, projectLevels(project, overrides.getValue(project), global));
    }
    List<WebhookEndpoint> endpoints = new ArrayList<>();
    JsonArray webhooks = (JsonArray) values.getValue("webhooks");
    for (int i = 0; i < webhooks.size(); i++) {
      endpoints.add(webhook(i, webhooks.getValue(i)));
    }
    if (endpoints.stream().map(WebhookEndpoint::name).distinct().count() != endpoints.size()) {
      throw new ConfigException(bad("webhooks", sources.get("webhooks"), "two endpoints have the same name"));
    }
    return new CheckpointConfig(global, Map.copyOf(perProject), intIn("checkpointSamples", 1, 1000), List.copyOf(endpoints),
        intIn("webhookTimeoutMs", 100, 600_000), intIn("webhookMaxAttempts", 1, 100),
        intIn("webhookBackoffBaseMs", 1, 3_600_000), intIn("webhookMaxInFlight", 1, 1000),
        intIn("lifecycleSweepSeconds", 1, 3600), intIn("quotaWarningPercent", 1, 100), budgets());
  }

  private List<Budget> budgets() {
    List<Budget> budgets = new ArrayList<>();
    JsonArray given = (JsonArray) values.getValue("budgets");
    for (int i = 0; i < given.size(); i++) {
      budgets.add(new BudgetParser("budgets[" + i + "]", sources.get("budgets")).parse(given.getValue(i)));
    }
    if (budgets.stream().map(Budget::name).distinct().count() != budgets.size()) {
      throw new ConfigException(bad("budgets", sources.get("budgets"), "two budgets have the same name"));
    }
    return List.copyOf(budgets);
  }

  /** One entry of {@code budgets}, each problem naming its field. */
  private record BudgetParser(String where, String source) {
    private static final Set<String> FIELDS = Set.of("name", "period", "costUsd", "tokens", "project", "scope", "user", "warnPercent",
        "tz");

    Budget parse(Object value) {
      if (!(value instanceof JsonObject o)) {
        throw fail("", "expected an object with name, period and costUsd or tokens");
      }
      o.fieldNames().stream().filter(field -> !FIELDS.contains(field)).findFirst()
          .ifPresent(field -> { throw fail("." + field, "unknown field; known: " + new java.util.TreeSet<>(FIELDS)); });
      String name = text(o, "name");
      if (name == null || name.isBlank()) {
        throw fail(".name", "every budget needs a name");
      }
      String periodLabel = text(o, "period");
      Budget.Period period = Budget.Period.parse(periodLabel)
          .orElseThrow(() -> fail(".period", "expected session, day, week or month, got '" + periodLabel + "'"));
      Long costMicros = positive(o, "costUsd", 1_000_000);
      Long tokens = positive(o, "tokens", 1);
      if (costMicros == null && tokens == null) {
        throw fail("", "needs costUsd or tokens (or both)");
      }
      Object scope = o.getValue("scope");
      if (scope != null && !"fleet".equals(scope)) {
        throw fail(".scope", "expected \"fleet\" (omit it for a budget per project), got '" + scope + "'");
      }
      String project = text(o, "project");
      if (scope != null && project != null) {
        throw fail(".scope", "a fleet budget names no project");
      }
      Object warn = o.getValue("warnPercent", Budget.DEFAULT_WARN_PERCENT);
      if (!(warn instanceof Number n) || !isWhole(n) || n.intValue() < 1 || n.intValue() > 100) {
        throw fail(".warnPercent", "expected a whole percentage between 1 and 100, got " + warn);
      }
      return new Budget(name, period, costMicros, tokens, project, scope != null, text(o, "user"), n.intValue(), zone(o));
    }

    private ZoneId zone(JsonObject o) {
      String tz = text(o, "tz");
      try {
        return tz == null ? ZoneOffset.UTC : ZoneId.of(tz);
      } catch (DateTimeException e) {
        throw fail(".tz", "expected an IANA time zone such as Europe/Berlin or UTC, got '" + tz + "'");
      }
    }

    private String text(JsonObject o, String field) {
      Object value = o.getValue(field);
      if (value != null && !(value instanceof String)) {
        throw fail("." + field, "expected a string, got " + value);
      }
      return (String) value;
    }

    /** A positive limit in the field's unit, scaled to the unit counted ({@code scale} per unit); null when absent. */
    private Long positive(JsonObject o, String field, long scale) {
      Object value = o.getValue(field);
      if (value == null) {
        return null;
      }
      if (!(value instanceof Number n) || n.doubleValue() <= 0 || n.doubleValue() * scale > Long.MAX_VALUE / 2
          || scale == 1 && !isWhole(n)) {
        throw fail("." + field, "expected a positive number" + (scale == 1 ? " of whole tokens" : " of dollars") + ", got " + value);
      }
      return Math.round(n.doubleValue() * scale);
    }

    private ConfigException fail(String field, String problem) {
      return new ConfigException(bad(where + field, source, problem));
    }
  }

  /** {@code {"sessions": {id: tokens}, "projects": {name: tokens}}}, each whole and between 1,000 and 100,000,000. */
  private CompactionThresholds compactionThresholds() {
    String key = "autoCompactThresholds";
    JsonObject given = (JsonObject) values.getValue(key);
    for (String field : given.fieldNames()) {
      if (!Set.of("sessions", "projects").contains(field)) {
        throw new ConfigException(bad(key + "." + field, sources.get(key), "expected sessions or projects"));
      }
    }
    return new CompactionThresholds(tokensByName(key, given, "sessions"), tokensByName(key, given, "projects"));
  }

  private Map<String, Long> tokensByName(String key, JsonObject given, String field) {
    Object value = given.getValue(field, new JsonObject());
    if (!(value instanceof JsonObject byName)) {
      throw new ConfigException(bad(key + "." + field, sources.get(key), "expected an object of name: tokens"));
    }
    Map<String, Long> tokens = new HashMap<>();
    for (String name : byName.fieldNames()) {
      Object n = byName.getValue(name);
      if (!(n instanceof Number number) || !isWhole(number) || number.longValue() < 1_000 || number.longValue() > 100_000_000) {
        throw new ConfigException(bad(key + "." + field + "." + name, sources.get(key),
            "expected a whole number of tokens between 1000 and 100000000, got " + n));
      }
      tokens.put(name, number.longValue());
    }
    return Map.copyOf(tokens);
  }

  private LevelThresholds projectLevels(String project, Object value, LevelThresholds global) {
    String where = "levelOverrides." + project;
    if (!(value instanceof JsonObject o)) {
      throw new ConfigException(bad(where, sources.get("levelOverrides"), "expected an object of level thresholds"));
    }
    for (String field : o.fieldNames()) {
      if (!Set.of("warningPercent", "criticalPercent", "warningRequests", "criticalRequests").contains(field)
          || !(o.getValue(field) instanceof Integer || o.getValue(field) instanceof Long)) {
        throw new ConfigException(bad(where + "." + field, sources.get("levelOverrides"),
            "expected one of warningPercent, criticalPercent, warningRequests, criticalRequests with an integer value"));
      }
    }
    return new LevelThresholds(o.getInteger("warningPercent", global.warningPercent()),
        o.getInteger("criticalPercent", global.criticalPercent()),
        o.getInteger("warningRequests", global.warningRequests()),
        o.getInteger("criticalRequests", global.criticalRequests()));
  }

  private WebhookEndpoint webhook(int index, Object value) {
    String where = "webhooks[" + index + "]";
    String source = sources.get("webhooks");
    if (!(value instanceof JsonObject o)) {
      throw new ConfigException(bad(where, source, "expected an object with url, secret and events"));
    }
    String url = o.getString("url", "");
    if (!url.startsWith("http://") && !url.startsWith("https://")) {
      throw new ConfigException(bad(where + ".url", source, "expected an http:// or https:// URL, got '" + url + "'"));
    }
    String secret = o.getString("secret", "");
    if (secret.isEmpty()) {
      throw new ConfigException(bad(where + ".secret", source, "every endpoint needs a secret to sign its deliveries"));
    }
    Set<String> events = new HashSet<>();
    o.getJsonArray("events", new JsonArray(new ArrayList<>(WebhookEndpoint.DEFAULT_EVENT_TYPES))).forEach(e -> {
      if (!WebhookEndpoint.EVENT_TYPES.contains(e)) {
        throw new ConfigException(bad(where + ".events", source, "unknown event type '" + e + "'; known: "
            + new java.util.TreeSet<>(WebhookEndpoint.EVENT_TYPES)));
      }
      events.add((String) e);
    });
    Set<String> projects = new HashSet<>();
    o.getJsonArray("projects", new JsonArray()).forEach(p -> projects.add(String.valueOf(p)));
    Object synthetic = o.getValue("synthetic", false);
    if (!(synthetic instanceof Boolean)) {
      throw new ConfigException(bad(where + ".synthetic", source,
          "expected true (also announce the sessions a load test simulated) or false, got '" + synthetic + "'"));
    }
    return new WebhookEndpoint(o.getString("name", URI.create(url).getHost() + "#" + index), url, secret,
        Set.copyOf(events), Set.copyOf(projects), (Boolean) synthetic);
  }

  /** Browser origins as a page's Origin header spells them: scheme, host and a port only when not the scheme's default. */
  private List<String> origins(String key) {
    List<String> origins = new ArrayList<>();
    for (Object value : (JsonArray) values.getValue(key)) {
      String origin = value instanceof String text ? text.trim().toLowerCase(java.util.Locale.ROOT) : "";
      if (!origin.matches("https?://[^/?#\\s]+")) {
        throw new ConfigException(bad(key, sources.get(key),
            "expected origins such as \"https://dashboards.example.com\" (scheme and host, no path), got '" + value + "'"));
      }
      origins.add(origin);
    }
    return List.copyOf(origins);
  }

  private StreamConfig stream() {
    StreamConfig stream = new StreamConfig(intIn("streamMaxConnections", 1, 1_000_000),
        intIn("streamMaxFrameBytes", 256, 16 * 1024 * 1024), intIn("streamQueueFrames", 10, 1_000_000),
        intIn("streamQueueBytes", 64 * 1024, Integer.MAX_VALUE), intIn("streamRingFrames", 10, 10_000_000),
        intIn("streamRingBytes", 64 * 1024, Integer.MAX_VALUE), intIn("streamSnapshotBytes", 16 * 1024, Integer.MAX_VALUE / 2),
        intIn("streamPingSeconds", 1, 3600));
    if (stream.queueBytes() < 2L * stream.snapshotBytes()) {
      throw new ConfigException(bad("streamQueueBytes", sources.get("streamQueueBytes"),
          "must be at least twice streamSnapshotBytes (" + stream.snapshotBytes() + "), so that a snapshot always fits"));
    }
    return stream;
  }

  private String string(String key) {
    return values.getValue(key).toString();
  }

  /** Both files or neither, and each readable. */
  private TlsFiles tls(String certKey, String keyKey) {
    String cert = string(certKey);
    String key = string(keyKey);
    if (cert.isEmpty() != key.isEmpty()) {
      String missing = cert.isEmpty() ? certKey : keyKey;
      throw new ConfigException(bad(missing, sources.get(missing), "must be set together with " + (cert.isEmpty() ? keyKey : certKey)));
    }
    for (String k : List.of(certKey, keyKey)) {
      if (!string(k).isEmpty() && !Files.isReadable(Path.of(string(k)))) {
        throw new ConfigException(bad(k, sources.get(k), "no readable file " + string(k)));
      }
    }
    return cert.isEmpty() ? TlsFiles.NONE : new TlsFiles(cert, key);
  }

  private String nonEmpty(String key) {
    String value = string(key);
    if (value.isBlank()) {
      throw new ConfigException(bad(key, sources.get(key), "must not be empty"));
    }
    return value;
  }

  private int intIn(String key, int min, int max) {
    long value = ((Number) values.getValue(key)).longValue();
    if (value < min || value > max) {
      throw new ConfigException(bad(key, sources.get(key), "must be between " + min + " and " + max + ", got " + value));
    }
    return (int) value;
  }

  private String pgUrl(String key) {
    String url = string(key);
    if (url.isEmpty()) {
      return url;
    }
    String problem = null;
    try {
      URI uri = new URI(url);
      if (!"postgresql".equals(uri.getScheme()) && !"postgres".equals(uri.getScheme())) {
        problem = "scheme must be postgresql://";
      } else if (uri.getHost() == null) {
        problem = "no host";
      }
    } catch (URISyntaxException e) {
      problem = e.getReason();
    }
    if (problem != null) {
      throw new ConfigException(bad(key, sources.get(key),
          "expected postgresql://user:password@host:port/db (" + problem + ")"));
    }
    return url;
  }

  private static String bad(String key, String source, String problem) {
    return "invalid configuration key '" + key + "' (from " + source + "): " + problem;
  }

  private static boolean sameType(Object expected, Object actual) {
    return expected instanceof Number ? actual instanceof Number && isWhole((Number) actual)
        : expected instanceof String ? actual instanceof String
        : expected.getClass().isInstance(actual);
  }

  private static boolean isWhole(Number n) {
    return n.doubleValue() == Math.rint(n.doubleValue());
  }

  private static String typeName(Object value) {
    return value instanceof Number ? "an integer" : value instanceof String ? "a string"
        : value instanceof Boolean ? "true or false" : value instanceof JsonArray ? "a JSON array" : "a JSON object";
  }
}
