package dev.contextwatch.loadtest;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/** The console summary, result.json and a self-contained report.html with inline SVG charts. */
final class Report {
  private Report() {}

  static void write(Path folder, Result result) throws IOException {
    Files.createDirectories(folder);
    Files.writeString(folder.resolve("result.json"), result.toJson().encodePrettily() + "\n", StandardCharsets.UTF_8);
    Files.writeString(folder.resolve("report.html"), html(result), StandardCharsets.UTF_8);
  }

  // ---- console ----

  static String console(Result r) {
    StringBuilder out = new StringBuilder();
    JsonObject otlp = Result.latency(r.stats.latency());
    JsonObject frames = Result.latency(r.stats.frameLatency());
    out.append("\n=== contextwatch load test ===\n")
        .append(f("target       %s%n", r.target))
        .append(f("workload     %s%n", workload(r)));
    if (r.warmupSeconds() > 0) {
      out.append(f("warm-up      %s%n", warmUp(r)));
    }
    out.append(f("throughput   %s%n", throughput(r)))
        .append(f("OTLP latency p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms (%,d HTTP attempts)%n",
            otlp.getDouble("p50"), otlp.getDouble("p90"), otlp.getDouble("p99"), otlp.getDouble("max"), otlp.getLong("count")))
        .append(f("req->frame   p50 %.1f ms, p99 %.1f ms, max %.1f ms from the 200 (%,d matched, %,d before the 200, %,d missing, %,d reconnects)%n",
            frames.getDouble("p50"), frames.getDouble("p99"), frames.getDouble("max"), frames.getLong("count"),
            r.stats.framesBeforeAck(), r.framesMissing, r.reconnects))
        .append(f("send->frame  p50 %.1f ms, p99 %.1f ms, max %.1f ms from sending the request%n",
            Result.ms(r.stats.sendToFrame(), 50), Result.ms(r.stats.sendToFrame(), 99), Result.ms(r.stats.sendToFrame(), 100)))
        .append(f("answers      %s%n", answers(r.stats.answers())))
        .append(f("backlog      at most %,d requests waited for one of the %d slots%s%n", r.stats.peakBacklog(), r.options.inFlight,
            r.options.mode == Options.Mode.REALISTIC ? f(" (offered: %,.0f log records/s)", r.options.recordRate()) : ""));
    if (r.ceiling != null) {
      out.append(f("ceiling      %,.0f records/s (persistence verticle alone, %,d records in %.1f s); pipeline / ceiling = %.2f%n",
          r.ceiling.recordsPerSecond(), r.ceiling.records(), r.ceiling.seconds(), r.ceilingRatio()));
    }
    if (r.durability != null) {
      out.append(f("database     %s%n", r.durability));
    }
    if (r.cpu != null) {
      out.append(f("cpu          %s%n", cpu(r.cpu)));
    }
    out.append(f("machine      %d cores, load average %.2f at the end; heap %,d MiB used after GC of %,d MiB max (this JVM)%n",
        Runtime.getRuntime().availableProcessors(), r.loadAverage, r.heapUsedAfterGc >> 20, Runtime.getRuntime().maxMemory() >> 20));
    nodeLines(r).forEach((label, text) -> out.append(f("%-12s %s%n", label, text)));
    out.append("--- account ---\n");
    r.account.lines().forEach((label, text) -> out.append(f("%-25s %s%n", label, text)));
    if (r.verification == null) {
      out.append("verification skipped (--no-verify)\n");
    } else {
      Verifier.Verification v = r.verification;
      v.examples().stream().limit(5).forEach(example -> out.append("  ").append(abbreviate(example)).append('\n'));
      if (v.examples().size() > 5) {
        out.append("  ... (result.json lists up to ").append(v.examples().size()).append(")\n");
      }
      out.append(f("lost=%d duplicated=%d%n", v.lost(), v.duplicated()))
          .append(f("unexpected=%d totals_mismatched=%d%n", v.unexpected(), v.totalsMismatched()));
    }
    if (r.cleanup != null) {
      out.append(f("cleanup      %s%n", cleanup(r.cleanup)));
    }
    if (r.webhooks != null) {
      r.webhooks.examples().stream().limit(5).forEach(example -> out.append("  ").append(example).append('\n'));
      out.append(f("webhooks     %s%n", webhooks(r.webhooks)));
    }
    out.append(r.passed() ? "PASSED\n" : "FAILED\n");
    return out.toString();
  }

  /** With several nodes: each node's requests and failovers, what happened to the nodes, and the feed's frames by node. */
  private static Map<String, String> nodeLines(Result r) {
    Map<String, String> lines = new LinkedHashMap<>();
    if (r.nodeLoads.size() > 1) {
      lines.put("nodes", String.join("; ", r.nodeLoads.stream()
          .map(n -> f("%s %,d requests acknowledged, %,d failovers", n.otlp(), n.acknowledged(), n.failovers())).toList()));
    }
    if (!r.events.isEmpty()) {
      lines.put("events", String.join("; ", r.events.stream().map(SpawnedNodes.Event::toString).toList()));
    }
    if (r.framesByNode.size() > 1 || r.nodeLoads.size() > 1) {
      List<String> feeds = new ArrayList<>();
      r.framesByNode.forEach((api, byNode) -> feeds.add(f("on %s frames of %d nodes %s", api, byNode.size(), byNode)));
      lines.put("feed", String.join("; ", feeds));
    }
    return lines;
  }

