package dev.contextwatch.receiver;

import dev.contextwatch.core.config.ConfigLoader;
import dev.contextwatch.core.config.ReceiverConfig;
import java.util.HashMap;
import java.util.Map;

/** Receiver configurations for tests, built by the application's own loader from the defaults. */
final class TestConfig {
  private TestConfig() {}

  /** The defaults with some keys overridden, e.g. {@code receiver("storeContent", "true")}. */
  static ReceiverConfig receiver(String... keysAndValues) {
    Map<String, String> env = new HashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      env.put(ConfigLoader.envName(keysAndValues[i]), keysAndValues[i + 1]);
    }
    return ConfigLoader.load(null, env).receiver();
  }
}
