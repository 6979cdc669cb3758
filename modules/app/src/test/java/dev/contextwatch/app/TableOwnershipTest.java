package dev.contextwatch.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * One owner per table: a module's SQL names only its own tables; another module's data it reads
 * through the views the owner publishes (core's ReadModels) or asks for over the event bus
 * (docs/architecture.md, "Tables, owners and read models").
 */
class TableOwnershipTest {
  /** The tables each module owns, its Flyway history among them. */
  private static final Map<String, Set<String>> OWNED = Map.of(
      "persistence", Set.of("events", "metric_points", "spans", "metric_series", "sessions", "context_samples",
          "flyway_schema_history"),
      "checkpoint", Set.of("session_levels", "checkpoints", "webhook_deliveries", "budgets", "budget_sessions", "budget_use",
          "flyway_checkpoint_history"));
  private static final List<String> MODULES = List.of("receiver", "processor", "persistence", "checkpoint", "push", "api", "app");
  /** A relation named in SQL: after FROM, JOIN, INTO, UPDATE or TABLE (the code writes SQL keywords in capitals). */
  private static final Pattern RELATION = Pattern.compile("\\b(?:FROM|JOIN|INTO|UPDATE|TABLE)\\s+(\\w+)");
  private static final Pattern COMMENT = Pattern.compile("//[^\\n]*|/\\*.*?\\*/", Pattern.DOTALL);

  @Test
  @DisplayName("no module's main Java SQL names a table another module owns")
  void everyModuleNamesOnlyItsOwnTables() throws IOException {
    List<String> foreign = new ArrayList<>();
    for (String module : MODULES) {
      for (Path source : sources(module)) {
        Matcher relation = RELATION.matcher(COMMENT.matcher(Files.readString(source)).replaceAll(""));
        while (relation.find()) {
          String owner = owner(relation.group(1));
          if (owner != null && !owner.equals(module)) {
            foreign.add(module + ": " + source.getFileName() + " names " + owner + "'s table " + relation.group(1));
          }
        }
      }
    }
    assertThat(foreign).isEmpty();
  }

  @Test
  @DisplayName("the scan sees the SQL it judges: the checkpoint module's own statements name each of its tables")
  void scanFindsTheOwnersOwnTables() throws IOException {
    List<String> named = new ArrayList<>();
    for (Path source : sources("checkpoint")) {
      RELATION.matcher(COMMENT.matcher(Files.readString(source)).replaceAll("")).results().map(m -> m.group(1)).forEach(named::add);
    }
    assertThat(named).contains("session_levels", "checkpoints", "webhook_deliveries");
  }

  private static String owner(String relation) {
    return OWNED.entrySet().stream().filter(e -> e.getValue().contains(relation)).map(Map.Entry::getKey).findFirst().orElse(null);
  }

  /** The module's main Java sources; the test runs in modules/app. */
  private static List<Path> sources(String module) throws IOException {
    Path root = Path.of("..", module, "src", "main", "java");
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(f -> f.toString().endsWith(".java")).toList();
    }
  }
}