  private static String webhooks(WebhookSink.Check w) {
    return f("%,d delivered, %,d pending, %,d dead in the outbox; %,d distinct ids received, %,d more than once, %,d delivered "
        + "but never received, %,d received but not delivered", w.delivered(), w.pending(), w.dead(), w.received(),
        w.receivedTwice(), w.missing(), w.unexpected());
  }

  private static String workload(Result r) {
    Options o = r.options;
    return f("%s, %,d synthetic sessions in %s, %s metrics, %s%s, %d s", Options.label(o.mode), o.sessions,
        o.projects == 1 ? "project " + o.project : f("%d projects %s-*", o.projects, o.project), Options.label(o.temporality),
        Options.label(o.encoding), o.gzip ? "+gzip" : "", o.duration.toSeconds());
  }

  private static String warmUp(Result r) {
    return f("%s s (%,d records sent, verified, not in the figures)", seconds(r.warmupSeconds()),
        r.account.records.warmUp().recordsSent());
  }

  /** Whole seconds without decimals: 20, 1.5. */
  private static String seconds(double seconds) {
    return seconds == Math.rint(seconds) ? f("%,.0f", seconds) : f("%,.1f", seconds);
  }

  private static String throughput(Result r) {
    return f("%,.0f records/s, %,.1f requests/s while sending (%,d records and %,d requests acknowledged in the %.1f s of sending;"
        + " lowest second %,.0f records/s)", r.load.recordsPerSecond(), r.load.requestsPerSecond(), r.load.records(),
        r.load.requests(), r.load.seconds(), lowest(r));
  }

  /** Cores each group of processes used while sending, and the machine's. */
  static String cpu(Cpu.Result c) {
    List<String> parts = new ArrayList<>();
    c.usage().forEach(u -> parts.add(f("%s %.2f", u.name(), u.cores()) + (u.processes() > 1 ? f(" (%d processes)", u.processes()) : "")));
    return f("cores used while sending: %s; machine %.2f of %d cores busy, load average %.2f at the start, %.2f at the end",
        String.join(", ", parts), c.machineBusyCores(), c.cores(), c.loadAverageAtStart(), c.loadAverageAtEnd());
  }

  private static String cleanup(Cleanup.Result c) {
    List<String> rows = new ArrayList<>();
    c.deleted().forEach((table, count) -> rows.add(f("%s %,d", table, count)));
    return f("deleted the %,d sessions of %s (rows: %s); %,d sessions left", c.sessions(), String.join(", ", c.projects()),
        String.join(", ", rows), c.sessionsLeft());
  }

  private static String abbreviate(String text) {
    return text.length() <= 300 ? text : text.substring(0, 300) + "...";
  }

  private static double lowest(Result r) {
    double lowest = Double.MAX_VALUE;
    for (double second : r.steadySeconds()) {
      lowest = Math.min(lowest, second);
    }
    return lowest == Double.MAX_VALUE ? 0 : lowest;
  }

  /** HTTP answers, one per attempt, by status (or timeout, connection-error). */
  private static String answers(Map<String, Long> answers) {
    List<String> parts = new ArrayList<>();
    answers.forEach((status, count) -> parts.add(f("%s: %,d", status, count)));
    return "per HTTP attempt: " + String.join(", ", parts);
  }

  private static String f(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }

  // ---- html ----

