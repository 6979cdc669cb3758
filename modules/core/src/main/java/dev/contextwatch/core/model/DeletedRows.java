package dev.contextwatch.core.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An owner's answer to a {@link SessionDeletion}: how many rows it deleted from each of its tables
 * (or, for the processor, entries from each of its in-memory maps), in the order it deleted them.
 */
public record DeletedRows(Map<String, Long> counts) {
  public DeletedRows {
    counts = Collections.unmodifiableMap(new LinkedHashMap<>(counts));
  }
}
