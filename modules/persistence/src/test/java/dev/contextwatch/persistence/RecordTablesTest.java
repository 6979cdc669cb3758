package dev.contextwatch.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.core.config.ConfigLoader;
import dev.contextwatch.core.db.DatabasePool;
import dev.contextwatch.core.db.Databases;
import dev.contextwatch.core.model.EventRecord;
import dev.contextwatch.core.model.Origin;
import dev.contextwatch.testkit.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
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

    Tuple tuple = RecordTables.EVENTS.tuple(rows);

    assertThat(first.encodes.get()).isEqualTo(1);
    assertThat(second.encodes.get()).isEqualTo(1);
    assertThat(values(tuple)).as("the distinct resources, sent once each")
        .containsOnlyOnce((Object) new String[] {a.resource().encode(), b.resource().encode()})
        .as("each row's 0-based index into them").containsOnlyOnce((Object) new Integer[] {0, 0, 1, 0});
    assertThat(a.resource().encode()).isEqualTo("{\"service.name\":\"claude-code\",\"host.arch\":\"arm64\"}");
  }

  @Test
  @DisplayName("rows of several origins, each sent once, are stored with their own origin's resource, byte for byte")
  void sharedResourceStoredPerRow() throws Exception {
    Origin a = new Origin(new JsonObject().put("service.name", "claude-code").put("os.version", "6.8 \"é\""), "scope", "1");
    Origin b = new Origin(new JsonObject().put("service.name", "other").put("n", 1.5), "scope", "1");
    List<EventRecord> rows = List.of(PersistenceVerticleTest.event("r", 0, a), PersistenceVerticleTest.event("r", 1, b),
        PersistenceVerticleTest.event("r", 2, b), PersistenceVerticleTest.event("r", 3, a));
    String url = TestDatabase.newDatabase();
    Migrations.apply(PgConnectOptions.fromUri(url));
    Vertx vertx = Vertx.vertx();
    Pool pool = Databases.pool(vertx, ConfigLoader.defaults().database().withUrl(url), DatabasePool.PERSISTENCE);
    try {
      pool.preparedQuery(RecordTables.EVENTS.sqlFailingOnDuplicates()).execute(RecordTables.EVENTS.tuple(rows))
          .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } finally {
      pool.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    try (Connection c = TestDatabase.connect(url);
        ResultSet rs = c.createStatement().executeQuery("select string_agg(resource::text, '|' order by dedup_key) from events")) {
      rs.next();
      String stored = String.join("|", rows.stream().map(e -> jsonb(c, e.origin().resource().encode())).toList());
      assertThat(rs.getString(1)).isEqualTo(stored);
    }
  }

  /** The text PostgreSQL stores for this JSON, parsed row by row as before shared values. */
  private static String jsonb(Connection c, String json) {
    try (PreparedStatement s = c.prepareStatement("select ?::jsonb::text")) {
      s.setString(1, json);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getString(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<Object> values(Tuple tuple) {
    return IntStream.range(0, tuple.size()).mapToObj(tuple::getValue).toList();
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
