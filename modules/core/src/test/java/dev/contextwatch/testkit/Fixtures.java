package dev.contextwatch.testkit;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The recorded Claude Code requests (README beside them), read from the classpath so that the suite
 * runs on a fresh clone: one directory per client version, one folder per CLI run.
 */
public final class Fixtures {
  /** The client most tests replay: its CLI's {@code usage} is the session total. */
  public static final String CLIENT_2_1_197 = "claude-code-2.1.197";
  /** npm's latest when recorded: subagents, reactive compaction, retries, resume, traces; totals in {@code modelUsage}. */
  public static final String CLIENT_2_1_332 = "claude-code-2.1.332";

  private Fixtures() {}

  /** Every recorded 2.1.197 CLI run, by folder name. */
  public static List<Folder> folders() {
    return folders(CLIENT_2_1_197);
  }

  /** Every recorded CLI run of one client version (a directory under fixtures/). */
  public static List<Folder> folders(String client) {
    return Arrays.stream(text("/fixtures/" + client + "/index.txt").split("\n")).map(String::trim).filter(s -> !s.isEmpty())
        .map(name -> new Folder(client, name)).toList();
  }

  public static Folder folder(String name) {
    return new Folder(CLIENT_2_1_197, name);
  }

  /** One recorded request: body, path and headers exactly as the CLI sent them. */
  public record Request(String file, String path, String contentType, String contentEncoding, Buffer body) {}

  /** One CLI run: its requests in arrival order and the CLI's own totals. */
  public record Folder(String client, String name) {
    public List<Request> requests() {
      return Arrays.stream(text(path("manifest.jsonl")).split("\n"))
          .filter(line -> !line.isBlank())
          .map(JsonObject::new)
          .map(m -> new Request(m.getString("file"), m.getString("path"), m.getString("content_type"),
              m.getString("content_encoding"), Buffer.buffer(bytes(path(m.getString("file"))))))
          .toList();
    }

    /** What the CLI reported at the end of the run: the ground truth for session totals. */
    public JsonObject cliResult() {
      return new JsonObject(text(path("cli-result.json")));
    }

    /**
     * Every run's result, oldest first: a folder recorded across {@code --resume} holds the earlier
     * runs' as {@code cli-result-run<N>.json} beside the last one's {@code cli-result.json}.
     */
    public List<JsonObject> cliResults() {
      List<JsonObject> results = new ArrayList<>();
      for (int run = 1; exists(path("cli-result-run" + run + ".json")); run++) {
        results.add(new JsonObject(text(path("cli-result-run" + run + ".json"))));
      }
      results.add(cliResult());
      return results;
    }

    /**
     * Each session's totals by the CLI's own account: the sums over its {@code modelUsage}
     * (2.1.332's {@code usage} is only the last turn once a subagent or a compaction ran).
     */
    public Map<String, ModelUsage> modelUsageBySession() {
      return ModelUsage.bySession(cliResults());
    }

    private String path(String file) {
      return "/fixtures/" + client + "/" + name + "/" + file;
    }

    public String sessionId() {
      return cliResult().getString("session_id");
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /** Tokens and cost summed over the models of a CLI result's {@code modelUsage}. */
  public record ModelUsage(long input, long output, long cacheRead, long cacheCreation, double costUsd) {
    public static final ModelUsage NONE = new ModelUsage(0, 0, 0, 0, 0);

    /**
     * Each session's totals from the results (oldest first) by their session_id: the last result's
     * modelUsage, because a run resumed with {@code --resume} reports the whole conversation's
     * (2.1.332 keeps the session id and restores the earlier runs' usage).
     */
    public static Map<String, ModelUsage> bySession(List<JsonObject> cliResults) {
      Map<String, ModelUsage> totals = new LinkedHashMap<>();
      cliResults.forEach(r -> totals.put(r.getString("session_id"), of(r)));
      return totals;
    }

    public ModelUsage plus(ModelUsage other) {
      return new ModelUsage(input + other.input, output + other.output, cacheRead + other.cacheRead,
          cacheCreation + other.cacheCreation, costUsd + other.costUsd);
    }

    public static ModelUsage of(JsonObject cliResult) {
      JsonObject byModel = cliResult.getJsonObject("modelUsage", new JsonObject());
      ModelUsage sum = NONE; // none at all when every request failed
      for (String model : byModel.fieldNames()) {
        JsonObject m = byModel.getJsonObject(model);
        sum = sum.plus(new ModelUsage(m.getLong("inputTokens"), m.getLong("outputTokens"), m.getLong("cacheReadInputTokens"),
            m.getLong("cacheCreationInputTokens"), m.getDouble("costUSD")));
      }
      return sum;
    }
  }

  /**
   * The hook inputs a client posted in one recorded run ({@code <client>/hooks/<name>.jsonl}), one
   * JSON object per line, in arrival order.
   */
  public static List<String> hookInputs(String client, String name) {
    return lines("/fixtures/" + client + "/hooks/" + name + ".jsonl");
  }

  private static List<String> lines(String path) {
    return Arrays.stream(text(path).split("\n")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  /** A recorded session's status-line inputs, one JSON object per line, in arrival order. */
  public static List<String> statusLines(String client, String name) {
    return lines("/fixtures/" + client + "/statusline/" + name + ".jsonl");
  }

  private static boolean exists(String path) {
    return Fixtures.class.getResource(path) != null;
  }

  private static String text(String path) {
    return new String(bytes(path), StandardCharsets.UTF_8);
  }

  private static byte[] bytes(String path) {
    try (InputStream in = Fixtures.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("fixture missing from the classpath: " + path);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
