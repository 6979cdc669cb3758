package dev.contextwatch.persistence;

import io.vertx.sqlclient.Tuple;
import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.stream.Collectors;

/**
 * One table's bulk insert: {@code INSERT ... SELECT ... FROM unnest($1::type[], ...) ON CONFLICT DO
 * NOTHING}, one array parameter per column. vertx-pg-client has no COPY; this sends a whole flush
 * as one prepared statement, and the dedup key's unique index makes it idempotent. State tables
 * use the upsert form instead, optionally guarded by a version column. A shared column's distinct
 * values travel once per statement, each row naming its own by index.
 */
final class BulkInsert<R> {
  private final String table;
  private final String insert;
  private final String sql;
  private final List<Column<R>> columns;
  private final String conflictKey;
  private final String versionColumn;

  private BulkInsert(String table, List<Column<R>> columns, String conflictKey, String versionColumn) {
    this.table = table;
    this.columns = List.copyOf(columns);
    this.conflictKey = conflictKey;
    this.versionColumn = versionColumn;
    String names = columns.stream().map(Column::name).collect(Collectors.joining(", "));
    List<String> arrays = new ArrayList<>();
    List<String> selected = new ArrayList<>();
    int parameter = 0;
    for (Column<R> column : columns) {
      SqlType type = column.sqlType();
      if (!column.sentOnce()) {
        arrays.add("$" + ++parameter + "::" + type.wireType + "[]");
        selected.add(column.name() + type.cast);
      } else {
        // the row carries an index into the distinct values, which one sub-select (an InitPlan,
        // evaluated once per statement) parses into one jsonb array: each value is parsed once, and
        // a row's element is found in constant time (a jsonb[] subscript walks the array from its
        // start, which costs more than parsing once a statement has thousands of distinct values)
        arrays.add("$" + ++parameter + "::int4[]");
        selected.add("(SELECT jsonb_agg(d.v::jsonb ORDER BY d.n) FROM unnest($" + ++parameter
            + "::text[]) WITH ORDINALITY AS d(v, n)) -> " + column.name());
      }
    }
    this.insert = "INSERT INTO " + table + " (" + names + ") SELECT " + String.join(", ", selected)
        + " FROM unnest(" + String.join(", ", arrays) + ") AS u(" + names + ")";
    this.sql = insert + " " + onConflict(table, columns, conflictKey, versionColumn);
  }

  /**
   * Records are never overwritten; state rows (keyed by {@code conflictKey}) take the newest values,
   * when versioned only over the version they were computed from (a row skipped that way is not
   * counted in the statement's row count).
   */
  private static <R> String onConflict(String table, List<Column<R>> columns, String conflictKey, String versionColumn) {
    if (conflictKey == null) {
      return "ON CONFLICT DO NOTHING";
    }
    String update = "ON CONFLICT (" + conflictKey + ") DO UPDATE SET " + columns.stream()
        .map(Column::name)
        .filter(name -> !name.equals(conflictKey))
        .map(name -> name + " = excluded." + name)
        .collect(Collectors.joining(", "));
    return versionColumn == null ? update
        : update + " WHERE " + table + "." + versionColumn + " = excluded." + versionColumn + " - 1";
  }

  static <R> Builder<R> into(String table) {
    return new Builder<>(table);
  }

  String sql() {
    return sql;
  }

  /**
   * The insert without its {@code ON CONFLICT} clause: a row whose key is stored already (or sent
   * twice) fails the whole statement with a unique violation instead of being skipped, which spares
   * PostgreSQL the speculative insertion of every row.
   */
  String sqlFailingOnDuplicates() {
    return insert;
  }

  /** The same statement answering the given column of every row it inserted (skipped rows are absent). */
  String sqlReturning(String column) {
    return sql + " RETURNING " + column;
  }

  String table() {
    return table;
  }

  Tuple tuple(List<R> rows) {
    Tuple tuple = Tuple.tuple();
    for (Column<R> column : columns) {
      column.addValues(tuple, rows);
    }
    return tuple;
  }

