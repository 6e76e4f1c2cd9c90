package io.vidlabel.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vidlabel.api.StreamQueries.Answer;
import io.vidlabel.api.StreamQueries.Status;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The stream paths of the REST API ({@code GET /api/streams}, {@code /api/streams/{id}},
 * {@code /api/streams/{id}/classifications?limit=N}) on the JDK's built-in HTTP server, answered
 * by the same {@link StreamQueries} as {@link StreamsResource}. It exists for classifier instances
 * that run without Quarkus (Quarkus hosts one application per JVM), as in the scale-out check,
 * where each instance is its own process; the service itself serves these paths through Quarkus
 * REST.
 */
public final class StreamQueryServer implements AutoCloseable {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final int DEFAULT_LIMIT = 10;

  private final HttpServer server;
  private final ExecutorService executor;
  private final StreamQueries queries;

  private StreamQueryServer(HttpServer server, ExecutorService executor, StreamQueries queries) {
    this.server = server;
    this.executor = executor;
    this.queries = queries;
  }

  /** Starts serving on {@code port} of every interface. */
  public static StreamQueryServer start(int port, StreamQueries queries) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
    // Several threads: a query may wait on a forwarded query to another instance.
    ExecutorService executor = Executors.newFixedThreadPool(4);
    StreamQueryServer s = new StreamQueryServer(server, executor, queries);
    server.createContext(StreamQueries.BASE_PATH, s::handle);
    server.setExecutor(executor);
    server.start();
    return s;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!"GET".equals(exchange.getRequestMethod())) {
        send(exchange, 405, Map.of("status", 405, "reason", "only GET is served"));
        return;
      }
      boolean forwarded = exchange.getRequestHeaders().getFirst(StreamQueries.FORWARDED_HEADER) != null;
      String rest = exchange.getRequestURI().getRawPath().substring(StreamQueries.BASE_PATH.length());
      String[] parts = rest.isEmpty() || rest.equals("/") ? new String[0] : rest.substring(1).split("/", -1);
      Answer<?> answer;
      if (parts.length == 0) {
        answer = queries.all(forwarded);
      } else if (parts.length == 1) {
        answer = queries.latest(decode(parts[0]), forwarded);
      } else if (parts.length == 2 && parts[1].equals("classifications")) {
        answer = queries.recent(decode(parts[0]), limit(exchange.getRequestURI().getRawQuery()), forwarded);
      } else {
        answer = new Answer<>(Status.NOT_FOUND, null, "no such path: " + exchange.getRequestURI().getPath());
      }
      send(exchange, answer.status().http(), answer.status() == Status.OK ? answer.value() : answer.error());
    }
  }

  private static int limit(String rawQuery) {
    if (rawQuery != null) {
      for (String pair : rawQuery.split("&")) {
        if (pair.startsWith("limit=")) {
          try {
            return Integer.parseInt(pair.substring("limit=".length()));
          } catch (NumberFormatException e) {
            return 0; // answered as a bad request by StreamQueries
          }
        }
      }
    }
    return DEFAULT_LIMIT;
  }

  /** One percent-encoded path segment; a literal '+' in a path is a plus, not a space. */
  private static String decode(String segment) {
    return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private static void send(HttpExchange exchange, int status, Object body) throws IOException {
    byte[] bytes = MAPPER.writeValueAsBytes(body);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
