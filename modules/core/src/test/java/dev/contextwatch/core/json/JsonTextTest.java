package dev.contextwatch.core.json;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@link JsonText} against {@link JsonObject#encode()}, character for character. */
class JsonTextTest {
  private static final long SEED = 17;
  private static final int RANDOM_TREES = 5_000;

  private enum Colour { RED }

  @Test
  @DisplayName("every character from 0 to 0x7F, surrogates alone and in pairs, U+2028/U+2029 and non-ASCII are escaped exactly as encode() escapes them")
  void characters() {
    StringBuilder ascii = new StringBuilder();
    for (char c = 0; c < 0x80; c++) {
      ascii.append(c);
      assertSame(new JsonObject().put(String.valueOf(c), "x" + c + "y"));
    }
    assertSame(new JsonObject().put("all", ascii.toString()).put(ascii.toString(), 1));
    for (String text : List.of("\ud800", "\udc00", "a\ud800", "\udc00\ud800", "\ud83d\ude00", "\u2028\u2029", "é ü ß 日本",
        "\u0080\u009f\u00a0\u00ff", "\ufffe\uffff", "", "\"\\\"\\", "</script>", "\u007f")) {
      assertSame(new JsonObject().put("k", text).put(text, text));
      assertSame(new JsonArray().add(text));
    }
  }

  @Test
  @DisplayName("numbers are written as encode() writes them: integral types, -0.0, 1e-7, 1e21, extremes, floats, big decimals and integers, NaN and infinities")
  void numbers() {
    List<Object> numbers = List.of(0, -1, Integer.MIN_VALUE, Integer.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE, 9_007_199_254_740_993L,
        (short) -7, (byte) 127, 0.0, -0.0, 1e-7, 1e21, 1e20, 0.1, 1.0 / 3, 100.0, 1e7, 1e-3, 1e-4, Double.MIN_VALUE,
        Double.MAX_VALUE, Double.MIN_NORMAL, -123.456e-300, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
        1.1f, -0.0f, Float.MIN_VALUE, Float.MAX_VALUE, 1e-7f, Float.NaN, Float.NEGATIVE_INFINITY,
        new BigDecimal("1E+3"), new BigDecimal("0.000001"), new BigDecimal("-12345678901234567890.123456789"),
        new BigInteger("123456789012345678901234567890"), BigInteger.ZERO);
    for (Object number : numbers) {
      assertSame(new JsonObject().put("n", number));
    }
    assertSame(new JsonArray(new ArrayList<>(numbers)));
  }

  @Test
  @DisplayName("empty objects and arrays, null, booleans, maps and lists inside objects, and nesting deep and very deep are written as encode() writes them")
  void structure() {
    assertSame(new JsonObject());
    assertSame(new JsonArray());
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("list", new ArrayList<>(List.of(1, "two", new HashMap<>(Map.of("three", 3.0)))));
    map.put("null", null);
    assertSame(new JsonObject().put("o", new JsonObject()).put("a", new JsonArray()).putNull("z").put("t", true).put("f", false)
        .put("map", map).put("list", new ArrayList<>(List.of(new JsonArray().add(new JsonObject().put("k", "v"))))));
    assertSame(new JsonArray().addNull().add(new JsonArray().addNull()));
    for (int depth : List.of(1, 50, 99, 100, 101, 150, 250)) {
      assertSame(nested(depth));
    }
  }

  @Test
  @DisplayName("a tree holding a value this writer does not know (bytes, an instant, an enum, a map with other keys) is encoded by encode() as a whole")
  void unknownValuesFallBack() {
    Map<Object, Object> integerKeys = new HashMap<>(Map.of(1, "one"));
    for (Object odd : List.of(new byte[] {1, 2, 3}, Instant.parse("2026-11-30T08:00:00Z"), Colour.RED, integerKeys, new AtomicLong(5))) {
      assertSame(new JsonObject().put("before", "x").put("odd", new JsonArray().add(1).add(odd)).put("after", 2));
      assertSame(new JsonArray().add(new JsonObject().put("odd", odd)));
    }
  }

  @Test
  @DisplayName("a subclass of JsonObject or JsonArray at the root keeps the text its own encode() writes")
  void subclassesWriteThemselves() {
    JsonObject object = new JsonObject(Map.of("k", "v")) {
      @Override
      public String encode() {
        return "object";
      }
    };
    JsonArray array = new JsonArray(List.of(1)) {
      @Override
      public String encode() {
        return "array";
      }
    };
    assertThat(JsonText.encode(object)).isEqualTo("object");
    assertThat(JsonText.encode(array)).isEqualTo("array");
  }

  @Test
  @DisplayName("thousands of seeded random trees of every kind of value are written as encode() writes them")
  void randomTrees() {
    Random random = new Random(SEED);
    for (int i = 0; i < RANDOM_TREES; i++) {
      assertSame(randomObject(random, 0));
    }
  }

  @Test
  @DisplayName("threads writing at once each get their own text, also after one tree outgrew the builder a thread keeps")
  void threads() throws Exception {
    JsonObject huge = new JsonObject().put("big", "x".repeat(200_000));
    assertSame(huge);
    assertSame(new JsonObject().put("small", 1));
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> runs = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        long seed = SEED + t;
        runs.add(pool.submit(() -> {
          Random random = new Random(seed);
          for (int i = 0; i < 500; i++) {
            assertSame(randomObject(random, 0));
          }
        }));
      }
      for (Future<?> run : runs) {
        run.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static void assertSame(JsonObject json) {
    assertThat(JsonText.encode(json)).isEqualTo(json.encode());
  }

  private static void assertSame(JsonArray json) {
    assertThat(JsonText.encode(json)).isEqualTo(json.encode());
  }

  private static JsonObject nested(int depth) {
    JsonObject root = new JsonObject();
    JsonObject at = root;
    for (int i = 0; i < depth; i++) {
      JsonObject inner = new JsonObject().put("d", i);
      at.put(i % 2 == 0 ? "o" : "p", i % 3 == 0 ? new JsonArray().add(inner) : inner);
      at = inner;
    }
    return root;
  }

  private static JsonObject randomObject(Random random, int depth) {
    JsonObject object = new JsonObject();
    int size = random.nextInt(depth == 0 ? 12 : 5);
    for (int i = 0; i < size; i++) {
      object.put(randomString(random), randomValue(random, depth + 1));
    }
    return object;
  }

  private static Object randomValue(Random random, int depth) {
    int kind = random.nextInt(depth > 4 ? 12 : 17);
    return switch (kind) {
      case 0, 1, 2 -> randomString(random);
      case 3 -> random.nextLong();
      case 4 -> random.nextInt(1000);
      case 5 -> random.nextDouble() * Math.pow(10, random.nextInt(60) - 30);
      case 6 -> Double.longBitsToDouble(random.nextLong());
      case 7 -> Float.intBitsToFloat(random.nextInt());
      case 8 -> random.nextBoolean();
      case 9 -> null;
      case 10 -> random.nextInt(50) == 0 ? odd(random) : new BigDecimal(new BigInteger(80, random), random.nextInt(40) - 20);
      case 11 -> random.nextBoolean() ? new BigInteger(100, random) : (short) random.nextInt();
      case 12, 13 -> randomObject(random, depth);
      case 14 -> randomArray(random, depth);
      case 15 -> new LinkedHashMap<>(randomObject(random, depth).getMap());
      default -> new ArrayList<>(randomArray(random, depth).getList());
    };
  }

  private static JsonArray randomArray(Random random, int depth) {
    JsonArray array = new JsonArray();
    int size = random.nextInt(5);
    for (int i = 0; i < size; i++) {
      array.add(randomValue(random, depth + 1));
    }
    return array;
  }

  private static Object odd(Random random) {
    return switch (random.nextInt(3)) {
      case 0 -> new byte[] {(byte) random.nextInt()};
      case 1 -> Instant.ofEpochSecond(random.nextInt());
      default -> Colour.RED;
    };
  }

  /** Mostly plain text, with control characters, quotes, backslashes, non-ASCII and surrogates (paired or alone). */
  private static String randomString(Random random) {
    int length = random.nextInt(random.nextInt(10) == 0 ? 300 : 20);
    StringBuilder text = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      text.append(switch (random.nextInt(10)) {
        case 0 -> (char) random.nextInt(0x20);
        case 1 -> "\"\\/\u007f".charAt(random.nextInt(4));
        case 2 -> (char) (0x80 + random.nextInt(0x2100));
        case 3 -> (char) (0xD800 + random.nextInt(0x800));
        case 4 -> (char) random.nextInt(0x10000);
        default -> (char) (0x20 + random.nextInt(0x5F));
      });
    }
    return text.toString();
  }
}
