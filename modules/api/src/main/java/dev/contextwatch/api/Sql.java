package dev.contextwatch.api;

import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;

/**
 * The WHERE conditions and positional parameters ({@code $1, $2, ...}) of a statement, built up as
 * a request's filters are read. Values only ever travel as parameters, never inside the SQL text.
 */
final class Sql {
  private final List<Object> params = new ArrayList<>();
  private final List<String> conditions = new ArrayList<>();

  /** Adds a parameter and returns its placeholder. */
  String bind(Object value) {
    params.add(value);
    return "$" + params.size();
  }

  Sql where(String condition) {
    conditions.add(condition);
    return this;
  }

  /** Adds {@code condition} unless it is null (a filter that lets every row through). */
  Sql whereNotNull(String condition) {
    return condition == null ? this : where(condition);
  }

  String whereClause() {
    return conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
  }

  /** A snapshot of the parameters bound so far. */
  Tuple params() {
    return Tuple.from(new ArrayList<>(params));
  }
}
