package dev.contextwatch.app;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code contextwatch report daily|weekly|monthly|session|project|model [options]}: asks the API of
 * a running instance (local or remote) for a report and prints it as a table whose last row is the
 * total, or the API's JSON or CSV as it is. Starts no pipeline and no database.
 */
final class ReportCommand {
  static final String USAGE = """
      usage: contextwatch report daily|weekly|monthly|session|project|model [--since DATE] [--until DATE]
                 [--by project|model|user|label] [--tz ZONE] [--week-start DAY] [--json|--csv] [--api URL] [--token TOKEN]

        --since, --until DATE   first and last day counted (2026-01-31 or 20260131), in --tz
        --by FIELD              split every row by project, model, user or label
        --tz ZONE               IANA time zone where days, weeks and months begin (default UTC)
        --week-start DAY        first day of a week (default monday)
        --json, --csv           print the API's answer as it is
        --api URL               the instance (default http://localhost:8080)
        --token TOKEN           its API token (default: CONTEXTWATCH_API_TOKEN)
      """;
  private static final Map<String, String> PARAMETERS = Map.of("--since", "since", "--until", "until", "--by", "by",
      "--tz", "tz", "--week-start", "weekStart");
  private static final Map<String, String> HEADINGS = Map.of("date", "Date", "week", "Week", "month", "Month",
      "sessionId", "Session", "project", "Project", "model", "Model", "user", "User", "label", "Label");
  private static final String[] FIGURES = {"inputTokens", "outputTokens", "cacheCreationTokens", "cacheReadTokens",
      "totalTokens", "costUsd"};
  private static final String[] FIGURE_HEADINGS = {"Input", "Output", "Cache Create", "Cache Read", "Total Tokens", "Cost (USD)"};
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final PrintStream out;
  private final PrintStream err;

  ReportCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  /** Runs the command; the exit status: 0 printed, 1 the API failed or refused, 2 bad arguments. */
  int run(List<String> args, Map<String, String> env) {
    if (args.contains("--help") || args.contains("-h")) {
      out.print(USAGE);
      return 0;
    }
    Request request;
    try {
      request = Request.parse(args, env.getOrDefault("CONTEXTWATCH_API_TOKEN", ""));
    } catch (IllegalArgumentException e) {
      err.println("contextwatch report: " + e.getMessage());
      err.print(USAGE);
      return 2;
    }
    HttpResponse<String> response;
    try {
      response = send(request);
    } catch (Exception e) {
      err.println("contextwatch report: cannot reach the API at " + request.api + " (" + e.getMessage() + ")");
      return 1;
    }
    if (response.statusCode() != 200) {
      err.println("contextwatch report: the API answered " + response.statusCode() + ": " + message(response.body()));
      return 1;
    }
    out.print(request.format == null ? table(new JsonObject(response.body())) : response.body());
    return 0;
  }

