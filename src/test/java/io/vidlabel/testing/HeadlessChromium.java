package io.vidlabel.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real headless Chromium (Debian package {@code chromium}) driven over the DevTools protocol with
 * nothing but the JDK's WebSocket client: enough to load a page, read its DOM, click like a mouse
 * and take a screenshot, without a browser download or a driver binary.
 *
 * <p>{@code main(url, out.png[, width, height, waitExpression])} takes one screenshot, for the
 * README.
 */
public final class HeadlessChromium implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://\\S+)");
  private static final Duration CALL_TIMEOUT = Duration.ofMinutes(2); // a loaded 2-core machine is slow

  private final Process process;
  private final WebSocket socket;
  private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
  private final AtomicInteger ids = new AtomicInteger();
  private final List<String> console = Collections.synchronizedList(new ArrayList<>());

  private HeadlessChromium(Process process, URI pageSocket) {
    this.process = process;
    this.socket =
        HttpClient.newHttpClient()
            .newWebSocketBuilder()
            .buildAsync(pageSocket, new Listener())
            .orTimeout(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
            .join();
  }

  /** The chromium binary: {@code $VIDLABEL_CHROMIUM}, else the Debian package's. */
  public static Optional<Path> executable() {
    String env = System.getenv("VIDLABEL_CHROMIUM");
    if (env != null && !env.isBlank()) {
      return Optional.of(Path.of(env));
    }
    for (String candidate : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser")) {
      if (Files.isExecutable(Path.of(candidate))) {
        return Optional.of(Path.of(candidate));
      }
    }
    return Optional.empty();
  }

  /** Starts a headless browser with a fresh profile in {@code profile} and attaches to its tab. */
  public static HeadlessChromium start(Path profile, int width, int height) throws IOException {
    Path binary =
        executable()
            .orElseThrow(() -> new IllegalStateException("chromium is not installed (apt-get install chromium)"));
    List<String> command =
        new ArrayList<>(
            List.of(
                binary.toString(),
                "--headless",
                "--disable-gpu",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-extensions",
                "--disable-background-networking",
                "--remote-debugging-port=0",
                "--user-data-dir=" + profile.toAbsolutePath(),
                "--window-size=" + width + "," + height,
                "about:blank"));
    if ("root".equals(System.getProperty("user.name"))) {
      command.add(1, "--no-sandbox"); // Chromium refuses to run as root with its sandbox
    }
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      URI browserSocket = awaitDevTools(process);
      URI page = pageSocket(browserSocket);
      return new HeadlessChromium(process, page);
    } catch (IOException | RuntimeException e) {
      process.destroyForcibly();
      throw e;
    }
  }

  /** Reads the browser's output until it names its DevTools socket; keeps draining it afterwards. */
  private static URI awaitDevTools(Process process) throws IOException {
    CompletableFuture<URI> found = new CompletableFuture<>();
    StringBuffer log = new StringBuffer();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                  if (!found.isDone()) {
                    log.append(line).append('\n');
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                      found.complete(URI.create(m.group(1)));
                    }
                  }
                }
              } catch (IOException ignored) {
                // the browser exited
              }
              found.completeExceptionally(new IOException("chromium exited before DevTools listened:\n" + log));
            },
            "chromium-output");
    reader.setDaemon(true);
    reader.start();
    try {
      return found.get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new IOException("chromium did not open DevTools: " + e.getMessage() + "\n" + log, e);
    }
  }

  /** The first tab's socket, from the DevTools HTTP endpoint on the same port. */
  private static URI pageSocket(URI browserSocket) throws IOException {
    URI list = URI.create("http://" + browserSocket.getAuthority() + "/json/list");
    try {
      HttpResponse<String> response =
          HttpClient.newHttpClient().send(HttpRequest.newBuilder(list).build(), HttpResponse.BodyHandlers.ofString());
      for (JsonNode target : JSON.readTree(response.body())) {
        if ("page".equals(target.path("type").asText())) {
          return URI.create(target.path("webSocketDebuggerUrl").asText());
        }
      }
      throw new IOException("chromium has no page target: " + response.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  /** Calls one DevTools method and returns its result (throws on a protocol error). */
  public JsonNode call(String method, Map<String, ?> params) {
    int id = ids.incrementAndGet();
    ObjectNode message = JSON.createObjectNode();
    message.put("id", id);
    message.put("method", method);
    message.set("params", JSON.valueToTree(params));
    CompletableFuture<JsonNode> reply = new CompletableFuture<>();
    pending.put(id, reply);
    synchronized (socket) {
      socket.sendText(message.toString(), true).join(); // one send at a time on a WebSocket
    }
    JsonNode answer = reply.orTimeout(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).join();
    if (answer.has("error")) {
      throw new IllegalStateException(method + " failed: " + answer.get("error"));
    }
    return answer.path("result");
  }

  /** Opens {@code url} in the tab (returns when navigation is committed, not when it has loaded). */
  public void navigate(String url) {
    call("Runtime.enable", Map.of());
    call("Page.enable", Map.of());
    JsonNode result = call("Page.navigate", Map.of("url", url));
    if (result.hasNonNull("errorText")) {
      throw new IllegalStateException("cannot open " + url + ": " + result.get("errorText"));
    }
  }

  /** Evaluates a JavaScript expression in the page and returns its value as JSON (null if undefined). */
  public JsonNode evaluate(String expression) {
    JsonNode result =
        call("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true, "awaitPromise", true));
    if (result.has("exceptionDetails")) {
      throw new IllegalStateException("page threw: " + result.get("exceptionDetails"));
    }
    return result.path("result").path("value");
  }

  /**
   * Clicks the centre of the element matching {@code selector} with the mouse (press and release
   * through the input pipeline, as a person would), after scrolling it into view.
   */
  public void click(String selector) {
    JsonNode box =
        evaluate(
            "(() => { const e = document.querySelector(" + JSON.valueToTree(selector) + ");"
                + " if (!e) return null; e.scrollIntoView({block: 'center'});"
                + " const r = e.getBoundingClientRect(); return {x: r.x + r.width / 2, y: r.y + r.height / 2}; })()");
    if (box.isNull() || box.isMissingNode()) {
      throw new IllegalStateException("nothing matches " + selector);
    }
    double x = box.get("x").asDouble();
    double y = box.get("y").asDouble();
    call("Input.dispatchMouseEvent", Map.of("type", "mouseMoved", "x", x, "y", y));
    call("Input.dispatchMouseEvent", Map.of("type", "mousePressed", "x", x, "y", y, "button", "left", "clickCount", 1));
    call("Input.dispatchMouseEvent", Map.of("type", "mouseReleased", "x", x, "y", y, "button", "left", "clickCount", 1));
  }

  /** A PNG of the visible page. */
  public byte[] screenshot() {
    return Base64.getDecoder().decode(call("Page.captureScreenshot", Map.of("format", "png")).path("data").asText());
  }

  /** Console messages and uncaught exceptions of the page so far (for failure messages). */
  public List<String> console() {
    synchronized (console) {
      return List.copyOf(console);
    }
  }

  @Override
  public void close() {
    try {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> null).join();
    } finally {
      process.destroy();
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        String text = partial.toString();
        partial.setLength(0);
        dispatch(text);
      }
      webSocket.request(1);
      return null;
    }

    private void dispatch(String text) {
      try {
        JsonNode message = JSON.readTree(text);
        if (message.has("id")) {
          CompletableFuture<JsonNode> reply = pending.remove(message.get("id").asInt());
          if (reply != null) {
            reply.complete(message);
          }
        } else if ("Runtime.consoleAPICalled".equals(message.path("method").asText())) {
          console.add(message.path("params").path("type").asText() + ": " + message.path("params").path("args"));
        } else if ("Runtime.exceptionThrown".equals(message.path("method").asText())) {
          console.add("exception: " + message.path("params").path("exceptionDetails"));
        }
      } catch (IOException e) {
        console.add("unreadable DevTools message: " + text);
      }
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      pending.values().forEach(f -> f.completeExceptionally(error));
    }
  }

  /**
   * Takes one screenshot: {@code url out.png [width height [waitExpression]]}. The expression (for
   * example {@code document.querySelectorAll('.tile').length >= 2}) is polled until true first.
   */
  public static void main(String[] args) throws Exception {
    String url = args[0];
    Path out = Path.of(args[1]);
    int width = args.length > 2 ? Integer.parseInt(args[2]) : 1280;
    int height = args.length > 3 ? Integer.parseInt(args[3]) : 860;
    String wait = args.length > 4 ? args[4] : "document.readyState === 'complete'";
    Path profile = Files.createTempDirectory("vidlabel-chromium");
    try (HeadlessChromium browser = start(profile, width, height)) {
      browser.navigate(url);
      long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
      while (!browser.evaluate(wait).asBoolean(false)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("page never satisfied: " + wait);
        }
        Thread.sleep(500);
      }
      Thread.sleep(1500); // let the last tile update paint
      Files.write(out, browser.screenshot());
      System.err.println("screenshot: " + out);
    }
  }
}
