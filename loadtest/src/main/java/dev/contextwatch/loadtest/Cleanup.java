package dev.contextwatch.loadtest;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code --cleanup}: deletes what a run stored, project by project, with the API's admin delete of
 * the project's synthetic sessions ({@code DELETE /api/v1/projects/{project}?synthetic=only}), which
 * removes every row of them in every table and the pipeline's memory of them. A project holding
 * sessions the load test did not mark synthetic is refused: before anything is sent (so a run never
 * pours into a real project it could not clean) and again before deleting.
 */
final class Cleanup {
  /** What was deleted: sessions, rows per table and in-memory entries, summed over the projects; and how many sessions were left. */
  record Result(List<String> projects, long sessions, Map<String, Long> deleted, Map<String, Long> evicted, long sessionsLeft) {
    boolean passed() {
      return sessionsLeft == 0;
    }
  }

  /** The project holds sessions that are not the load test's: it is not the load test's to delete. */
  static final class Refused extends RuntimeException {
    Refused(String message) {
      super(message, null, false, false);
    }
  }

  private final ApiClient api;
  private final List<String> projects;

  Cleanup(URI api, String adminToken, List<String> projects) {
    this.api = new ApiClient(api, adminToken);
    this.projects = List.copyOf(projects);
  }

  /** Throws {@link Refused} when a project holds sessions the load test did not mark synthetic. */
  void check() {
    for (String project : projects) {
      long real = sessions(project, "exclude");
      if (real > 0) {
        throw new Refused("project '" + project + "' holds " + real + " sessions the load test did not mark synthetic:"
            + " --cleanup deletes only what the load test sent, so it will not run into that project; choose another --project");
      }
    }
  }

  Result run() {
    check();
    long sessions = 0;
    Map<String, Long> deleted = new LinkedHashMap<>();
    Map<String, Long> evicted = new LinkedHashMap<>();
    long left = 0;
    for (String project : projects) {
      JsonObject answer = api.delete("/api/v1/projects/" + segment(project) + "?synthetic=only");
      if (answer != null) {
        sessions += answer.getLong("sessions");
        add(deleted, answer.getJsonObject("deleted"));
        add(evicted, answer.getJsonObject("evicted"));
      }
      left += sessions(project, "include");
    }
    return new Result(projects, sessions, deleted, evicted, left);
  }

  private long sessions(String project, String synthetic) {
    return api.get("/api/v1/sessions?limit=1&synthetic=" + synthetic + "&project=" + segment(project)).join().getLong("total");
  }

  private static void add(Map<String, Long> sums, JsonObject counts) {
    counts.forEach(e -> sums.merge(e.getKey(), ((Number) e.getValue()).longValue(), Long::sum));
  }

  /** A project name as one path segment or query value. */
  private static String segment(String project) {
    return URLEncoder.encode(project, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
