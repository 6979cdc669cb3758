package dev.contextwatch.core.model;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;

/** The model table of config/models.json: context window, max output, auto-compact threshold, prices. */
public final class Models {
  public static final String ONE_MILLION_SUFFIX = "[1m]";
  private static final long ONE_MILLION = 1_000_000L;

  private final Map<String, Model> byName;
  private final Model fallback;

  private Models(Map<String, Model> byName) {
    this.byName = byName;
    this.fallback = byName.get("default");
    if (fallback == null) {
      throw new IllegalArgumentException("models table needs a 'default' entry");
    }
  }

  /**
   * A model's limits. The auto-compact threshold is where Claude Code compacts the context by itself:
   * the table's value when it gives one ({@code thresholdInTable}), else {@link #defaultThreshold}.
   */
  public record Model(String name, long window, long maxOutput, long autoCompactThreshold,
      double inputPrice, double outputPrice, double cacheReadPrice, double cacheCreationPrice, boolean thresholdInTable) {

    /** The same model on another window: the threshold then the formula's on it. */
    public Model withWindow(long newWindow) {
      return new Model(name, newWindow, maxOutput, defaultThreshold(newWindow, maxOutput),
          inputPrice, outputPrice, cacheReadPrice, cacheCreationPrice, false);
    }
  }

  /** The bundled table, or the file named by the modelsFile key when it is not empty. */
  public static Models load(String file) {
    try {
      if (file == null || file.isEmpty()) {
        try (InputStream in = Models.class.getResourceAsStream("/models.json")) {
          return parse(new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
        }
      }
      return parse(new JsonObject(Files.readString(Path.of(file))));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read models table " + file, e);
    }
  }

  static Models parse(JsonObject json) {
    Map<String, Model> models = new TreeMap<>();
    JsonObject table = json.getJsonObject("models");
    for (String name : table.fieldNames()) {
      JsonObject m = table.getJsonObject(name);
      JsonObject prices = m.getJsonObject("prices", new JsonObject());
      long window = m.getLong("window");
      long maxOutput = m.getLong("maxOutput");
      Long threshold = m.getLong("autoCompactThreshold");
      models.put(name, new Model(name, window, maxOutput, threshold != null ? threshold : defaultThreshold(window, maxOutput),
          prices.getDouble("input", 0.0), prices.getDouble("output", 0.0),
          prices.getDouble("cacheRead", 0.0), prices.getDouble("cacheCreation", 0.0), threshold != null));
    }
    return new Models(models);
  }

  /** Claude Code compacts at about window - min(max output, 20,000) - 13,000. */
  static long defaultThreshold(long window, long maxOutput) {
    return window - Math.min(maxOutput, 20_000) - 13_000;
  }

  /** The entry for a model name: exact, else the longest key prefixing it, else 'default'; [1m] means a 1M window. */
  public Model lookup(String model, boolean oneMillionWindow) {
    String base = baseName(model);
    Model found = base == null ? fallback : byName.get(base);
    if (found == null) {
      found = byName.entrySet().stream()
          .filter(e -> base.startsWith(e.getKey()))
          .max(Comparator.comparingInt(e -> e.getKey().length()))
          .map(Map.Entry::getValue)
          .orElse(fallback);
    }
    boolean oneMillion = oneMillionWindow || (model != null && model.endsWith(ONE_MILLION_SUFFIX));
    return oneMillion && found.window() != ONE_MILLION ? found.withWindow(ONE_MILLION) : found;
  }

  /** The model name without the [1m] suffix that metrics carry. */
  public static String baseName(String model) {
    return model == null || !model.endsWith(ONE_MILLION_SUFFIX) ? model : model.substring(0, model.length() - ONE_MILLION_SUFFIX.length());
  }
}
