package dev.contextwatch.push;

import dev.contextwatch.bench.ClaudeCodeTelemetry;
import dev.contextwatch.core.model.EventRecord;
import dev.contextwatch.core.model.RecordBatch;
import dev.contextwatch.core.model.Synthetic;
import dev.contextwatch.core.summary.SessionSummary;
import dev.contextwatch.core.summary.SummaryCodec;
import dev.contextwatch.processor.WorkloadSummaries;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The live feed's work per committed frame with 1,000 connections: 10 with no filter, 990 each
 * filtered to one project of 100 (so a frame reaches about 20), plus, for event frames, one client
 * that asks for the events of one project. One operation is one frame the pipeline publishes (a
 * {@code session.updated} of a real summary, or an {@code event} of a stored record): the frame
 * made (its JSON encoded, both texts for an update), held in the resume ring and sent to every
 * connection that wants it (queued, its text with the connection's seq written to a socket that is
 * never full). {@code fanOut} is how the connections are found: {@code scan} is the push verticle
 * before the filter index (every connection's filter asked, every event made while any client
 * names the type), {@code index} is {@link Subscriptions} (only the connections the frame can
 * match, an event made only when a filter matches it). {@code route} is the finding alone, on
 * frames made beforehand: the part the index changes, without the encoding and writing every frame
 * costs either way. The score is frames/s; run with {@code -prof gc} for the bytes allocated per
 * frame.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Threads(1)
public class FeedFanOutBenchmark {
  static final int CONNECTIONS = 1_000;
  static final int UNFILTERED = 10;
  static final int PROJECTS = 100;
  static final int SESSIONS = 1_000;

  @Param({"scan", "index"})
  public String fanOut;

  private final Set<Connection> connections = new LinkedHashSet<>();
  private final Subscriptions subscriptions = new Subscriptions();
  private final Map<String, String> projectOf = new HashMap<>();
  private Ring ring;
  private List<SessionSummary> summaries;
  private List<JsonObject> summaryJson;
  /** A session.updated frame of each summary, made once, for {@link #route}. */
  private List<Frame> madeFrames;
  /** The events of each committed batch of 100 records. */
  private List<List<EventRecord>> batches;
  private long position;
  private int nextSummary;
  private int nextBatch;

  @Setup
  public void setUp() {
    ring = new Ring(10_000, 64L << 20);
    summaries = WorkloadSummaries.of(SESSIONS);
    summaryJson = summaries.stream().map(SummaryCodec::toJson).toList();
    for (int i = 0; i < summaries.size(); i++) {
      projectOf.put(summaries.get(i).sessionId(), project(i));
    }
    madeFrames = new ArrayList<>();
    for (int i = 0; i < summaries.size(); i++) {
      String sessionId = summaries.get(i).sessionId();
      madeFrames.add(Frame.live(Frame.SESSION_UPDATED, i, sessionId, projectOf.get(sessionId), null, false, summaryJson.get(i)));
    }
    batches = new ArrayList<>();
    for (RecordBatch batch : ClaudeCodeTelemetry.workload(SESSIONS, SESSIONS, 100, 1)) {
      batches.add(batch.events());
    }
    if (!batches.stream().flatMap(List::stream).allMatch(e -> projectOf.containsKey(e.sessionId()))) {
      throw new IllegalStateException("the workload's events name sessions its summaries do not");
    }
    for (int i = 0; i < CONNECTIONS; i++) {
      subscribe(i < UNFILTERED ? Filter.EVERYTHING
          : new Filter(Set.of(), Set.of(project(i)), Set.of(), Set.of(), Synthetic.EXCLUDE));
    }
    subscribe(new Filter(Set.of(), Set.of(project(0)), Set.of(), Set.of(Frame.EVENT), Synthetic.EXCLUDE));
  }

  private static String project(int i) {
    return "project-" + i % PROJECTS;
  }

  private void subscribe(Filter filter) {
    Connection c = new Connection(socket(), 1_000, 16L << 20);
    c.replaceSubscription(filter, SummaryShape.FULL);
    connections.add(c);
    subscriptions.put(c, filter);
  }

  /** One session.updated frame, the summary of the next session; its project is the one the connections filter by. */
  @Benchmark
  public long sessionUpdated() {
    int i = nextSummary;
    nextSummary = (i + 1) % summaries.size();
    String sessionId = summaries.get(i).sessionId();
    return publish(Frame.SESSION_UPDATED, sessionId, projectOf.get(sessionId), summaryJson.get(i));
  }

  /** The connections a session.updated frame made beforehand goes to, counted: finding them is all. */
  @Benchmark
  public int route() {
    Frame frame = madeFrames.get(nextSummary);
    nextSummary = (nextSummary + 1) % madeFrames.size();
    int[] wanting = {0};
    Consumer<Connection> count = c -> {
      if (c.wants(frame)) {
        wanting[0]++;
      }
    };
    if ("index".equals(fanOut)) {
      subscriptions.forEachCandidate(frame, count);
    } else {
      connections.forEach(count);
    }
    return wanting[0];
  }

  /**
   * The events of one committed batch of 100 records (about 60): one client in 1,001 asks for
   * events, of one project in 100. Before the index they were all made once any client named the
   * type (asked once per batch); now each only when a filter matches it. The score is batches/s.
   */
  @Benchmark
  public long eventBatch() {
    List<EventRecord> events = batches.get(nextBatch);
    nextBatch = (nextBatch + 1) % batches.size();
    boolean index = "index".equals(fanOut);
    if (!index && connections.stream().noneMatch(c -> c.filter.namesEvents())) {
      return position;
    }
    for (EventRecord event : events) {
      String project = projectOf.get(event.sessionId());
      if (!index || subscriptions.wantEvent(event.sessionId(), project, null, false)) {
        publish(Frame.EVENT, event.sessionId(), project, PushVerticle.eventJson(event));
      }
    }
    return position;
  }

  private long publish(String type, String sessionId, String project, JsonObject data) {
    Frame frame = Frame.live(type, ++position, sessionId, project, null, false, data);
    ring.add(frame);
    if ("index".equals(fanOut)) {
      subscriptions.forEachCandidate(frame, c -> send(c, frame));
    } else {
      connections.forEach(c -> send(c, frame));
    }
    return position;
  }

  private static void send(Connection c, Frame frame) {
    if (c.wants(frame) && !c.send(frame)) {
      throw new IllegalStateException("a connection fell behind a socket that is never full");
    }
  }

  /** A socket that is never full and takes every text written to it. */
  private static ServerWebSocket socket() {
    return (ServerWebSocket) Proxy.newProxyInstance(FeedFanOutBenchmark.class.getClassLoader(),
        new Class<?>[] {ServerWebSocket.class}, (proxy, method, args) -> switch (method.getName()) {
          case "hashCode" -> System.identityHashCode(proxy);
          case "equals" -> proxy == args[0];
          default -> method.getReturnType() == boolean.class ? Boolean.FALSE : null;
        });
  }
}
