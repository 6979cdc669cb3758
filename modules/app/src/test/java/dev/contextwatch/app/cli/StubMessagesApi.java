package dev.contextwatch.app.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A stand-in for the Anthropic Messages API on loopback, enough for a headless Claude Code run to
 * do what a long real session does. It follows a {@link Script}: the main thread makes
 * {@code toolCalls} Bash calls and then ends its turn; optionally it first delegates to a subagent
 * (a tool_use of the {@code Agent} tool, whose own requests are recognised by the task's marker and
 * make one Bash call), answers the first requests with server errors (the client retries), and
 * answers 400 "prompt is too long" once the context it reports would pass a window (the client then
 * compacts: a request asking for a summary, answered here, after which the context starts small
 * again). Each answer is streamed as server-sent events when the client asks for {@code stream: true},
 * as the real API does. Usage grows with every step of a thread, like a conversation whose context
 * grows; the totals the stub handed out are kept for comparison with what the CLI reports.
 */
final class StubMessagesApi implements AutoCloseable {
  /** Marks the subagent's task, so that the subagent's own requests can be told from the main thread's. */
  static final String SUBAGENT_TASK = "SUBTASK-7f3: run `echo sub` with the Bash tool once, then report what it printed.";
  private static final String COMPACTION_ASK = "create a detailed summary of the conversation";

  /**
   * What the stub makes the client do: {@code toolCalls} Bash calls on the main thread; a
   * subagent first when {@code subagent}; the statuses in {@code failures} answered, one each, to
   * the first main-thread requests; "prompt is too long" once the context passes
   * {@code window} (0: never); every step adds {@code cacheReadStep} cache-read tokens.
   */
  record Script(int toolCalls, String command, boolean subagent, List<Integer> failures, long window, long cacheReadStep) {
    static Script toolLoop(int toolCalls, String command) {
      return new Script(toolCalls, command, false, List.of(), 0, 9_000);
    }

    Script withSubagent() {
      return new Script(toolCalls, command, true, failures, window, cacheReadStep);
    }

    Script withFailures(Integer... statuses) {
      return new Script(toolCalls, command, subagent, List.of(statuses), window, cacheReadStep);
    }

    /** Context passes {@code window} after a few steps of {@code cacheReadStep} tokens. */
    Script withWindow(long window, long cacheReadStep) {
      return new Script(toolCalls, command, subagent, failures, window, cacheReadStep);
    }
  }

  /** Who a request came from, as the stub tells them apart. */
  enum Thread { MAIN, SUBAGENT, COMPACTION, AUXILIARY }

  /** One answered Messages request; status 200 carries usage, an error status carries none. */
  record Answer(Thread thread, int step, int status, String model, boolean streamed, String stopReason, Usage usage) {}

  /** Token usage of one answer, or a sum of them. */
  record Usage(long input, long output, long cacheRead, long cacheCreation) {
    static final Usage NONE = new Usage(0, 0, 0, 0);

    Usage plus(Usage other) {
      return new Usage(input + other.input, output + other.output, cacheRead + other.cacheRead,
          cacheCreation + other.cacheCreation);
    }

    long context() {
      return input + cacheRead + cacheCreation;
    }

    JsonObject toJson() {
      return new JsonObject()
          .put("input_tokens", input)
          .put("cache_creation_input_tokens", cacheCreation)
          .put("cache_read_input_tokens", cacheRead)
          .put("output_tokens", output);
    }
  }

  /** What the stub decided to answer to one request. */
  private record Reply(int status, String errorType, String errorMessage, JsonObject block, String stopReason, Usage usage) {
    static Reply error(int status, String type, String message) {
      return new Reply(status, type, message, null, null, Usage.NONE);
    }
  }

