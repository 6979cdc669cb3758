package dev.contextwatch.receiver;

import dev.contextwatch.core.model.RecordBatch;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Every string a decoded batch holds, keys included, found by walking its records and their JSON. */
final class DecodedStrings {
  private DecodedStrings() {}

  static List<String> of(RecordBatch batch) {
    return Stream.of(batch.events(), batch.points(), batch.spans()).flatMap(List::stream).flatMap(DecodedStrings::walk).toList();
  }

  private static Stream<String> walk(Object value) {
    if (value instanceof String text) {
      return Stream.of(text);
    }
    if (value instanceof JsonObject object) {
      return walk(object.getMap());
    }
    if (value instanceof JsonArray array) {
      return walk(array.getList());
    }
    if (value instanceof Map<?, ?> map) {
      return map.entrySet().stream().flatMap(e -> Stream.concat(walk(e.getKey()), walk(e.getValue())));
    }
    if (value instanceof List<?> list) {
      return list.stream().flatMap(DecodedStrings::walk);
    }
    if (value instanceof Record record) {
      return Arrays.stream(record.getClass().getRecordComponents()).flatMap(c -> walk(component(record, c)));
    }
    return Stream.empty();
  }

  private static Object component(Record record, RecordComponent component) {
    try {
      return component.getAccessor().invoke(record);
    } catch (IllegalAccessException | InvocationTargetException e) {
      throw new IllegalStateException("cannot read " + component, e);
    }
  }
}
