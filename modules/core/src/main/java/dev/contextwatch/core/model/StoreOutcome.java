package dev.contextwatch.core.model;

import java.util.Set;

/**
 * Persistence's reply to a {@link StoreBatch} whose transaction ran: committed, or rolled back
 * because PostgreSQL found part of it already stored (events or data points with these dedup keys)
 * or a session row changed since the state the batch was computed from. The sender reloads that
 * state and stores what is new; nothing of a conflicting batch was written.
 */
public record StoreOutcome(boolean committed, Set<String> alreadyStored) {
  public static final StoreOutcome COMMITTED = new StoreOutcome(true, Set.of());

  public StoreOutcome {
    alreadyStored = Set.copyOf(alreadyStored);
  }

  public static StoreOutcome conflict(Set<String> alreadyStored) {
    return new StoreOutcome(false, alreadyStored);
  }
}
