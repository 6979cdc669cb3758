package dev.contextwatch.push;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.core.model.Synthetic;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SubscriptionsTest {
  /** Each field of a filter: nothing, one value, or two (one of them a value no frame carries). */
  private static final List<Set<String>> SESSIONS = List.of(Set.of(), Set.of("s1"), Set.of("s2", "s-other"));
  private static final List<Set<String>> PROJECTS = List.of(Set.of(), Set.of("p1"), Set.of("p2", "p-other"));
  private static final List<Set<String>> RUNS = List.of(Set.of(), Set.of("r1"), Set.of("r2", "r-other"));
  private static final List<Set<String>> TYPES = List.of(Set.of(), Set.of(Frame.EVENT), Set.of(Frame.SESSION_UPDATED),
      Set.of(Frame.SESSION_STATUS, Frame.EVENT));

  @Test
  @DisplayName("for every combination of filter fields and frame routing, the index visits exactly the connections whose filter matches, each once")
  void everyCombination() {
    Subscriptions subscriptions = new Subscriptions();
    Map<Connection, Filter> all = new LinkedHashMap<>();
    for (Filter filter : everyFilter()) {
      Connection c = subscribed(subscriptions, filter);
      all.put(c, filter);
    }
    int frames = 0;
    for (Frame frame : everyFrame()) {
      List<Connection> delivered = deliveries(subscriptions, frame);
      List<Connection> expected = all.keySet().stream().filter(c -> all.get(c).matches(frame)).toList();
      assertThat(delivered).as("frame %s %s %s %s synthetic=%s", frame.type, frame.sessionId, frame.project, frame.runId,
          frame.synthetic).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(expected);
      frames++;
    }
    assertThat(all).hasSize(SESSIONS.size() * PROJECTS.size() * RUNS.size() * TYPES.size() * Synthetic.values().length);
    assertThat(frames).isGreaterThan(100);
  }

  @Test
  @DisplayName("whether an event is wanted agrees with the filters for every combination, before the event frame is made")
  void eventWantedForEveryCombination() {
    for (Filter filter : everyFilter()) {
      Subscriptions subscriptions = new Subscriptions();
      subscribed(subscriptions, filter);
      for (Frame frame : everyFrame()) {
        if (Frame.EVENT.equals(frame.type)) {
          assertThat(subscriptions.wantEvent(frame.sessionId, frame.project, frame.runId, frame.synthetic))
              .as("%s and event %s %s %s synthetic=%s", filter, frame.sessionId, frame.project, frame.runId, frame.synthetic)
              .isEqualTo(filter.matches(frame));
        }
      }
    }
  }

  @Test
  @DisplayName("a frame matching a filter through its session, project and run is visited once and delivered once")
  void matchingThroughSeveralFields() {
    Subscriptions subscriptions = new Subscriptions();
    Connection c = subscribed(subscriptions, filter(Set.of("s1"), Set.of("p1"), Set.of("r1"), Set.of()));
    Frame frame = frame(Frame.SESSION_UPDATED, "s1", "p1", "r1", false);
    List<Connection> visited = new ArrayList<>();
    subscriptions.forEachCandidate(frame, visited::add);
    assertThat(visited).containsExactly(c);
  }

  @Test
  @DisplayName("a new subscribe replaces the filter in the index: frames of the old project stop reaching it, the new project's reach it")
  void resubscribeReplaces() {
    Subscriptions subscriptions = new Subscriptions();
    Connection c = subscribed(subscriptions, filter(Set.of(), Set.of("p1"), Set.of(), Set.of()));
    Filter other = filter(Set.of("s9"), Set.of("p2"), Set.of(), Set.of(Frame.EVENT));
    c.replaceSubscription(other, SummaryShape.FULL);
    subscriptions.put(c, other);
    assertThat(deliveries(subscriptions, frame(Frame.SESSION_UPDATED, "s1", "p1", null, false))).isEmpty();
    assertThat(deliveries(subscriptions, frame(Frame.EVENT, "s9", "p2", null, false))).containsExactly(c);
    assertThat(subscriptions.wantEvent("s1", "p1", null, false)).isFalse();
    assertThat(subscriptions.size()).isEqualTo(1);
  }

  @Test
  @DisplayName("closing or unsubscribing a connection removes it from every index it was in")
  void removeFromEveryIndex() {
    Subscriptions subscriptions = new Subscriptions();
    Filter bySession = filter(Set.of("s1", "s2"), Set.of(), Set.of(), Set.of(Frame.EVENT));
    Filter byType = filter(Set.of(), Set.of(), Set.of(), Set.of(Frame.EVENT, Frame.SESSION_UPDATED));
    Connection sessions = subscribed(subscriptions, bySession);
    Connection types = subscribed(subscriptions, byType);
    Connection nothing = subscribed(subscriptions, Filter.EVERYTHING);
    Connection unsubscribed = subscribed(subscriptions, filter(Set.of(), Set.of("p1"), Set.of("r1"), Set.of()));
    subscriptions.remove(sessions);
    subscriptions.remove(types);
    subscriptions.remove(nothing);
    subscriptions.put(unsubscribed, null);
    for (Frame frame : everyFrame()) {
      assertThat(deliveries(subscriptions, frame)).isEmpty();
      assertThat(subscriptions.wantEvent(frame.sessionId, frame.project, frame.runId, frame.synthetic)).isFalse();
    }
    assertThat(subscriptions.size()).isZero();
  }

  @Test
  @DisplayName("a closed connection still in the index gets no frame and wants no event, until its close handler removes it")
  void closedConnection() {
    Subscriptions subscriptions = new Subscriptions();
    Connection c = subscribed(subscriptions, filter(Set.of(), Set.of("p1"), Set.of(), Set.of(Frame.EVENT)));
    c.close((short) 1000, "bye");
    assertThat(deliveries(subscriptions, frame(Frame.EVENT, "s1", "p1", null, false))).isEmpty();
    assertThat(subscriptions.wantEvent("s1", "p1", null, false)).isFalse();
  }

  /** The connections the frame reaches: the index's candidates that want it. */
  private static List<Connection> deliveries(Subscriptions subscriptions, Frame frame) {
    List<Connection> delivered = new ArrayList<>();
    subscriptions.forEachCandidate(frame, c -> {
      if (c.wants(frame)) {
        delivered.add(c);
      }
    });
    return delivered;
  }

  private static Connection subscribed(Subscriptions subscriptions, Filter filter) {
    Connection c = new Connection(socket(), 100, 1 << 20);
    c.replaceSubscription(filter, SummaryShape.FULL);
    subscriptions.put(c, filter);
    return c;
  }

  private static List<Filter> everyFilter() {
    List<Filter> filters = new ArrayList<>();
    for (Set<String> sessions : SESSIONS) {
      for (Set<String> projects : PROJECTS) {
        for (Set<String> runs : RUNS) {
          for (Set<String> types : TYPES) {
            for (Synthetic synthetic : Synthetic.values()) {
              filters.add(new Filter(sessions, projects, runs, types, synthetic));
            }
          }
        }
      }
    }
    return filters;
  }

  /** Frames of each type, with each routing value one a filter names, one none names, or none at all. */
  private static List<Frame> everyFrame() {
    List<Frame> frames = new ArrayList<>();
    for (String type : List.of(Frame.SESSION_UPDATED, Frame.SESSION_STATUS, Frame.EVENT, Frame.BUDGET_EXCEEDED)) {
      for (String session : Arrays.asList("s1", "s2", "s3", null)) {
        for (String project : Arrays.asList("p1", "p2", "p3", null)) {
          for (String run : Arrays.asList("r1", "r2", null)) {
            for (boolean synthetic : new boolean[] {false, true}) {
              frames.add(frame(type, session, project, run, synthetic));
            }
          }
        }
      }
    }
    return frames;
  }

  private static Filter filter(Set<String> sessions, Set<String> projects, Set<String> runs, Set<String> types) {
    return new Filter(sessions, projects, runs, types, Synthetic.EXCLUDE);
  }

  private static Frame frame(String type, String session, String project, String run, boolean synthetic) {
    return Frame.live(type, 1, session, project, run, synthetic, new JsonObject());
  }

  /** A socket that takes every write and is never full; the index never writes, closing is all it sees. */
  private static ServerWebSocket socket() {
    return (ServerWebSocket) Proxy.newProxyInstance(SubscriptionsTest.class.getClassLoader(),
        new Class<?>[] {ServerWebSocket.class}, (proxy, method, args) -> switch (method.getName()) {
          case "hashCode" -> System.identityHashCode(proxy);
          case "equals" -> proxy == args[0];
          default -> method.getReturnType() == boolean.class ? Boolean.FALSE : null;
        });
  }
}
