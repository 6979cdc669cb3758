package dev.contextwatch.loadtest;

import dev.contextwatch.loadtest.Ledger.Expected;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/**
 * Checks what the pipeline stored against the {@link Ledger}:
 *
 * <ul>
 *   <li>records: every event of an acknowledged request is stored exactly once (by session and
 *       event.sequence), every metric point too (by session and export time, which is unique per
 *       export); read straight from the database when its URL is known, else events from
 *       {@code GET /api/v1/sessions/{id}/events} and metric points through their totals;
 *   <li>totals: {@code GET /api/v1/sessions/{id}} shows the tokens, cost and request count of the
 *       acknowledged api_request events, and {@code metrics.*} the sums of the acknowledged points
 *       (for cumulative series, the largest value of each epoch).
 * </ul>
 *
 * Records of requests never acknowledged may or may not be stored; they count neither way, and the
 * totals of their sessions are not checked.
 */
final class Verifier {
  private static final int API_CONCURRENCY = 16;
  private static final int EVENTS_PAGE = 1000;
  private static final double TOLERANCE = 1e-6;

  /**
   * The outcome: events and metric points expected (acknowledged) and found stored (copies
   * included), the points found null when they were checked through the sessions' totals only;
   * {@code examples} name a few of the differences found.
   */
  record Verification(String method, long eventsExpected, long eventsStored, long pointsExpected, Long pointsStored, long lost,
      long duplicated, long unexpected, int sessionsChecked, int sessionsInDoubt, int totalsMismatched, List<String> examples) {

    boolean passed() {
      return lost == 0 && duplicated == 0 && unexpected == 0 && totalsMismatched == 0;
    }
  }

  private final ApiClient api;
  private final String databaseUrl;

  /** {@code apiToken} may be null: the API port is open. */
  Verifier(URI api, String databaseUrl, String apiToken) {
    this.api = new ApiClient(api, apiToken);
    this.databaseUrl = databaseUrl;
  }

  Verification verify(Ledger ledger) throws Exception {
    Counts counts = new Counts();
    String method;
    if (databaseUrl != null) {
      method = "database";
      checkDatabase(ledger, counts);
    } else {
      method = "api";
      checkEventsThroughApi(ledger, counts);
    }
    int checked = 0;
    int inDoubt = 0;
    List<CompletableFuture<Void>> totals = new ArrayList<>();
    Semaphore slots = new Semaphore(API_CONCURRENCY);
    for (Expected e : ledger.sessions()) {
      if (e.inDoubt()) {
        inDoubt++;
        continue;
      }
      checked++;
      slots.acquire();
      totals.add(api.get("/api/v1/sessions/" + e.sessionId)
          .thenAccept(summary -> counts.compareTotals(e, summary))
          .whenComplete((v, error) -> slots.release()));
    }
    CompletableFuture.allOf(totals.toArray(CompletableFuture[]::new)).join();
    long events = ledger.sessions().stream().mapToLong(Expected::eventCount).sum();
    long points = ledger.sessions().stream().mapToLong(Expected::pointCount).sum();
    return new Verification(method, events, counts.storedEvents, points, databaseUrl != null ? counts.storedPoints : null,
        counts.lost, counts.duplicated, counts.unexpected, checked, inDoubt, counts.totalsMismatched, List.copyOf(counts.examples));
  }

  /** Tallies, shared by the record and the totals checks (the latter from several threads). */
  private static final class Counts {
    long storedEvents;
    long storedPoints;
    long lost;
    long duplicated;
    long unexpected;
    int totalsMismatched;
    final List<String> examples = new ArrayList<>();

    synchronized void example(String text) {
      if (examples.size() < 20) {
        examples.add(text);
      }
    }

