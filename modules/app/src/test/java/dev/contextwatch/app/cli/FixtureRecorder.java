package dev.contextwatch.app.cli;

import dev.contextwatch.app.GrpcCalls;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Writes one CLI run as a fixture folder in the layout the replay tests read (see the fixtures'
 * README): {@code NNNN_<signal>.bin} request bodies as sent (a gRPC call's message unframed),
 * {@code manifest.jsonl}, and the CLI's {@code cli-result.json}; a run resumed with
 * {@code --resume} adds the earlier runs' results as {@code cli-result-run<N>.json}. The folder name
 * is added to {@code index.txt}.
 */
final class FixtureRecorder {
  private static final Map<String, String> GRPC_METHODS = GrpcCalls.HTTP_PATHS.entrySet().stream()
      .collect(Collectors.toMap(Map.Entry::getValue, Map.Entry::getKey));

  private FixtureRecorder() {}

  /** Replaces {@code root/name} with the run's requests, in arrival order, and its CLI results, oldest first. */
  static Path write(Path root, String name, List<OtlpTap.Exchange> requests, List<JsonObject> results) throws IOException {
    Path folder = root.resolve(name);
    if (Files.isDirectory(folder)) {
      try (Stream<Path> old = Files.list(folder)) {
        for (Path file : old.toList()) {
          Files.delete(file);
        }
      }
    }
    Files.createDirectories(folder);
    StringBuilder manifest = new StringBuilder();
    int number = 0;
    for (OtlpTap.Exchange request : requests) {
      boolean grpc = GrpcTap.CONTENT_TYPE.equals(request.header("content-type"));
      String file = String.format("%04d_%s_%s.bin", ++number, grpc ? "grpc" : "v1", request.path().substring("/v1/".length()));
      Files.write(folder.resolve(file), request.body());
      manifest.append(new JsonObject().put("file", file)
          .put("path", grpc ? GRPC_METHODS.get(request.path()) : request.path())
          .put("content_type", request.header("content-type"))
          .put("content_encoding", request.header("content-encoding"))
          .put("bytes", request.body().length).encode()).append('\n');
    }
    Files.writeString(folder.resolve("manifest.jsonl"), manifest, StandardCharsets.UTF_8);
    for (int i = 0; i < results.size(); i++) {
      String file = i == results.size() - 1 ? "cli-result.json" : "cli-result-run" + (i + 1) + ".json";
      Files.writeString(folder.resolve(file), results.get(i).encodePrettily() + "\n", StandardCharsets.UTF_8);
    }
    addToIndex(root.resolve("index.txt"), name);
    return folder;
  }

  private static synchronized void addToIndex(Path index, String name) throws IOException {
    TreeSet<String> names = new TreeSet<>();
    if (Files.exists(index)) {
      Files.readAllLines(index).stream().map(String::trim).filter(s -> !s.isEmpty()).forEach(names::add);
    }
    names.add(name);
    Files.writeString(index, String.join("\n", names) + "\n", StandardCharsets.UTF_8);
  }
}
