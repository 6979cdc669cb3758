package dev.contextwatch.testkit;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

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
     * The session's totals by the CLI's own account: the sums over {@code modelUsage} (2.1.332's
     * {@code usage} is only the last turn once a subagent or a compaction ran).
     */
    public ModelUsage modelUsage() {
      return ModelUsage.of(cliResult());
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
    public static ModelUsage of(JsonObject cliResult) {
      JsonObject byModel = cliResult.getJsonObject("modelUsage");
      if (byModel == null || byModel.isEmpty()) {
        throw new IllegalStateException("the CLI result has no modelUsage: " + cliResult.encode());
      }
      ModelUsage sum = new ModelUsage(0, 0, 0, 0, 0);
      for (String model : byModel.fieldNames()) {
        JsonObject m = byModel.getJsonObject(model);
        sum = new ModelUsage(sum.input + m.getLong("inputTokens"), sum.output + m.getLong("outputTokens"),
            sum.cacheRead + m.getLong("cacheReadInputTokens"), sum.cacheCreation + m.getLong("cacheCreationInputTokens"),
            sum.costUsd + m.getDouble("costUSD"));
      }
      return sum;
    }
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
