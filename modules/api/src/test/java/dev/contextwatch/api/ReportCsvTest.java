package dev.contextwatch.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ReportCsvTest {
  private static JsonObject report(String... projects) {
    JsonArray rows = new JsonArray();
    for (String project : projects) {
      rows.add(new JsonObject().put("project", project).put("costUsd", 1.5).put("inputTokens", 3L));
    }
    return new JsonObject().put("key", "project").put("rows", rows).put("total", new JsonObject().put("costUsd", 3.0));
  }

  @Test
  @DisplayName("a name a spreadsheet would run as a formula is written as text, quoted where it needs quotes")
  void formulasAreNeutralised() {
    String csv = ReportCsv.of(report("=HYPERLINK(\"http://x\",\"y\")", "+1", "-2", "@SUM(A1)", "\tx"));

    assertThat(csv.split("\r\n"))
        .contains("\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",3,,,,,1.5,")
        .anySatisfy(line -> assertThat(line).startsWith("'+1,"))
        .anySatisfy(line -> assertThat(line).startsWith("'-2,"))
        .anySatisfy(line -> assertThat(line).startsWith("'@SUM(A1),"))
        .anySatisfy(line -> assertThat(line).startsWith("'\tx,"));
  }

  @Test
  @DisplayName("ordinary names and numbers are written as they are")
  void ordinaryCellsUnchanged() {
    String csv = ReportCsv.of(report("web-app", "a=b"));

    assertThat(csv).contains("\r\nweb-app,3,").contains("\r\na=b,3,").doesNotContain("'");
  }
}