  private final Script script;
  private final List<Answer> answers = new ArrayList<>();
  private final List<String> otherRequests = new ArrayList<>();
  private final List<String> mainRequests = new ArrayList<>();
  private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
    java.lang.Thread t = new java.lang.Thread(r, "stub-messages-api");
    t.setDaemon(true);
    return t;
  });
  private final HttpServer server;
  // the script's progress, guarded by this
  private int mainToolUses;
  private boolean subagentSpawned;
  private int subagentToolUses;
  private int failuresAnswered;
  private int mainStep;
  private int subagentStep;
  private boolean compacted;

  StubMessagesApi(Script script) throws IOException {
    this.script = script;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  /** The base URL to give the CLI as ANTHROPIC_BASE_URL. */
  String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** The usage of step {@code step} of a thread (0 for its first request): every figure grows each step. */
  Usage usageOfStep(int step) {
    return new Usage(400 + 100L * step, 50 + 15L * step, 12_000 + script.cacheReadStep() * step, 3_000 + 700L * step);
  }

  synchronized List<Answer> answers() {
    return List.copyOf(answers);
  }

  /** Requests other than POST /v1/messages, as "METHOD path". */
  synchronized List<String> otherRequests() {
    return List.copyOf(otherRequests);
  }

  /** The JSON text of every main-thread request, in arrival order (what the client put in its context). */
  synchronized List<String> mainRequests() {
    return List.copyOf(mainRequests);
  }

  /** What the stub handed out over every successful answer. */
  synchronized Usage totalUsage() {
    return answers.stream().map(Answer::usage).reduce(Usage.NONE, Usage::plus);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try {
      byte[] body = exchange.getRequestBody().readAllBytes();
      String path = exchange.getRequestURI().getPath();
      if ("POST".equals(exchange.getRequestMethod()) && path.equals("/v1/messages")) {
        messages(exchange, new JsonObject(new String(body, StandardCharsets.UTF_8)));
      } else if ("POST".equals(exchange.getRequestMethod()) && path.equals("/v1/messages/count_tokens")) {
        record(exchange);
        send(exchange, 200, new JsonObject().put("input_tokens", 1000));
      } else {
        record(exchange);
        if (path.equals("/")) {
          send(exchange, 200, new JsonObject().put("ok", true));
        } else {
          send(exchange, 404, new JsonObject().put("type", "error").put("error",
              new JsonObject().put("type", "not_found_error").put("message", "stub: no " + path)));
        }
      }
    } catch (RuntimeException e) {
      e.printStackTrace();
      throw e;
    } finally {
      exchange.close();
    }
  }

  private synchronized void record(HttpExchange exchange) {
    otherRequests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI());
  }

  private void messages(HttpExchange exchange, JsonObject request) throws IOException {
    String model = request.getString("model", "claude-sonnet-4-5");
    boolean streamed = request.getBoolean("stream", false);
    Thread thread = threadOf(request);
    Reply reply;
    int step;
    synchronized (this) {
      step = thread == Thread.SUBAGENT ? subagentStep : mainStep;
      reply = decide(thread, step);
      if (thread == Thread.MAIN) {
        mainRequests.add(request.encode());
      }
      answers.add(new Answer(thread, step, reply.status(), model, streamed, reply.stopReason(), reply.usage()));
    }
    if (reply.status() != 200) {
      exchange.getResponseHeaders().set("request-id", "req_stub_error_" + System.nanoTime());
      send(exchange, reply.status(), new JsonObject().put("type", "error").put("error",
          new JsonObject().put("type", reply.errorType()).put("message", reply.errorMessage())));
      return;
    }
    String id = "msg_stub_" + thread.name().toLowerCase(Locale.ROOT) + "_" + step + "_" + System.nanoTime();
    JsonObject block = reply.block();
    Usage usage = reply.usage();
    String stopReason = reply.stopReason();
    if (!streamed) {
      send(exchange, 200, new JsonObject().put("id", id).put("type", "message").put("role", "assistant")
          .put("model", model).put("content", new JsonArray().add(block)).put("stop_reason", stopReason)
          .putNull("stop_sequence").put("usage", usage.toJson()));
      return;
    }
    exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
    exchange.getResponseHeaders().set("Cache-Control", "no-cache");
    exchange.getResponseHeaders().set("request-id", "req_stub_" + step + "_" + System.nanoTime());
    exchange.sendResponseHeaders(200, 0); // chunked, like the real API
    OutputStream out = exchange.getResponseBody();
    event(out, "message_start", new JsonObject().put("type", "message_start").put("message", new JsonObject()
        .put("id", id).put("type", "message").put("role", "assistant").put("model", model)
        .put("content", new JsonArray()).putNull("stop_reason").putNull("stop_sequence")
        .put("usage", usage.toJson().put("output_tokens", 1))));
    if (block.getString("type").equals("tool_use")) {
      event(out, "content_block_start", new JsonObject().put("type", "content_block_start").put("index", 0)
          .put("content_block", block.copy().put("input", new JsonObject())));
      String input = block.getJsonObject("input").encode();
      int half = input.length() / 2;
      for (String part : List.of(input.substring(0, half), input.substring(half))) {
        event(out, "content_block_delta", new JsonObject().put("type", "content_block_delta").put("index", 0)
            .put("delta", new JsonObject().put("type", "input_json_delta").put("partial_json", part)));
      }
    } else {
      String text = block.getString("text");
      int half = text.length() / 2;
      event(out, "content_block_start", new JsonObject().put("type", "content_block_start").put("index", 0)
          .put("content_block", new JsonObject().put("type", "text").put("text", "")));
      for (String part : List.of(text.substring(0, half), text.substring(half))) {
        event(out, "content_block_delta", new JsonObject().put("type", "content_block_delta").put("index", 0)
            .put("delta", new JsonObject().put("type", "text_delta").put("text", part)));
      }
    }
    event(out, "content_block_stop", new JsonObject().put("type", "content_block_stop").put("index", 0));
    event(out, "message_delta", new JsonObject().put("type", "message_delta")
        .put("delta", new JsonObject().put("stop_reason", stopReason).putNull("stop_sequence"))
        .put("usage", new JsonObject().put("output_tokens", usage.output())));
    event(out, "message_stop", new JsonObject().put("type", "message_stop"));
    out.close();
  }

  /** The compaction request asks for a summary; the subagent's first message is its task; no tools: an auxiliary call. */
  private static Thread threadOf(JsonObject request) {
    String last = lastUserText(request);
    if (last.contains(COMPACTION_ASK)) {
      return Thread.COMPACTION;
    }
    if (request.getJsonArray("tools", new JsonArray()).isEmpty()) {
      return Thread.AUXILIARY;
    }
    return firstUserText(request).contains(SUBAGENT_TASK) ? Thread.SUBAGENT : Thread.MAIN;
  }

  /** The script's next answer to {@code thread}; advances the script. Called holding the lock. */
  private Reply decide(Thread thread, int step) {
    return switch (thread) {
      case AUXILIARY -> text("Stub title", usageOfStep(0));
      case COMPACTION -> compaction();
      case SUBAGENT -> subagent(step);
      case MAIN -> main(step);
    };
  }

  private Reply main(int step) {
    if (failuresAnswered < script.failures().size()) {
      int status = script.failures().get(failuresAnswered++);
      return status == 529 ? Reply.error(529, "overloaded_error", "Overloaded")
          : Reply.error(status, "api_error", "Internal server error");
    }
    Usage usage = usageOfStep(step);
    if (script.window() > 0 && !compacted && usage.context() > script.window()) {
      return Reply.error(400, "invalid_request_error",
          "prompt is too long: " + usage.context() + " tokens > " + script.window() + " maximum");
    }
    mainStep++;
    if (script.subagent() && !subagentSpawned) {
      subagentSpawned = true;
      return toolUse("Agent", new JsonObject().put("description", "Run a sub task").put("prompt", SUBAGENT_TASK)
          .put("subagent_type", "general-purpose"), usage);
    }
    if (mainToolUses < script.toolCalls()) {
      mainToolUses++;
      return toolUse("Bash", new JsonObject().put("command", script.command()).put("description", "Print a greeting"), usage);
    }
    return text("All steps done.", usage);
  }

  private Reply subagent(int step) {
    subagentStep++;
    Usage usage = usageOfStep(step);
    if (subagentToolUses < 1) {
      subagentToolUses++;
      return toolUse("Bash", new JsonObject().put("command", "echo sub").put("description", "Print the sub task's word"), usage);
    }
    return text("The sub task printed: sub.", usage);
  }

  /** The summary; the main thread's context starts small again after it. */
  private Reply compaction() {
    Usage usage = usageOfStep(Math.max(0, mainStep - 2));
    compacted = true;
    mainStep = 0;
    return text("<summary>The user asked for `" + script.command() + "` to be run with the Bash tool; it was, several times.</summary>",
        usage);
  }

  private Reply toolUse(String tool, JsonObject input, Usage usage) {
    return new Reply(200, null, null, new JsonObject().put("type", "tool_use").put("id", "toolu_stub_" + System.nanoTime())
        .put("name", tool).put("input", input), "tool_use", usage);
  }

  private static Reply text(String text, Usage usage) {
    return new Reply(200, null, null, new JsonObject().put("type", "text").put("text", text), "end_turn", usage);
  }

  private static String firstUserText(JsonObject request) {
    JsonArray messages = request.getJsonArray("messages", new JsonArray());
    return messages.isEmpty() ? "" : text(messages.getJsonObject(0).getValue("content"));
  }

  private static String lastUserText(JsonObject request) {
    JsonArray messages = request.getJsonArray("messages", new JsonArray());
    return messages.isEmpty() ? "" : text(messages.getJsonObject(messages.size() - 1).getValue("content"));
  }

  /** The text of a message's content, whether a string or blocks. */
  private static String text(Object content) {
    if (content instanceof JsonArray blocks) {
      StringBuilder text = new StringBuilder();
      blocks.forEach(b -> text.append(b instanceof JsonObject block ? block.getString("text", "") : ""));
      return text.toString();
    }
    return String.valueOf(content);
  }

  private static void event(OutputStream out, String name, JsonObject data) throws IOException {
    out.write(("event: " + name + "\ndata: " + data.encode() + "\n\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private static void send(HttpExchange exchange, int status, JsonObject json) throws IOException {
    byte[] bytes = json.encode().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    if ("HEAD".equals(exchange.getRequestMethod())) { // the CLI's connection warm-up
      exchange.sendResponseHeaders(status, -1);
      return;
    }
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
