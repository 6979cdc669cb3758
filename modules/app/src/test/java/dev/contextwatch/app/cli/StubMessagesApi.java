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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A stand-in for the Anthropic Messages API on loopback, enough for a headless Claude Code run: it
 * scripts a tool loop of {@code toolCalls} Bash calls followed by an end_turn answer, and streams
 * each answer as server-sent events when the client asks for {@code stream: true}, as the real API
 * does. The turn is derived from the request itself (the number of tool results it carries), so a
 * retried request gets the same answer. Usage grows every turn, like a conversation whose context
 * grows; the totals the stub handed out are kept for comparison with what the CLI reports.
 */
final class StubMessagesApi implements AutoCloseable {
  /** One answered Messages request. */
  record Answer(int turn, String model, boolean streamed, String stopReason, Usage usage) {}

  /** Token usage of one answer, or a sum of them. */
  record Usage(long input, long output, long cacheRead, long cacheCreation) {
    Usage plus(Usage other) {
      return new Usage(input + other.input, output + other.output, cacheRead + other.cacheRead,
          cacheCreation + other.cacheCreation);
    }

    JsonObject toJson() {
      return new JsonObject()
          .put("input_tokens", input)
          .put("cache_creation_input_tokens", cacheCreation)
          .put("cache_read_input_tokens", cacheRead)
          .put("output_tokens", output);
    }
  }

  private final int toolCalls;
  private final String command;
  private final List<Answer> answers = new ArrayList<>();
  private final List<String> toolResults = new ArrayList<>();
  private final List<String> otherRequests = new ArrayList<>();
  private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "stub-messages-api");
    t.setDaemon(true);
    return t;
  });
  private final HttpServer server;

  StubMessagesApi(int toolCalls, String command) throws IOException {
    this.toolCalls = toolCalls;
    this.command = command;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  /** The base URL to give the CLI as ANTHROPIC_BASE_URL. */
  String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** The usage of turn {@code turn} (0 for the first request): every figure grows each turn. */
  static Usage usageOfTurn(int turn) {
    return new Usage(400 + 100L * turn, 50 + 15L * turn, 12_000 + 9_000L * turn, 3_000 + 700L * turn);
  }

  synchronized List<Answer> answers() {
    return List.copyOf(answers);
  }

  /** The text of every tool_result the CLI sent back, in order. */
  synchronized List<String> toolResults() {
    return List.copyOf(toolResults);
  }

  /** Requests other than POST /v1/messages, as "METHOD path". */
  synchronized List<String> otherRequests() {
    return List.copyOf(otherRequests);
  }

  synchronized Usage totalUsage() {
    return answers.stream().map(Answer::usage).reduce(new Usage(0, 0, 0, 0), Usage::plus);
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
    int turn = 0;
    for (Object m : request.getJsonArray("messages", new JsonArray())) {
      JsonObject message = (JsonObject) m;
      if ("user".equals(message.getString("role")) && message.getValue("content") instanceof JsonArray content) {
        for (Object c : content) {
          if (c instanceof JsonObject block && "tool_result".equals(block.getString("type"))) {
            turn++;
          }
        }
      }
    }
    boolean hasTools = !request.getJsonArray("tools", new JsonArray()).isEmpty();
    boolean useTool = hasTools && turn < toolCalls;
    String model = request.getString("model", "claude-sonnet-4-5");
    boolean streamed = request.getBoolean("stream", false);
    Usage usage = usageOfTurn(turn);
    JsonObject block = useTool
        ? new JsonObject().put("type", "tool_use").put("id", "toolu_stub_" + turn).put("name", "Bash")
            .put("input", new JsonObject().put("command", command).put("description", "Print a greeting"))
        : new JsonObject().put("type", "text").put("text", "All steps done.");
    String stopReason = useTool ? "tool_use" : "end_turn";
    synchronized (this) {
      answers.add(new Answer(turn, model, streamed, stopReason, usage));
      toolResults.addAll(lastToolResults(request));
    }
    String id = "msg_stub_" + turn + "_" + System.nanoTime();
    if (!streamed) {
      send(exchange, 200, new JsonObject().put("id", id).put("type", "message").put("role", "assistant")
          .put("model", model).put("content", new JsonArray().add(block)).put("stop_reason", stopReason)
          .putNull("stop_sequence").put("usage", usage.toJson()));
      return;
    }
    exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
    exchange.getResponseHeaders().set("Cache-Control", "no-cache");
    exchange.getResponseHeaders().set("request-id", "req_stub_" + turn);
    exchange.sendResponseHeaders(200, 0); // chunked, like the real API
    OutputStream out = exchange.getResponseBody();
    event(out, "message_start", new JsonObject().put("type", "message_start").put("message", new JsonObject()
        .put("id", id).put("type", "message").put("role", "assistant").put("model", model)
        .put("content", new JsonArray()).putNull("stop_reason").putNull("stop_sequence")
        .put("usage", usage.toJson().put("output_tokens", 1))));
    if (useTool) {
      event(out, "content_block_start", new JsonObject().put("type", "content_block_start").put("index", 0)
          .put("content_block", block.copy().put("input", new JsonObject())));
      String input = block.getJsonObject("input").encode();
      int half = input.length() / 2;
      for (String part : List.of(input.substring(0, half), input.substring(half))) {
        event(out, "content_block_delta", new JsonObject().put("type", "content_block_delta").put("index", 0)
            .put("delta", new JsonObject().put("type", "input_json_delta").put("partial_json", part)));
      }
    } else {
      event(out, "content_block_start", new JsonObject().put("type", "content_block_start").put("index", 0)
          .put("content_block", new JsonObject().put("type", "text").put("text", "")));
      for (String part : List.of("All steps ", "done.")) {
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

  private static List<String> lastToolResults(JsonObject request) {
    JsonArray messages = request.getJsonArray("messages", new JsonArray());
    List<String> results = new ArrayList<>();
    if (messages.isEmpty() || !(messages.getJsonObject(messages.size() - 1).getValue("content") instanceof JsonArray content)) {
      return results;
    }
    for (Object c : content) {
      if (c instanceof JsonObject block && "tool_result".equals(block.getString("type"))) {
        Object value = block.getValue("content");
        if (value instanceof JsonArray parts) {
          StringBuilder text = new StringBuilder();
          parts.forEach(p -> text.append(p instanceof JsonObject part ? part.getString("text", "") : ""));
          results.add(text.toString());
        } else {
          results.add(String.valueOf(value));
        }
      }
    }
    return results;
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
