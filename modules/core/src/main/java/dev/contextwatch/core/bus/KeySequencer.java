package dev.contextwatch.core.bus;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Runs tasks so that two tasks sharing a key never overlap: a task starts once every earlier task
 * on any of its keys has finished, successfully or not. The processor and the checkpoint verticle
 * use it so that the per-session state a task starts from is always committed state. Event-loop
 * confined.
 */
public final class KeySequencer {
  private final Map<String, Future<Void>> tails = new HashMap<>();

  public <T> Future<T> run(Collection<String> keys, Supplier<Future<T>> task) {
    List<Future<Void>> before = new ArrayList<>(keys.size());
    for (String key : keys) {
      Future<Void> tail = tails.get(key);
      if (tail != null && !before.contains(tail)) {
        before.add(tail);
      }
    }
    Future<Void> ready = before.isEmpty() ? Future.succeededFuture()
        : Future.join(before).transform(ignored -> Future.succeededFuture());
    Future<T> result = ready.compose(ignored -> task.get());
    Future<Void> done = result.transform(ignored -> Future.succeededFuture());
    keys.forEach(key -> tails.put(key, done));
    done.onComplete(ignored -> keys.forEach(key -> tails.remove(key, done)));
    return result;
  }

  public int keysInFlight() {
    return tails.size();
  }
}
