package dev.contextwatch.core.bus;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class KeySequencerTest {

  @Test
  @DisplayName("a task waits for every earlier task sharing one of its keys, even a failed one, and no longer")
  void sequencesByKey() {
    KeySequencer sequencer = new KeySequencer();
    List<String> order = new ArrayList<>();
    Promise<Void> first = Promise.promise();
    Promise<Void> other = Promise.promise();
    sequencer.run(List.of("a"), () -> { order.add("first"); return first.future(); });
    sequencer.run(List.of("b"), () -> { order.add("other"); return other.future(); });
    Future<Void> second = sequencer.run(List.of("a", "c"), () -> { order.add("second"); return Future.succeededFuture(); });
    Future<Void> unrelated = sequencer.run(List.of("d"), () -> { order.add("unrelated"); return Future.succeededFuture(); });

    assertThat(order).containsExactly("first", "other", "unrelated");
    assertThat(unrelated.succeeded()).isTrue();
    first.fail("database down");
    assertThat(order).containsExactly("first", "other", "unrelated", "second");
    assertThat(second.succeeded()).isTrue();
    other.complete();
    assertThat(sequencer.keysInFlight()).isZero();
  }
}
