package dev.contextwatch.persistence;

import io.vertx.sqlclient.Tuple;
import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * One table's bulk insert: {@code INSERT ... SELECT ... FROM unnest($1::type[], ...) ON CONFLICT DO
 * NOTHING}, one array parameter per column. vertx-pg-client has no COPY; this sends a whole flush
 * as one prepared statement, and the dedup key's unique index makes it idempotent. State tables
 * use the upsert form instead, optionally guarded by a version column.
 */
final class BulkInsert<R> {
  private final String table;
  private final String insert;
  private final String sql;
  private final List<Column<R>> columns;

  private BulkInsert(String table, List<Column<R>> columns, String conflictKey, String versionColumn) {
    this.table = table;
    this.columns = List.copyOf(columns);
    String names = columns.stream().map(Column::name).collect(Collectors.joining(", "));
    List<String> arrays = new ArrayList<>();
    for (int i = 0; i < columns.size(); i++) {
      arrays.add("$" + (i + 1) + "::" + columns.get(i).sqlType().wireType + "[]");
    }
    String selected = columns.stream()
        .map(c -> c.sqlType() == SqlType.JSONB ? c.name() + "::jsonb" : c.name())
        .collect(Collectors.joining(", "));
    this.insert = "INSERT INTO " + table + " (" + names + ") SELECT " + selected
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
      tuple.addValue(column.values(rows));
    }
    return tuple;
  }

  /** PostgreSQL column types and the Java element type the client binds for each. */
  enum SqlType {
    TIMESTAMPTZ("timestamptz", java.time.OffsetDateTime.class),
    TEXT("text", String.class),
    JSONB("text", String.class),
    INT8("int8", Long.class),
    INT4("int4", Integer.class),
    FLOAT8("float8", Double.class),
    BOOL("bool", Boolean.class);

    final String wireType;
    final Class<?> javaType;

    SqlType(String wireType, Class<?> javaType) {
      this.wireType = wireType;
      this.javaType = javaType;
    }
  }

  /**
   * One column: its value for each row. With {@code sharedBy}, the value depends only on that
   * object, which many rows share (an origin's resource): it is computed once per distinct
   * instance in one statement, not once per row.
   */
  record Column<R>(String name, SqlType sqlType, Function<R, Object> value, Function<R, Object> sharedBy) {
    Object values(List<R> rows) {
      Object array = Array.newInstance(sqlType.javaType, rows.size());
      Map<Object, Object> byInstance = sharedBy == null ? null : new IdentityHashMap<>();
      for (int i = 0; i < rows.size(); i++) {
        Array.set(array, i, valueOf(rows.get(i), byInstance));
      }
      return array;
    }

    private Object valueOf(R row, Map<Object, Object> byInstance) {
      return byInstance == null ? value.apply(row) : byInstance.computeIfAbsent(sharedBy.apply(row), shared -> value.apply(row));
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
      columns.add(new Column<>(name, type, value, null));
      return this;
    }

    /** A column whose value depends only on the object {@code sharedBy} answers: computed once per distinct instance. */
    Builder<R> sharedColumn(String name, SqlType type, Function<R, Object> sharedBy, Function<R, Object> value) {
      columns.add(new Column<>(name, type, value, sharedBy));
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
