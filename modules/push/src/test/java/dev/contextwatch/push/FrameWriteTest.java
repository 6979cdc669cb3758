package dev.contextwatch.push;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class FrameWriteTest {

  @Test
  @DisplayName("one frame written to two sockets reaches each client whole, with its own seq, also when larger than a fragment")
  void sharedBytesReachEveryClient(Vertx vertx, VertxTestContext test) {
    JsonObject small = new JsonObject().put("k", "déjà vu 🙂");
    JsonObject large = new JsonObject().put("lastPrompt", "é".repeat(Frame.FRAGMENT_BYTES)).put("n", 7);
    List<Frame> frames = List.of(Frame.live(Frame.EVENT, 1, "s1", "acme", null, false, small),
        Frame.live(Frame.SESSION_UPDATED, 2, "s1", "acme", null, false, large));
    List<ServerWebSocket> sockets = new CopyOnWriteArrayList<>();
    List<List<String>> received = List.of(new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>());
    HttpServer server = vertx.createHttpServer().webSocketHandler(socket -> {
      sockets.add(socket);
      if (sockets.size() == 2) {
        for (int i = 0; i < 2; i++) {
          for (int f = 0; f < frames.size(); f++) {
            frames.get(f).writeTo(sockets.get(i), 10L * i + f, i, SummaryShape.FULL);
          }
        }
      }
    });
    WebSocketClient client = vertx.createWebSocketClient();
    server.listen(0)
        .compose(s -> connect(client, s.actualPort(), received.get(0))
            .compose(ignored -> connect(client, s.actualPort(), received.get(1))))
        .onFailure(test::failNow);
    vertx.setPeriodic(20, timer -> {
      if (received.get(0).size() == 2 && received.get(1).size() == 2) {
        vertx.cancelTimer(timer);
        test.verify(() -> {
          for (int i = 0; i < 2; i++) {
            List<String> expected = new ArrayList<>();
            for (int f = 0; f < frames.size(); f++) {
              expected.add(frames.get(f).text(10L * i + f, i));
            }
            assertThat(received.get(i)).containsExactlyElementsOf(expected);
            JsonObject second = new JsonObject(received.get(i).get(1));
            assertThat(second.getLong("seq")).isEqualTo(10L * i + 1);
            assertThat(second.getJsonObject("data")).isEqualTo(large);
          }
          assertThat(new JsonObject(received.get(1).get(0)).getInteger("coalesced")).isEqualTo(1);
        });
        test.completeNow();
      }
    });
  }

  private static Future<Void> connect(WebSocketClient client, int port, List<String> into) {
    return client.connect(port, "localhost", "/").map(socket -> {
      socket.textMessageHandler(into::add);
      return null;
    });
  }
}
