package dev.contextwatch.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.core.model.EventRecord;
import dev.contextwatch.core.model.Origin;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RecordTablesTest {
  @Test
  @DisplayName("the records of one origin carry its resource encoded once, the same text on every row")
  void resourceEncodedOncePerOrigin() {
    CountingJson first = new CountingJson(new JsonObject().put("service.name", "claude-code").put("host.arch", "arm64"));
    CountingJson second = new CountingJson(new JsonObject().put("service.name", "claude-code").put("os.type", "linux"));
    Origin a = new Origin(first, "com.anthropic.claude_code.events", "2.1.197");
    Origin b = new Origin(second, "com.anthropic.claude_code.events", "2.1.197");
    List<EventRecord> rows = List.of(PersistenceVerticleTest.event("s-1", 0, a), PersistenceVerticleTest.event("s-1", 1, a),
        PersistenceVerticleTest.event("s-2", 0, b), PersistenceVerticleTest.event("s-1", 2, a));

    String[] resources = (String[]) column(RecordTables.EVENTS.tuple(rows), "resource");

    assertThat(first.encodes.get()).isEqualTo(1);
    assertThat(second.encodes.get()).isEqualTo(1);
    assertThat(resources).containsExactly(a.resource().encode(), a.resource().encode(), b.resource().encode(),
        a.resource().encode());
    assertThat(resources[0]).isEqualTo("{\"service.name\":\"claude-code\",\"host.arch\":\"arm64\"}");
  }

  private static Object column(Tuple tuple, String name) {
    String[] names = RecordTables.EVENTS.sql().replaceFirst("^INSERT INTO events \\(([^)]*)\\).*", "$1").split(", ");
    return tuple.getValue(List.of(names).indexOf(name));
  }

  /** A resource that counts how often it is encoded. */
  private static final class CountingJson extends JsonObject {
    final AtomicInteger encodes = new AtomicInteger();

    CountingJson(JsonObject content) {
      super(content.getMap());
    }

    @Override
    public String encode() {
      encodes.incrementAndGet();
      return super.encode();
    }
  }
}
