package dev.contextwatch.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ClientMessageTest {

  @Test
  @DisplayName("a subscribe without a filter subscribes to everything but events")
  void subscribeEverything() {
    ClientMessage message = ClientMessage.parse("{\"op\":\"subscribe\"}");
    assertThat(message.op()).isEqualTo(ClientMessage.Op.SUBSCRIBE);
    assertThat(message.filter()).isEqualTo(Filter.EVERYTHING);
    assertThat(message.resumeFrom()).isNull();
    assertThat(message.shape()).isEqualTo(SummaryShape.FULL);
    assertThat(Filter.EVERYTHING.matches(frame(Frame.SESSION_UPDATED, "s", "p", "r"))).isTrue();
    assertThat(Filter.EVERYTHING.matches(frame(Frame.EVENT, "s", "p", "r"))).isFalse();
  }

  @Test
  @DisplayName("a filter's fields must all match; a value list matches any of its values")
  void filterFields() {
    ClientMessage message = ClientMessage.parse("{\"op\":\"subscribe\",\"resume_from\":42,"
        + "\"filter\":{\"projects\":[\"acme\",\"beta\"],\"types\":[\"event\",\"session.updated\"]}}");
    Filter filter = message.filter();
    assertThat(message.resumeFrom()).isEqualTo(42L);
    assertThat(filter.projects()).isEqualTo(Set.of("acme", "beta"));
    assertThat(filter.matches(frame(Frame.EVENT, "s", "beta", null))).isTrue();
    assertThat(filter.matches(frame(Frame.SESSION_UPDATED, "s", "acme", null))).isTrue();
    assertThat(filter.matches(frame(Frame.SESSION_STATUS, "s", "acme", null))).isFalse();
    assertThat(filter.matches(frame(Frame.EVENT, "s", null, null))).isFalse();
    assertThat(filter.matches(frame(Frame.EVENT, "s", "gamma", null))).isFalse();
  }

  @Test
  @DisplayName("a subscribe may ask for tile summaries instead of whole ones")
  void tileSummaries() {
    assertThat(ClientMessage.parse("{\"op\":\"subscribe\",\"summary\":\"tile\"}").shape()).isEqualTo(SummaryShape.TILE);
    assertThat(ClientMessage.parse("{\"op\":\"subscribe\",\"summary\":\"full\"}").shape()).isEqualTo(SummaryShape.FULL);
  }

  @Test
  @DisplayName("frames of synthetic sessions reach only a filter that asks for them: include shows both kinds, only shows those alone")
  void syntheticSessions() {
    Frame real = frame(Frame.SESSION_UPDATED, "s", "acme", null);
    Frame simulated = Frame.live(Frame.SESSION_UPDATED, 2, "sim", "loadtest", null, true, new JsonObject());
    assertThat(Filter.EVERYTHING.matches(real)).isTrue();
    assertThat(Filter.EVERYTHING.matches(simulated)).isFalse();
    Filter include = ClientMessage.parse("{\"op\":\"subscribe\",\"filter\":{\"synthetic\":\"include\"}}").filter();
    assertThat(include.matches(real)).isTrue();
    assertThat(include.matches(simulated)).isTrue();
    Filter only = ClientMessage.parse("{\"op\":\"subscribe\",\"filter\":{\"synthetic\":\"only\"}}").filter();
    assertThat(only.matches(real)).isFalse();
    assertThat(only.matches(simulated)).isTrue();
    assertThat(only.toJson().getString("synthetic")).isEqualTo("only");
  }

  @Test
  @DisplayName("every malformed frame is refused with a sentence naming what is wrong")
  void malformed() {
    assertRefused("nope", "JSON object");
    assertRefused("[1,2]", "JSON object");
    assertRefused("{}", "'op' must be one of subscribe, unsubscribe, ping, pong");
    assertRefused("{\"op\":\"dance\"}", "got dance");
    assertRefused("{\"op\":\"ping\",\"filter\":{}}", "unknown field 'filter' for op 'ping'");
    assertRefused("{\"op\":\"subscribe\",\"filter\":[]}", "'filter' must be an object");
    assertRefused("{\"op\":\"subscribe\",\"filter\":{\"session\":[\"a\"]}}", "unknown filter field 'session'");
    assertRefused("{\"op\":\"subscribe\",\"filter\":{\"sessions\":\"a\"}}", "filter.sessions must be an array of strings");
    assertRefused("{\"op\":\"subscribe\",\"filter\":{\"runs\":[1]}}", "filter.runs must be an array of strings");
    assertRefused("{\"op\":\"subscribe\",\"filter\":{\"types\":[\"session.deleted\"]}}", "unknown frame type 'session.deleted'");
    assertRefused("{\"op\":\"subscribe\",\"filter\":{\"synthetic\":\"all\"}}",
        "filter.synthetic must be one of exclude, include, only, got all");
    assertRefused("{\"op\":\"subscribe\",\"filter\":{\"synthetic\":true}}", "filter.synthetic must be one of");
    assertRefused("{\"op\":\"subscribe\",\"resume_from\":-1}", "'resume_from'");
    assertRefused("{\"op\":\"subscribe\",\"resume_from\":\"12\"}", "'resume_from'");
    assertRefused("{\"op\":\"subscribe\",\"resume_from\":1.5}", "'resume_from'");
    assertRefused("{\"op\":\"subscribe\",\"summary\":\"tiles\"}", "'summary' must be one of full, tile, got tiles");
    assertRefused("{\"op\":\"ping\",\"summary\":\"tile\"}", "unknown field 'summary' for op 'ping'");
  }

  @Test
  @DisplayName("a position from a node of a cluster, \"node:number\", names its node; a bare number names none")
  void clusterPosition() {
    ClientMessage message = ClientMessage.parse("{\"op\":\"subscribe\",\"resume_from\":\"5b1c0e2a-77f3:1763880065123460\"}");
    assertThat(message.resumeFrom()).isEqualTo(1763880065123460L);
    assertThat(message.resumeNode()).isEqualTo("5b1c0e2a-77f3");
    assertThat(ClientMessage.parse("{\"op\":\"subscribe\",\"resume_from\":42}").resumeNode()).isNull();
    assertRefused("{\"op\":\"subscribe\",\"resume_from\":\":12\"}", "\"node:integer\" from a node of a cluster), got :12");
    assertRefused("{\"op\":\"subscribe\",\"resume_from\":\"n:\"}", "'resume_from'");
    assertRefused("{\"op\":\"subscribe\",\"resume_from\":\"n:-3\"}", "'resume_from'");
    assertRefused("{\"op\":\"subscribe\",\"resume_from\":\"n:1" + "0".repeat(30) + "\"}", "'resume_from'");
  }

  private static void assertRefused(String text, String message) {
    assertThatThrownBy(() -> ClientMessage.parse(text)).isInstanceOf(ProtocolException.class).hasMessageContaining(message);
  }

  private static Frame frame(String type, String session, String project, String run) {
    return Frame.live(type, 1, session, project, run, false, new JsonObject());
  }
}
