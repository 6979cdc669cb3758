package dev.contextwatch.processor;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.contextwatch.core.model.RecordBatch;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Dedup keys of records known to be stored, each with its session: a bounded speed-up only
 * (PostgreSQL has the last word on what is new), so that a retry is dropped before it is planned.
 * The session is kept so that deleting a session also forgets its keys: a record sent again after
 * its session was deleted must be stored again, not dropped as a duplicate. Session ids are shared
 * with the sessions' state, so a key costs no more than with a plain flag.
 */
final class StoredKeys {
  /** The value of a key whose record names no session (a span, say). */
  private static final String NO_SESSION = "";

  private final Cache<String, String> keys;

  StoredKeys(long maxKeys) {
    keys = Caffeine.newBuilder().maximumSize(maxKeys).expireAfterWrite(Duration.ofHours(1)).build();
  }

  boolean contains(String key) {
    return keys.getIfPresent(key) != null;
  }

  /** Keys read back at start, with their sessions' ids. */
  void addAll(Map<String, String> sessionByKey) {
    Map<String, String> shared = new HashMap<>();
    sessionByKey.forEach((key, session) -> add(key, session, shared));
  }

  /** The records of a committed batch; {@code sessions} holds the states whose ids the keys share. */
  void addAll(RecordBatch stored, Map<String, SessionState> sessions) {
    Map<String, String> shared = new HashMap<>();
    sessions.values().forEach(s -> shared.put(s.sessionId, s.sessionId));
    stored.events().forEach(e -> add(e.dedupKey(), e.sessionId(), shared));
    stored.points().forEach(p -> add(p.dedupKey(), p.sessionId(), shared));
    stored.spans().forEach(s -> add(s.dedupKey(), s.sessionId(), shared));
  }

  /** Keys PostgreSQL reported as already stored, with the sessions of the batch's records that carry them. */
  void addStored(Collection<String> stored, RecordBatch batch) {
    Set<String> wanted = Set.copyOf(stored);
    Map<String, String> shared = new HashMap<>();
    batch.events().stream().filter(e -> wanted.contains(e.dedupKey())).forEach(e -> add(e.dedupKey(), e.sessionId(), shared));
    batch.points().stream().filter(p -> wanted.contains(p.dedupKey())).forEach(p -> add(p.dedupKey(), p.sessionId(), shared));
    batch.spans().stream().filter(s -> wanted.contains(s.dedupKey())).forEach(s -> add(s.dedupKey(), s.sessionId(), shared));
  }

  private void add(String key, String session, Map<String, String> shared) {
    keys.put(key, session == null ? NO_SESSION : shared.computeIfAbsent(session, s -> s));
  }

  /** Forgets the keys of these sessions; a scan of every key held, so it runs off the event loop. How many it forgot. */
  long forget(Set<String> sessionIds) {
    AtomicLong forgotten = new AtomicLong();
    keys.asMap().values().removeIf(session -> sessionIds.contains(session) && forgotten.incrementAndGet() > 0);
    return forgotten.get();
  }
}
