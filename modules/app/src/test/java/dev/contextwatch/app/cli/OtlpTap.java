package dev.contextwatch.app.cli;

import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;

/**
 * A byte-for-byte TCP relay on loopback between the CLI's OTLP exporter and the receiver, keeping
 * a copy of both directions. The receiver sees exactly the client's bytes (chunked framing,
 * headers, compression), and the test learns what the client sent and what it was answered: every
 * HTTP/1.1 request and response is parsed back out of the copies, and the OTLP records in each
 * request body are counted, so that "every record stored once" can be checked against what was
 * actually sent.
 */
final class OtlpTap implements AutoCloseable {
  /**
   * One HTTP request as the client sent it, with the answer it got (status -1 if none);
   * {@code arrived} (System.nanoTime of its first byte) orders requests across connections.
   */
  record Exchange(String method, String path, Map<String, String> headers, boolean chunked, int chunks,
      byte[] body, int status, String responseBody, long arrived) {

    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    /** The body with any Content-Encoding removed. */
    byte[] decodedBody() {
      String encoding = header("content-encoding");
      if (encoding == null || encoding.equalsIgnoreCase("identity")) {
        return body;
      }
      if (!encoding.equalsIgnoreCase("gzip")) {
        throw new IllegalStateException("unexpected Content-Encoding " + encoding);
      }
      try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
        return in.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    boolean json() {
      String type = header("content-type");
      return type != null && type.toLowerCase(Locale.ROOT).startsWith("application/json");
    }

    /** Log records in a /v1/logs body, data points in a /v1/metrics body, spans in a /v1/traces body, by name. */
    Map<String, Integer> records() {
      Map<String, Integer> counts = new LinkedHashMap<>();
      byte[] decoded = decodedBody();
      try {
        if (path.equals("/v1/logs")) {
          if (json()) {
            forEach(new JsonObject(new String(decoded, StandardCharsets.UTF_8)), "resourceLogs", rl ->
                forEach(rl, "scopeLogs", sl -> forEach(sl, "logRecords", lr ->
                    counts.merge(logName(lr), 1, Integer::sum))));
          } else {
            ExportLogsServiceRequest.parseFrom(decoded).getResourceLogsList().forEach(rl ->
                rl.getScopeLogsList().forEach(sl -> sl.getLogRecordsList().forEach(lr -> counts.merge(
                    lr.getAttributesList().stream().filter(kv -> kv.getKey().equals("event.name"))
                        .map(kv -> kv.getValue().getStringValue()).findFirst().orElse(lr.getBody().getStringValue()),
                    1, Integer::sum))));
          }
        } else if (path.equals("/v1/metrics")) {
          if (json()) {
            forEach(new JsonObject(new String(decoded, StandardCharsets.UTF_8)), "resourceMetrics", rm ->
                forEach(rm, "scopeMetrics", sm -> forEach(sm, "metrics", m -> {
                  for (String kind : List.of("sum", "gauge", "histogram", "exponentialHistogram", "summary")) {
                    if (m.getValue(kind) instanceof JsonObject data) {
                      counts.merge(m.getString("name"), data.getJsonArray("dataPoints", new JsonArray()).size(), Integer::sum);
                    }
                  }
                })));
          } else {
            ExportMetricsServiceRequest.parseFrom(decoded).getResourceMetricsList().forEach(rm ->
                rm.getScopeMetricsList().forEach(sm -> sm.getMetricsList().forEach(m ->
                    counts.merge(m.getName(), dataPoints(m), Integer::sum))));
          }
        } else if (path.equals("/v1/traces")) {
          if (json()) {
            forEach(new JsonObject(new String(decoded, StandardCharsets.UTF_8)), "resourceSpans", rs ->
                forEach(rs, "scopeSpans", ss -> forEach(ss, "spans", span -> counts.merge(span.getString("name"), 1, Integer::sum))));
          } else {
            ExportTraceServiceRequest.parseFrom(decoded).getResourceSpansList().forEach(rs ->
                rs.getScopeSpansList().forEach(ss -> ss.getSpansList().forEach(span -> counts.merge(span.getName(), 1, Integer::sum))));
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot decode " + path + " body", e);
      }
      return counts;
    }

    int recordCount() {
      return records().values().stream().mapToInt(Integer::intValue).sum();
    }

    private static String logName(JsonObject logRecord) {
      for (Object a : logRecord.getJsonArray("attributes", new JsonArray())) {
        JsonObject kv = (JsonObject) a;
        if ("event.name".equals(kv.getString("key"))) {
          return kv.getJsonObject("value").getString("stringValue");
        }
      }
      JsonObject body = logRecord.getJsonObject("body");
      return body == null ? "" : body.getString("stringValue", "");
    }

    private static void forEach(JsonObject parent, String field, java.util.function.Consumer<JsonObject> action) {
      JsonArray array = parent.getJsonArray(field);
      if (array != null) {
        array.forEach(o -> action.accept((JsonObject) o));
      }
    }

    private static int dataPoints(Metric m) {
      return switch (m.getDataCase()) {
        case SUM -> m.getSum().getDataPointsCount();
        case GAUGE -> m.getGauge().getDataPointsCount();
        case HISTOGRAM -> m.getHistogram().getDataPointsCount();
        case EXPONENTIAL_HISTOGRAM -> m.getExponentialHistogram().getDataPointsCount();
        case SUMMARY -> m.getSummary().getDataPointsCount();
        case DATA_NOT_SET -> 0;
      };
    }

    @Override
    public String toString() {
      return method + " " + path + " " + headers + " body=" + body.length + "B chunks=" + chunks + " -> " + status;
    }
  }

  private final int targetPort;
  private final ServerSocket server;
  private final List<Connection> connections = new CopyOnWriteArrayList<>();
  private final Thread acceptor;

  OtlpTap(int targetPort) throws IOException {
    this.targetPort = targetPort;
    server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    acceptor = new Thread(this::accept, "otlp-tap-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return server.getLocalPort();
  }

  /** Every complete request seen so far, with its response, in the order they arrived. */
  List<Exchange> exchanges() {
    List<Exchange> all = new ArrayList<>();
    for (Connection c : connections) {
      all.addAll(c.exchanges());
    }
    all.sort(java.util.Comparator.comparingLong(Exchange::arrived));
    return all;
  }

  /** Requests whose bytes were cut off (a connection that ended or is still in the middle of one). */
  int incompleteRequests() {
    return connections.stream().mapToInt(Connection::incompleteRequests).sum();
  }

  int connectionCount() {
    return connections.size();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
        Connection connection = new Connection(client, upstream);
        connections.add(connection);
        connection.start();
      } catch (IOException e) {
        if (!server.isClosed()) {
          e.printStackTrace();
        }
      }
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Connection c : connections) {
      c.close();
    }
  }

  private static final class Connection {
    private final Socket client;
    private final Socket upstream;
    private final ByteArrayOutputStream requests = new ByteArrayOutputStream();
    private final ByteArrayOutputStream responses = new ByteArrayOutputStream();
    // when each read of the request direction arrived: {offset in requests, System.nanoTime}
    private final List<long[]> arrivals = new CopyOnWriteArrayList<>();

    Connection(Socket client, Socket upstream) {
      this.client = client;
      this.upstream = upstream;
    }

    void start() {
      pump(client, upstream, requests, arrivals, "otlp-tap-request");
      pump(upstream, client, responses, new CopyOnWriteArrayList<>(), "otlp-tap-response");
    }

    private static void pump(Socket from, Socket to, ByteArrayOutputStream copy, List<long[]> arrivals, String name) {
      Thread t = new Thread(() -> {
        byte[] buffer = new byte[16384];
        try (InputStream in = from.getInputStream()) {
          OutputStream out = to.getOutputStream();
          int n;
          while ((n = in.read(buffer)) >= 0) {
            synchronized (copy) {
              arrivals.add(new long[] {copy.size(), System.nanoTime()});
              copy.write(buffer, 0, n);
            }
            out.write(buffer, 0, n);
            out.flush();
          }
          to.shutdownOutput();
        } catch (IOException e) {
          // the other side went away; the copy holds what passed
          try {
            to.close();
          } catch (IOException ignored) {
            // already closed
          }
        }
      }, name);
      t.setDaemon(true);
      t.start();
    }

    List<Exchange> exchanges() {
      List<Message> sent = Message.parseAll(snapshot(requests), true);
      List<Message> answered = Message.parseAll(snapshot(responses), false);
      List<Exchange> exchanges = new ArrayList<>();
      for (int i = 0; i < sent.size(); i++) {
        Message request = sent.get(i);
        if (!request.complete) {
          continue;
        }
        Message response = i < answered.size() && answered.get(i).complete ? answered.get(i) : null;
        String[] line = request.startLine.split(" ");
        exchanges.add(new Exchange(line[0], line.length > 1 ? line[1] : "", request.headers, request.chunked,
            request.chunks, request.body, response == null ? -1 : Integer.parseInt(response.startLine.split(" ")[1]),
            response == null ? null : new String(response.body, StandardCharsets.UTF_8), arrivedAt(request.start)));
      }
      return exchanges;
    }

    /** When the read holding byte {@code offset} of the request direction arrived. */
    private long arrivedAt(int offset) {
      long arrived = 0;
      for (long[] mark : arrivals) {
        if (mark[0] <= offset) {
          arrived = mark[1];
        }
      }
      return arrived;
    }

    int incompleteRequests() {
      return (int) Message.parseAll(snapshot(requests), true).stream().filter(m -> !m.complete).count();
    }

    private static byte[] snapshot(ByteArrayOutputStream copy) {
      synchronized (copy) {
        return copy.toByteArray();
      }
    }

    void close() throws IOException {
      client.close();
      upstream.close();
    }
  }

  /** One HTTP/1.1 message parsed out of a byte stream. */
  private static final class Message {
    String startLine;
    final Map<String, String> headers = new LinkedHashMap<>();
    boolean chunked;
    int chunks;
    byte[] body = new byte[0];
    boolean complete;
    int start;
    int end;

    static List<Message> parseAll(byte[] data, boolean requests) {
      List<Message> messages = new ArrayList<>();
      int position = 0;
      while (position < data.length) {
        Message m = parse(data, position, requests);
        if (m.complete && !requests && m.startLine.split(" ")[1].startsWith("1")) {
          position = m.end; // 100 Continue and the like: no body, not the answer
          continue;
        }
        messages.add(m);
        if (!m.complete) {
          break;
        }
        position = m.end;
      }
      return messages;
    }

    private static Message parse(byte[] data, int start, boolean request) {
      Message m = new Message();
      m.start = start;
      int headerEnd = indexOf(data, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII), start);
      if (headerEnd < 0) {
        return m;
      }
      String[] lines = new String(data, start, headerEnd - start, StandardCharsets.ISO_8859_1).split("\r\n");
      m.startLine = lines[0];
      for (String line : Arrays.asList(lines).subList(1, lines.length)) {
        int colon = line.indexOf(':');
        m.headers.merge(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim(),
            (a, b) -> a + ", " + b);
      }
      int position = headerEnd + 4;
      String transferEncoding = m.headers.get("transfer-encoding");
      String contentLength = m.headers.get("content-length");
      if (transferEncoding != null && transferEncoding.toLowerCase(Locale.ROOT).contains("chunked")) {
        m.chunked = true;
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
          int lineEnd = indexOf(data, "\r\n".getBytes(StandardCharsets.US_ASCII), position);
          if (lineEnd < 0) {
            return m;
          }
          int size = Integer.parseInt(new String(data, position, lineEnd - position, StandardCharsets.US_ASCII)
              .split(";", 2)[0].trim(), 16);
          position = lineEnd + 2;
          if (size == 0) {
            int trailerEnd = indexOf(data, "\r\n".getBytes(StandardCharsets.US_ASCII), position);
            while (trailerEnd >= 0 && trailerEnd != position) { // skip trailers up to the empty line
              position = trailerEnd + 2;
              trailerEnd = indexOf(data, "\r\n".getBytes(StandardCharsets.US_ASCII), position);
            }
            if (trailerEnd < 0) {
              return m;
            }
            position += 2;
            break;
          }
          if (position + size + 2 > data.length) {
            return m;
          }
          body.write(data, position, size);
          m.chunks++;
          position += size + 2;
        }
        m.body = body.toByteArray();
      } else if (contentLength != null) {
        int length = Integer.parseInt(contentLength.trim());
        if (position + length > data.length) {
          return m;
        }
        m.body = Arrays.copyOfRange(data, position, position + length);
        position += length;
      } else if (!request) {
        m.body = Arrays.copyOfRange(data, position, data.length); // until the connection closes
        position = data.length;
      }
      m.complete = true;
      m.end = position;
      return m;
    }

    private static int indexOf(byte[] data, byte[] pattern, int from) {
      outer:
      for (int i = from; i <= data.length - pattern.length; i++) {
        for (int j = 0; j < pattern.length; j++) {
          if (data[i + j] != pattern[j]) {
            continue outer;
          }
        }
        return i;
      }
      return -1;
    }
  }
}
