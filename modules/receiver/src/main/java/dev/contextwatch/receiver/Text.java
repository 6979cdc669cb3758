package dev.contextwatch.receiver;

/**
 * Text as it is kept everywhere: PostgreSQL text and jsonb cannot hold U+0000, and a lone UTF-16
 * surrogate (which OTLP/JSON can carry as {@code "\ud800"}) is written to the database as
 * {@code ?}: a session id holding one would be one id in memory and another after a restart. Both
 * become U+FFFD here, once, before the text is used as an id, a key or a value.
 */
final class Text {
  private static final char REPLACEMENT = '\uFFFD';

  private Text() {}

  static String clean(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\0' || Character.isSurrogate(c)) {
        return replaceFrom(s, i);
      }
    }
    return s;
  }

  private static String replaceFrom(String s, int start) {
    StringBuilder out = new StringBuilder(s.length()).append(s, 0, start);
    for (int i = start; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        out.append(c).append(s.charAt(++i));
      } else {
        out.append(c == '\0' || Character.isSurrogate(c) ? REPLACEMENT : c);
      }
    }
    return out.toString();
  }
}