  private static HttpResponse<String> send(Request request) throws Exception {
    HttpRequest.Builder http = HttpRequest.newBuilder(request.uri()).timeout(TIMEOUT).GET();
    if (!request.token.isEmpty()) {
      http.header("Authorization", "Bearer " + request.token);
    }
    return HttpClient.newBuilder().connectTimeout(TIMEOUT).build()
        .send(http.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  /** The API's error sentence, or the body as it came when it is not the API's JSON. */
  private static String message(String body) {
    try {
      return new JsonObject(body).getString("message", body);
    } catch (RuntimeException e) {
      return body;
    }
  }

  /** The report as aligned columns: headings, a rule, the rows, a rule, the total. */
  static String table(JsonObject report) {
    List<String> labels = new ArrayList<>(List.of(report.getString("key")));
    if (report.getString("by") != null) {
      labels.add(report.getString("by"));
    }
    List<String[]> lines = new ArrayList<>();
    lines.add(headings(labels));
    JsonArray rows = report.getJsonArray("rows");
    for (int i = 0; i < rows.size(); i++) {
      lines.add(cells(labels, rows.getJsonObject(i)));
    }
    lines.add(cells(labels, report.getJsonObject("total").copy().put(labels.get(0), "Total")));
    return render(lines, labels.size());
  }

  private static String[] headings(List<String> labels) {
    String[] cells = new String[labels.size() + FIGURES.length];
    for (int i = 0; i < labels.size(); i++) {
      cells[i] = HEADINGS.get(labels.get(i));
    }
    System.arraycopy(FIGURE_HEADINGS, 0, cells, labels.size(), FIGURES.length);
    return cells;
  }

  private static String[] cells(List<String> labels, JsonObject row) {
    String[] cells = new String[labels.size() + FIGURES.length];
    for (int i = 0; i < labels.size(); i++) {
      cells[i] = row.getString(labels.get(i), "-");
    }
    for (int i = 0; i < FIGURES.length; i++) {
      cells[labels.size() + i] = FIGURES[i].equals("costUsd")
          ? String.format(Locale.ROOT, "$%,.2f", row.getDouble("costUsd", 0.0))
          : String.format(Locale.ROOT, "%,d", row.getLong(FIGURES[i], 0L));
    }
    return cells;
  }

  /** Labels left-aligned, figures right-aligned; a rule under the headings and above the total (the last line). */
  private static String render(List<String[]> lines, int labelColumns) {
    int[] widths = new int[lines.get(0).length];
    for (String[] line : lines) {
      for (int i = 0; i < line.length; i++) {
        widths[i] = Math.max(widths[i], line[i].length());
      }
    }
    String rule = rule(widths);
    StringBuilder table = new StringBuilder();
    for (int n = 0; n < lines.size(); n++) {
      if (n == 1 || n == lines.size() - 1) {
        table.append(rule).append('\n');
      }
      String[] line = lines.get(n);
      for (int i = 0; i < line.length; i++) {
        String format = "%" + (i < labelColumns ? "-" : "") + widths[i] + "s";
        table.append(i == 0 ? "" : "  ").append(String.format(format, line[i]));
      }
      table.append('\n');
    }
    return table.toString();
  }

  private static String rule(int[] widths) {
    StringBuilder rule = new StringBuilder();
    for (int i = 0; i < widths.length; i++) {
      rule.append(i == 0 ? "" : "  ").append("-".repeat(widths[i]));
    }
    return rule.toString();
  }

  /** The command line read: the report, the API's query parameters, the format, where and with which token. */
  private record Request(String report, Map<String, String> parameters, String format, String api, String token) {
    static Request parse(List<String> args, String defaultToken) {
      if (args.isEmpty() || args.get(0).startsWith("-")) {
        throw new IllegalArgumentException("name a report: daily, weekly, monthly, session, project or model");
      }
      Map<String, String> parameters = new LinkedHashMap<>();
      String format = null;
      String api = "http://localhost:8080";
      String token = defaultToken;
      for (int i = 1; i < args.size(); i++) {
        String option = args.get(i);
        switch (option) {
          case "--json", "--csv" -> format = option.substring(2);
          case "--api" -> api = value(args, ++i, option);
          case "--token" -> token = value(args, ++i, option);
          default -> {
            if (!PARAMETERS.containsKey(option)) {
              throw new IllegalArgumentException("unknown argument '" + option + "'");
            }
            parameters.put(PARAMETERS.get(option), value(args, ++i, option));
          }
        }
      }
      parameters.put("format", format == null ? "json" : format);
      Request request = new Request(args.get(0), parameters, format, api.replaceAll("/+$", ""), token);
      request.uri();
      return request;
    }

    private static String value(List<String> args, int i, String option) {
      if (i >= args.size()) {
        throw new IllegalArgumentException(option + " needs a value");
      }
      return args.get(i);
    }

    URI uri() {
      StringBuilder query = new StringBuilder();
      parameters.forEach((name, value) -> query.append(query.isEmpty() ? "?" : "&").append(name).append('=')
          .append(URLEncoder.encode(value, StandardCharsets.UTF_8)));
      try {
        return URI.create(api + "/api/v1/reports/" + URLEncoder.encode(report, StandardCharsets.UTF_8) + query);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--api must be a URL such as http://localhost:8080, got '" + api + "'");
      }
    }
  }
}
