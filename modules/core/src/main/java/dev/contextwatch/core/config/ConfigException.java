package dev.contextwatch.core.config;

/** A configuration value that cannot be used; the message names the key and where it came from. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }
}
