package dev.contextwatch.push;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The subscribed connections, indexed by what their filters name, so that a live frame visits only
 * the connections it can match instead of every one. Each connection is kept under one field of its
 * filter, the first it names of sessions, projects, runs and types, once per value named there; a
 * filter naming none of them is kept apart. A frame has one value of each field, so it visits each
 * connection at most once: those kept under its session, its project, its run or its type, and the
 * ones naming nothing unless it is an event (which only a filter naming the type gets). What a
 * connection is kept under is a necessary condition of its filter only: the caller still asks
 * {@link Connection#wants}, which checks the rest (the other fields, synthetic, a loading snapshot).
 * Synthetic is not a key: a load test's frames are all synthetic and its subscribers all show them,
 * while production's frames are none, so it would split nothing. Touched only from the push
 * verticle's context.
 */
final class Subscriptions {
  private final Map<String, Set<Connection>> bySession = new HashMap<>();
  private final Map<String, Set<Connection>> byProject = new HashMap<>();
  private final Map<String, Set<Connection>> byRun = new HashMap<>();
  private final Map<String, Set<Connection>> byType = new HashMap<>();
  /** Filters naming no session, project, run or type: every live frame but events. */
  private final Set<Connection> namingNothing = new LinkedHashSet<>();
  /** What each connection is indexed by: the filter it was put with. */
  private final Map<Connection, Filter> filters = new HashMap<>();
  /** How many of the filters name the event type. */
  private int namingEvents;

  /** Indexes the connection by its filter, replacing what it was indexed by; a null filter removes it. */
  void put(Connection c, Filter filter) {
    remove(c);
    if (filter != null) {
      filters.put(c, filter);
      forEachKey(filter, c, Set::add);
      namingEvents += filter.namesEvents() ? 1 : 0;
    }
  }

  /** Removes the connection from every index. */
  void remove(Connection c) {
    Filter filter = filters.remove(c);
    if (filter != null) {
      forEachKey(filter, c, Set::remove);
      namingEvents -= filter.namesEvents() ? 1 : 0;
    }
  }

  /** Whether some connection's filter names the event type. */
  boolean anyNamesEvents() {
    return namingEvents > 0;
  }

  /** How many connections are indexed. */
  int size() {
    return filters.size();
  }

  /**
   * The connections the frame can match, each once. The action must not put or remove connections
   * (a connection closed meanwhile is removed by its close handler, later).
   */
  void forEachCandidate(Frame frame, Consumer<Connection> action) {
    visit(bySession, frame.sessionId, action);
    visit(byProject, frame.project, action);
    visit(byRun, frame.runId, action);
    visit(byType, frame.type, action);
    if (!Frame.EVENT.equals(frame.type)) {
      namingNothing.forEach(action);
    }
  }

  /** Whether some open connection's filter matches an event of that session (while its snapshot loads too). */
  boolean wantEvent(String sessionId, String project, String runId, boolean synthetic) {
    return anyWantsEvent(bySession.get(sessionId), sessionId, project, runId, synthetic)
        || anyWantsEvent(byProject.get(project), sessionId, project, runId, synthetic)
        || anyWantsEvent(byRun.get(runId), sessionId, project, runId, synthetic)
        || anyWantsEvent(byType.get(Frame.EVENT), sessionId, project, runId, synthetic);
  }

  private static boolean anyWantsEvent(Set<Connection> candidates, String sessionId, String project, String runId,
      boolean synthetic) {
    if (candidates == null) {
      return false;
    }
    for (Connection c : candidates) {
      if (c.wantsEvent(sessionId, project, runId, synthetic)) {
        return true;
      }
    }
    return false;
  }

  private static void visit(Map<String, Set<Connection>> index, String value, Consumer<Connection> action) {
    Set<Connection> connections = value == null ? null : index.get(value);
    if (connections != null) {
      connections.forEach(action);
    }
  }

  /** Applies the change to every set the filter keeps the connection in. */
  private void forEachKey(Filter filter, Connection c, SetChange change) {
    if (!filter.sessions().isEmpty()) {
      change(bySession, filter.sessions(), c, change);
    } else if (!filter.projects().isEmpty()) {
      change(byProject, filter.projects(), c, change);
    } else if (!filter.runs().isEmpty()) {
      change(byRun, filter.runs(), c, change);
    } else if (!filter.types().isEmpty()) {
      change(byType, filter.types(), c, change);
    } else {
      change.apply(namingNothing, c);
    }
  }

  private static void change(Map<String, Set<Connection>> index, Set<String> values, Connection c, SetChange change) {
    for (String value : values) {
      Set<Connection> connections = index.computeIfAbsent(value, v -> new LinkedHashSet<>());
      change.apply(connections, c);
      if (connections.isEmpty()) {
        index.remove(value);
      }
    }
  }

  @FunctionalInterface
  private interface SetChange {
    boolean apply(Set<Connection> connections, Connection c);
  }
}
