package dev.contextwatch.push;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the client-frame parser: whatever text a client sends, {@link ClientMessage#parse} answers
 * a well-formed message or a {@link ProtocolException}, never another exception, so a bad frame
 * costs the client an error frame and never the connection's handler. The push module has no
 * fuzzing engine, so the frames come from a seeded random source (the same frames on every run; a
 * failure names its frame): mutations of real frames, and documents built from the protocol's
 * vocabulary. docs/fuzzing.md tells how the parser was also fuzzed with Jazzer.
 */
class ClientMessageFuzzTest {
  private static final long SEED = 20_261_123L;
  private static final int FRAMES = 50_000;
  /** The default streamMaxFrameBytes: no client frame is longer. */
  private static final int MAX_FRAME_CHARS = 65_536;
  private static final List<String> FRAMES_SEEN = List.of(
      "{\"op\":\"subscribe\"}",
      "{\"op\":\"subscribe\",\"resume_from\":42,\"filter\":{\"projects\":[\"acme\",\"beta\"],\"types\":[\"event\",\"session.updated\"]}}",
      "{\"op\":\"subscribe\",\"filter\":{\"sessions\":[\"d6b39256\"],\"runs\":[\"run-42\"]}}",
      "{\"op\":\"unsubscribe\"}",
      "{\"op\":\"ping\"}",
      "{\"op\":\"pong\"}");
  private static final List<String> TOKENS = List.of("{", "}", "[", "]", ",", ":", "\"", "\\", "\\u0000", "\\ud800", "null",
      "true", "false", "0", "-0", "-1", "1.5", "1e400", "-1e400", "1e-400", "9223372036854775807", "9223372036854775808",
      "\"op\"", "\"subscribe\"", "\"unsubscribe\"", "\"ping\"", "\"filter\"", "\"resume_from\"", "\"sessions\"", "\"projects\"",
      "\"runs\"", "\"types\"", "\"event\"", "\"session.updated\"", "\u0000", "\uD83D", "🙂");
  private static final List<String> KEYS = List.of("op", "filter", "resume_from", "sessions", "projects", "runs", "types", "x");
  private static final List<String> SCALARS = List.of("\"subscribe\"", "\"unsubscribe\"", "\"ping\"", "\"pong\"", "\"event\"",
      "\"session.updated\"", "\"context.level\"", "\"\"", "null", "true", "0", "-1", "42", "1.5", "1e400", "-0.0",
      "9223372036854775807", "18446744073709551616", "\"12\"");

  @Test
  @DisplayName("mutations of real frames are parsed or refused with a ProtocolException, never thrown otherwise")
  void mutatedFrames() {
    Random random = new Random(SEED);
    for (int i = 0; i < FRAMES; i++) {
      assertParsedOrRefused(mutate(random));
    }
  }

  @Test
  @DisplayName("documents built from the protocol's vocabulary are parsed into consistent messages or refused")
  void generatedFrames() {
    Random random = new Random(SEED);
    for (int i = 0; i < FRAMES; i++) {
      assertParsedOrRefused(object(random, 0));
    }
  }

  @Test
  @DisplayName("deeply nested, huge and binary-looking frames are refused, not thrown")
  void hostileShapes() {
    List<String> frames = List.of(
        "[".repeat(MAX_FRAME_CHARS),
        "{\"op\":\"subscribe\",\"filter\":" + "{\"sessions\":".repeat(5_000) + "[]" + "}".repeat(5_000) + "}",
        "{\"op\":\"subscribe\",\"filter\":{\"sessions\":[" + "\"s\",".repeat(10_000) + "\"s\"]}}",
        "{\"op\":\"subscribe\",\"resume_from\":" + "9".repeat(10_000) + "}",
        "{\"op\":\"subscribe\",\"resume_from\":1" + "0".repeat(400) + ".5}",
        "{\"op\":\"subscribe\",\"op\":\"ping\"}",
        "\u0000\u0001\u00ff\uFFFE",
        "");
    frames.forEach(ClientMessageFuzzTest::assertParsedOrRefused);
  }

  private static void assertParsedOrRefused(String frame) {
    ClientMessage message;
    try {
      message = ClientMessage.parse(frame);
    } catch (ProtocolException e) {
      assertThat(e.getMessage()).as("refusal of %s", abbreviate(frame)).isNotBlank();
      return;
    } catch (RuntimeException | StackOverflowError e) {
      throw new AssertionError("frame " + abbreviate(frame) + " threw " + e, e);
    }
    assertThat(message.op()).as(frame).isNotNull();
    if (message.op() == ClientMessage.Op.SUBSCRIBE) {
      assertThat(message.filter()).as(frame).isNotNull();
      assertThat(message.resumeFrom()).as(frame).satisfiesAnyOf(p -> assertThat(p).isNull(), p -> assertThat(p).isNotNegative());
      assertThat(message.filter().types()).as(frame).isSubsetOf(Frame.LIVE_TYPES);
    } else {
      assertThat(message.filter()).as(frame).isNull();
    }
  }

  /** One to four edits of a real frame: a character replaced, a token inserted, a range cut or doubled, two frames spliced. */
  private static String mutate(Random random) {
    StringBuilder frame = new StringBuilder(pick(random, FRAMES_SEEN));
    for (int edits = 1 + random.nextInt(4); edits > 0; edits--) {
      int at = random.nextInt(frame.length() + 1);
      int end = at + random.nextInt(frame.length() - at + 1);
      switch (random.nextInt(5)) {
        case 0 -> frame.replace(at, Math.min(at + 1, frame.length()), String.valueOf((char) random.nextInt(0x10000)));
        case 1 -> frame.insert(at, pick(random, TOKENS));
        case 2 -> frame.delete(at, end);
        case 3 -> frame.insert(at, frame.substring(at, end));
        default -> frame.replace(at, frame.length(), pick(random, FRAMES_SEEN).substring(random.nextInt(10)));
      }
    }
    return frame.length() <= MAX_FRAME_CHARS ? frame.toString() : frame.substring(0, MAX_FRAME_CHARS);
  }

  /** A JSON object of the protocol's keys, usually with an op, whose values nest up to four levels. */
  private static String object(Random random, int depth) {
    String fields = IntStream.range(0, random.nextInt(4))
        .mapToObj(i -> "\"" + pick(random, KEYS) + "\":" + value(random, depth + 1))
        .collect(Collectors.joining(","));
    String op = depth == 0 && random.nextInt(10) > 0 ? "\"op\":" + pick(random, SCALARS) : "";
    return "{" + op + (op.isEmpty() || fields.isEmpty() ? "" : ",") + fields + "}";
  }

  private static String value(Random random, int depth) {
    int kind = depth > 4 ? 2 : random.nextInt(3);
    return switch (kind) {
      case 0 -> object(random, depth);
      case 1 -> IntStream.range(0, random.nextInt(4)).mapToObj(i -> value(random, depth + 1)).collect(Collectors.joining(",", "[", "]"));
      default -> pick(random, SCALARS);
    };
  }

  private static String pick(Random random, List<String> choices) {
    return choices.get(random.nextInt(choices.size()));
  }

  private static String abbreviate(String frame) {
    return frame.length() <= 200 ? frame : frame.substring(0, 200) + "... (" + frame.length() + " chars)";
  }
}
