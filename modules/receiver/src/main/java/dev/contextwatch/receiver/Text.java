package dev.contextwatch.receiver;

/** PostgreSQL text and jsonb cannot hold U+0000; one such character must not fail a whole batch. */
final class Text {
  private Text() {}

  static String clean(String s) {
    return s.indexOf('\0') < 0 ? s : s.replace('\0', '\uFFFD');
  }
}