    /** One event sequence found {@code copies} times. */
    void event(Expected e, long sequence, long copies, BitSet seen) {
      storedEvents += copies;
      int index = (int) sequence;
      if (e.events.get(index)) {
        seen.set(index);
      } else if (!e.doubtfulEvents.get(index)) {
        unexpected += copies;
        example("session " + e.sessionId + ": event " + sequence + " stored but never sent in an acknowledged request");
        return;
      }
      if (copies > 1) {
        duplicated += copies - 1;
        example("session " + e.sessionId + ": event " + sequence + " stored " + copies + " times");
      }
    }

    void missingEvents(Expected e, BitSet seen) {
      BitSet missing = (BitSet) e.events.clone();
      missing.andNot(seen);
      if (!missing.isEmpty()) {
        lost += missing.cardinality();
        example("session " + e.sessionId + ": " + missing.cardinality() + " acknowledged events missing, first "
            + missing.nextSetBit(0));
      }
    }

    /** The points of one export time found {@code count} times. */
    void export(Expected e, long timeMillis, long count, Set<Long> seen) {
      storedPoints += count;
      Integer points = e.exports.get(timeMillis);
      if (points == null) {
        if (!e.doubtfulExports.contains(timeMillis)) {
          unexpected += count;
          example("session " + e.sessionId + ": " + count + " metric points at " + timeMillis + " never acknowledged");
        }
        return;
      }
      seen.add(timeMillis);
      if (count > points) {
        duplicated += count - points;
        example("session " + e.sessionId + ": export at " + timeMillis + " stored " + count + " points of " + points);
      } else if (count < points) {
        lost += points - count;
        example("session " + e.sessionId + ": export at " + timeMillis + " stored " + count + " points of " + points);
      }
    }

    void missingExports(Expected e, Set<Long> seen) {
      e.exports.forEach((time, points) -> {
        if (!seen.contains(time)) {
          lost += points;
          example("session " + e.sessionId + ": metric export at " + time + " (" + points + " points) missing");
        }
      });
    }

    synchronized void compareTotals(Expected e, JsonObject summary) {
      List<String> differences = new ArrayList<>();
      boolean sentAnything = e.eventCount() + e.pointCount() > 0;
      if (summary == null) {
        if (sentAnything) {
          differences.add("the API does not know the session");
        }
      } else {
        JsonObject totals = summary.getJsonObject("totals", new JsonObject());
        JsonObject metrics = summary.getJsonObject("metrics", new JsonObject());
        compare(differences, "totals.apiRequests", e.totals.apiRequests, totals.getValue("apiRequests"));
        compare(differences, "totals.inputTokens", e.totals.inputTokens, totals.getValue("inputTokens"));
        compare(differences, "totals.outputTokens", e.totals.outputTokens, totals.getValue("outputTokens"));
        compare(differences, "totals.cacheReadTokens", e.totals.cacheReadTokens, totals.getValue("cacheReadTokens"));
        compare(differences, "totals.cacheCreationTokens", e.totals.cacheCreationTokens, totals.getValue("cacheCreationTokens"));
        compare(differences, "totals.costUsd", e.totals.costUsd, totals.getValue("costUsd"));
        Map<String, Double> fields = e.metricFields();
        Set<String> names = new HashSet<>(fields.keySet());
        names.addAll(metrics.fieldNames());
        for (String field : names) {
          // costMicros is the metrics' cost again, in micro-dollars
          double expected = field.equals("costMicros") ? fields.getOrDefault("costUsd", 0.0) * 1e6 : fields.getOrDefault(field, 0.0);
          compare(differences, "metrics." + field, expected, metrics.getValue(field));
        }
      }
      if (!differences.isEmpty()) {
        totalsMismatched++;
        example("session " + e.sessionId + ": " + String.join(", ", differences));
      }
    }

    private static void compare(List<String> differences, String name, double expected, Object actual) {
      double value = actual instanceof Number n ? n.doubleValue() : 0.0;
      if (Math.abs(value - expected) > TOLERANCE * Math.max(1.0, Math.abs(expected))) {
        differences.add(name + " " + number(value) + " (sent " + number(expected) + ")");
      }
    }