  static String html(Result r) {
    List<Stats.Tick> timeline = r.stats.timeline();
    double[] t = timeline.stream().mapToDouble(Stats.Tick::atSeconds).toArray();
    StringBuilder html = new StringBuilder();
    html.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>contextwatch load test</title><style>")
        .append("body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:1000px}")
        .append("table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 10px;text-align:left}")
        .append("th{background:#f4f4f4}.pass{color:#17803d;font-weight:bold}.fail{color:#c0262d;font-weight:bold}")
        .append("svg{background:#fff;border:1px solid #ddd;margin:0.5em 0}svg text{font-size:11px;fill:#444}</style></head><body>")
        .append("<h1>contextwatch load test</h1>")
        .append("<p>").append(escape(r.target)).append("<br>started ").append(r.startedAt).append("</p>")
        .append("<p class=\"").append(r.passed() ? "pass\">PASSED" : "fail\">FAILED").append("</p>")
        .append(table(summaryRows(r)))
        .append("<h2>Throughput</h2>")
        .append(Svg.lines("records and requests acknowledged per second", "per second", t, List.of(
            new Svg.Series("records/s", "#1f77b4", timeline.stream().mapToDouble(Stats.Tick::records).toArray()),
            new Svg.Series("requests/s", "#ff7f0e", timeline.stream().mapToDouble(Stats.Tick::requests).toArray()),
            new Svg.Series("errors/s", "#d62728", timeline.stream().mapToDouble(Stats.Tick::errors).toArray()))))
        .append("<h2>OTLP request latency</h2>")
        .append(Svg.lines("latency of the attempts answered in each second", "ms", t, List.of(
            new Svg.Series("p50", "#2ca02c", timeline.stream().mapToDouble(Stats.Tick::p50Ms).toArray()),
            new Svg.Series("p90", "#1f77b4", timeline.stream().mapToDouble(Stats.Tick::p90Ms).toArray()),
            new Svg.Series("p99", "#ff7f0e", timeline.stream().mapToDouble(Stats.Tick::p99Ms).toArray()),
            new Svg.Series("max", "#d62728", timeline.stream().mapToDouble(Stats.Tick::maxMs).toArray()))))
        .append(Svg.histogram("OTLP latency distribution (all attempts)", buckets(r.stats.latency())))
        .append("<h2>Request to live-feed frame</h2>")
        .append(Svg.lines("from a request's 200 to the session.updated frame showing it", "ms", t, List.of(
            new Svg.Series("p50", "#2ca02c", timeline.stream().mapToDouble(Stats.Tick::frameP50Ms).toArray()),
            new Svg.Series("p99", "#ff7f0e", timeline.stream().mapToDouble(Stats.Tick::frameP99Ms).toArray()))))
        .append(Svg.histogram("request-to-frame distribution", buckets(r.stats.frameLatency())))
        .append("<h2>Settings</h2>").append(table(r.toJson().getJsonObject("settings").getMap()))
        .append("<h2>Machine</h2>").append(table(r.toJson().getJsonObject("machine").getMap()))
        .append("</body></html>\n");
    return html.toString();
  }

  private static Map<String, Object> summaryRows(Result r) {
    JsonObject json = r.toJson();
    Map<String, Object> rows = new LinkedHashMap<>();
    JsonObject otlp = json.getJsonObject("otlpLatencyMs");
    JsonObject frames = json.getJsonObject("requestToFrameMs");
    rows.put("workload", workload(r));
    if (r.warmupSeconds() > 0) {
      rows.put("warm-up", warmUp(r));
    }
    rows.put("throughput", throughput(r));
    rows.put("OTLP latency p50 / p90 / p99 / max", f("%.1f / %.1f / %.1f / %.1f ms", otlp.getDouble("p50"),
        otlp.getDouble("p90"), otlp.getDouble("p99"), otlp.getDouble("max")));
    rows.put("request to frame p50 / p99 / max", f("%.1f / %.1f / %.1f ms (%d matched, %d missing)", frames.getDouble("p50"),
        frames.getDouble("p99"), frames.getDouble("max"), frames.getLong("count"), r.framesMissing));
    rows.put("send to frame p50 / p99", f("%.1f / %.1f ms", Result.ms(r.stats.sendToFrame(), 50), Result.ms(r.stats.sendToFrame(), 99)));
    rows.put("answers", answers(r.stats.answers()));
    if (r.cpu != null) {
      rows.put("CPU", cpu(r.cpu));
    }
    if (r.durability != null) {
      rows.put("database", r.durability);
    }
    if (r.ceiling != null) {
      rows.put("ceiling", f("%,.0f records/s; pipeline / ceiling = %.2f", r.ceiling.recordsPerSecond(), r.ceilingRatio()));
    }
    rows.putAll(nodeLines(r));
    if (r.webhooks != null) {
      rows.put("webhooks", webhooks(r.webhooks));
    }
    rows.putAll(r.account.lines());
    if (r.verification != null) {
      Verifier.Verification v = r.verification;
      rows.put("verification", f("lost=%d duplicated=%d unexpected=%d totals_mismatched=%d", v.lost(), v.duplicated(),
          v.unexpected(), v.totalsMismatched()));
    }
    if (r.cleanup != null) {
      rows.put("cleanup", cleanup(r.cleanup));
    }
    return rows;
  }

  private static String table(Map<String, Object> rows) {
    StringBuilder html = new StringBuilder("<table>");
    rows.forEach((k, v) -> html.append("<tr><th>").append(escape(k)).append("</th><td>").append(escape(String.valueOf(v)))
        .append("</td></tr>"));
    return html.append("</table>").toString();
  }

  /** Latency buckets doubling from 0.1 ms: label and count. */
  private static List<Svg.Bar> buckets(Histogram h) {
    List<Svg.Bar> bars = new ArrayList<>();
    if (h.getTotalCount() == 0) {
      return bars;
    }
    long upper = 100;
    long count = 0;
    for (HistogramIterationValue v : h.recordedValues()) {
      while (v.getValueIteratedTo() > upper) {
        bars.add(new Svg.Bar("≤" + label(upper), count));
        count = 0;
        upper *= 2;
      }
      count += v.getCountAtValueIteratedTo();
    }
    bars.add(new Svg.Bar("≤" + label(upper), count));
    return bars;
  }

  private static String label(long micros) {
    return micros < 1000 ? f("%.1fms", micros / 1000.0) : micros < 1_000_000 ? f("%dms", micros / 1000) : f("%.1fs", micros / 1e6);
  }

  static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
