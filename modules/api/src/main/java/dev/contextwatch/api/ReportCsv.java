package dev.contextwatch.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A report (the JSON {@link ReportQueries} answers) as CSV (RFC 4180): a header, its rows, then the total row. Text that a
 * spreadsheet would run as a formula (a project or user name is whatever a client sent) is prefixed with a quote.
 */
final class ReportCsv {
  static final String TOTAL = "Total";
  /** What starts a formula in Excel, LibreOffice and Google Sheets (OWASP's list). */
  private static final Pattern FORMULA = Pattern.compile("[=+\\-@\t\r]");

  private ReportCsv() {}

  static String of(JsonObject report) {
    List<String> columns = new ArrayList<>();
    columns.add(report.getString("key"));
    if (report.getString("by") != null) {
      columns.add(report.getString("by"));
    }
    List<String> labels = List.copyOf(columns);
    columns.addAll(List.of(ReportQueries.FIGURES));
    StringBuilder csv = new StringBuilder(String.join(",", columns)).append("\r\n");
    JsonArray rows = report.getJsonArray("rows");
    for (int i = 0; i < rows.size(); i++) {
      line(csv, columns, rows.getJsonObject(i));
    }
    JsonObject total = report.getJsonObject("total").copy().put(labels.get(0), TOTAL);
    line(csv, columns, total);
    return csv.toString();
  }

  private static void line(StringBuilder csv, List<String> columns, JsonObject row) {
    for (int i = 0; i < columns.size(); i++) {
      csv.append(i == 0 ? "" : ",").append(cell(row.getValue(columns.get(i))));
    }
    csv.append("\r\n");
  }

  private static String cell(Object value) {
    if (value == null) {
      return "";
    }
    if (value instanceof Double number) {
      return BigDecimal.valueOf(number).stripTrailingZeros().toPlainString();
    }
    String text = value instanceof String && FORMULA.matcher(value.toString()).lookingAt() ? "'" + value : value.toString();
    return text.matches("[^\",\r\n]*") ? text : "\"" + text.replace("\"", "\"\"") + "\"";
  }
}
