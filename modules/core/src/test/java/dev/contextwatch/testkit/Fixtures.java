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
 * The recorded Claude Code 2.1.197 requests (copied from shared/fixtures, README beside them),
 * read from the classpath so that the suite runs on a fresh clone.
 */
public final class Fixtures {
  private static final String ROOT = "/fixtures/claude-code-2.1.197/";

  private Fixtures() {}

  /** Every recorded CLI run, by folder name. */
  public static List<Folder> folders() {
    return Arrays.stream(text("index.txt").split("\n")).map(String::trim).filter(s -> !s.isEmpty()).map(Folder::new).toList();
  }

  public static Folder folder(String name) {
    return new Folder(name);
  }

  /** One recorded request: body, path and headers exactly as the CLI sent them. */
  public record Request(String file, String path, String contentType, String contentEncoding, Buffer body) {}

  /** One CLI run: its requests in arrival order and the CLI's own totals. */
  public record Folder(String name) {
    public List<Request> requests() {
      return Arrays.stream(text(name + "/manifest.jsonl").split("\n"))
          .filter(line -> !line.isBlank())
          .map(JsonObject::new)
          .map(m -> new Request(m.getString("file"), m.getString("path"), m.getString("content_type"),
              m.getString("content_encoding"), Buffer.buffer(bytes(name + "/" + m.getString("file")))))
          .toList();
    }

    /** What the CLI reported at the end of the run: the ground truth for session totals. */
    public JsonObject cliResult() {
      return new JsonObject(text(name + "/cli-result.json"));
    }

    public String sessionId() {
      return cliResult().getString("session_id");
    }

    @Override
    public String toString() {
      return name;
    }
  }

  private static String text(String path) {
    return new String(bytes(path), StandardCharsets.UTF_8);
  }

  private static byte[] bytes(String path) {
    try (InputStream in = Fixtures.class.getResourceAsStream(ROOT + path)) {
      if (in == null) {
        throw new IllegalStateException("fixture missing from the classpath: " + ROOT + path);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