    private static String number(double value) {
      return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value)
          : String.format(Locale.ROOT, "%.6f", value);
    }
  }

  // ---- records, from the database ----

  private void checkDatabase(Ledger ledger, Counts counts) throws SQLException {
    try (Connection c = Jdbc.connect(databaseUrl)) {
      c.setAutoCommit(false);
      String[] ids = ledger.sessions().stream().map(e -> e.sessionId).toArray(String[]::new);
      Array sessions = c.createArrayOf("text", ids);
      Map<String, BitSet> seenEvents = new HashMap<>();
      stream(c, "SELECT session_id, event_sequence, count(*) FROM events WHERE session_id = ANY(?) GROUP BY 1, 2",
          sessions, rs -> {
            Expected e = ledger.session(rs.getString(1));
            long sequence = rs.getLong(2);
            if (rs.wasNull()) {
              counts.storedEvents += rs.getLong(3);
              counts.unexpected += rs.getLong(3);
              counts.example("session " + e.sessionId + ": events without event.sequence");
              return;
            }
            counts.event(e, sequence, rs.getLong(3), seenEvents.computeIfAbsent(e.sessionId, k -> new BitSet()));
          });
      Map<String, Set<Long>> seenExports = new HashMap<>();
      stream(c, "SELECT session_id, time, count(*) FROM metric_points WHERE session_id = ANY(?) GROUP BY 1, 2",
          sessions, rs -> {
            Expected e = ledger.session(rs.getString(1));
            long time = rs.getObject(2, OffsetDateTime.class).toInstant().toEpochMilli();
            counts.export(e, time, rs.getLong(3), seenExports.computeIfAbsent(e.sessionId, k -> new HashSet<>()));
          });
      for (Expected e : ledger.sessions()) {
        counts.missingEvents(e, seenEvents.getOrDefault(e.sessionId, new BitSet()));
        counts.missingExports(e, seenExports.getOrDefault(e.sessionId, Set.of()));
      }
    }
  }

  private interface RowHandler {
    void row(ResultSet rs) throws SQLException;
  }

  private static void stream(Connection c, String sql, Array sessions, RowHandler handler) throws SQLException {
    try (PreparedStatement statement = c.prepareStatement(sql)) {
      statement.setFetchSize(10_000);
      statement.setArray(1, sessions);
      try (ResultSet rs = statement.executeQuery()) {
        while (rs.next()) {
          handler.row(rs);
        }
      }
    }
  }

  // ---- records, through the API ----

  private void checkEventsThroughApi(Ledger ledger, Counts counts) throws Exception {
    List<CompletableFuture<Void>> all = new ArrayList<>();
    Semaphore slots = new Semaphore(API_CONCURRENCY);
    for (Expected e : ledger.sessions()) {
      slots.acquire();
      all.add(eventsOf(e.sessionId, 0, new HashMap<>())
          .thenAccept(sequences -> {
            synchronized (counts) {
              BitSet seen = new BitSet();
              sequences.forEach((sequence, copies) -> counts.event(e, sequence, copies, seen));
              counts.missingEvents(e, seen);
            }
          })
          .whenComplete((v, error) -> slots.release()));
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
  }

  /** Every event sequence of the session with how many times it is listed, page by page. */
  private CompletableFuture<Map<Long, Long>> eventsOf(String session, int offset, Map<Long, Long> sequences) {
    return api.get("/api/v1/sessions/" + session + "/events?limit=" + EVENTS_PAGE + "&offset=" + offset).thenCompose(page -> {
      JsonArray items = page == null ? new JsonArray() : page.getJsonArray("items", new JsonArray());
      for (Object item : items) {
        Object sequence = ((JsonObject) item).getValue("sequence");
        if (sequence instanceof Number n) {
          sequences.merge(n.longValue(), 1L, Long::sum);
        }
      }
      return items.size() < EVENTS_PAGE ? CompletableFuture.completedFuture(sequences)
          : eventsOf(session, offset + EVENTS_PAGE, sequences);
    });
  }
}