  /**
   * The same insert with every shared column's value (still computed once per distinct instance)
   * sent in every row's slot and cast per row, as the writer did before shared values were sent
   * once per statement: the benchmarks' point of comparison.
   */
  BulkInsert<R> perRow() {
    List<Column<R>> repeated = columns.stream()
        .map(c -> new Column<>(c.name(), c.sqlType(), c.value(), c.sharedBy(), true))
        .toList();
    return new BulkInsert<>(table, repeated, conflictKey, versionColumn);
  }

  /** PostgreSQL column types and the Java element type the client binds for each. */
  enum SqlType {
    TIMESTAMPTZ("timestamptz", "", java.time.OffsetDateTime.class),
    TEXT("text", "", String.class),
    JSONB("text", "::jsonb", String.class),
    INT8("int8", "", Long.class),
    INT4("int4", "", Integer.class),
    FLOAT8("float8", "", Double.class),
    BOOL("bool", "", Boolean.class);

    final String wireType;
    /** What the sent value is cast to in the statement. */
    final String cast;
    final Class<?> javaType;

    SqlType(String wireType, String cast, Class<?> javaType) {
      this.wireType = wireType;
      this.cast = cast;
      this.javaType = javaType;
    }
  }

  /**
   * One column: its value for each row, one array parameter. With {@code sharedBy}, the value
   * depends only on that object, which many rows share (an origin's resource): it is computed once
   * per distinct instance in one statement and, unless {@code sentPerRow}, sent once, as two
   * parameters: each row's 0-based index into the distinct values (null for a null value), and the
   * distinct values.
   */
  record Column<R>(String name, SqlType sqlType, Function<R, Object> value, Function<R, Object> sharedBy,
      boolean sentPerRow) {
    boolean sentOnce() {
      return sharedBy != null && !sentPerRow;
    }

    void addValues(Tuple tuple, List<R> rows) {
      if (sharedBy == null) {
        tuple.addValue(array(rows.size(), i -> value.apply(rows.get(i))));
        return;
      }
      Map<Object, Integer> byInstance = new IdentityHashMap<>();
      List<Object> distinct = new ArrayList<>();
      Integer[] indexes = new Integer[rows.size()];
      for (int i = 0; i < rows.size(); i++) {
        R row = rows.get(i);
        indexes[i] = byInstance.computeIfAbsent(sharedBy.apply(row), shared -> {
          Object computed = value.apply(row);
          if (computed == null) {
            return null;
          }
          distinct.add(computed);
          return distinct.size() - 1;
        });
      }
      if (sentPerRow) {
        tuple.addValue(array(rows.size(), i -> indexes[i] == null ? null : distinct.get(indexes[i])));
      } else {
        tuple.addValue(indexes);
        tuple.addValue(array(distinct.size(), distinct::get));
      }
    }

    private Object array(int size, IntFunction<Object> element) {
      Object array = Array.newInstance(sqlType.javaType, size);
      for (int i = 0; i < size; i++) {
        Array.set(array, i, element.apply(i));
      }
      return array;
    }
  }

  static final class Builder<R> {
    private final String table;
    private final List<Column<R>> columns = new ArrayList<>();
    private String conflictKey;
    private String versionColumn;

    private Builder(String table) {
      this.table = table;
    }

    Builder<R> column(String name, SqlType type, Function<R, Object> value) {
      columns.add(new Column<>(name, type, value, null, false));
      return this;
    }

    /**
     * A JSONB column whose value depends only on the object {@code sharedBy} answers: computed, sent
     * and parsed once per distinct instance.
     */
    Builder<R> sharedColumn(String name, SqlType type, Function<R, Object> sharedBy, Function<R, Object> value) {
      if (type != SqlType.JSONB) {
        throw new IllegalArgumentException("a shared column is parsed once as jsonb: " + name + " is " + type);
      }
      columns.add(new Column<>(name, type, value, sharedBy, false));
      return this;
    }

    /** Makes the statement an upsert on this key column instead of skipping conflicting rows. */
    Builder<R> upsertOn(String keyColumn) {
      this.conflictKey = keyColumn;
      return this;
    }

    /**
     * Makes the upsert optimistic: {@code column} holds the row's version, each new row carries the
     * next one, and a stored row is replaced only while its version is the one before.
     */
    Builder<R> versionedBy(String column) {
      this.versionColumn = column;
      return this;
    }

    BulkInsert<R> build() {
      return new BulkInsert<>(table, columns, conflictKey, versionColumn);
    }
  }
}
