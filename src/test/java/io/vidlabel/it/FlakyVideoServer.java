package io.vidlabel.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A minimal HTTP/1.1 server on loopback that serves one video as a live stream (no length, the
 * connection closes at its end) and misbehaves on purpose, connection by connection: it can cut
 * the connection (TCP reset) or stop sending without closing after part of the body, or accept
 * and never answer. Written on a bare {@link ServerSocket} so that each of these is exact.
 */
final class FlakyVideoServer implements AutoCloseable {

  /** What one connection does. */
  record Behaviour(Kind kind, double fraction) {
    static Behaviour serveAll() {
      return new Behaviour(Kind.SERVE_ALL, 1);
    }

    static Behaviour dropAfter(double fraction) {
      return new Behaviour(Kind.DROP, fraction);
    }

    static Behaviour stallAfter(double fraction) {
      return new Behaviour(Kind.STALL, fraction);
    }

    static Behaviour neverAnswer() {
      return new Behaviour(Kind.NEVER_ANSWER, 0);
    }
  }

  enum Kind {
    SERVE_ALL,
    DROP,
    STALL,
    NEVER_ANSWER
  }

  private final byte[] video;
  private final List<Behaviour> script;
  private final ServerSocket server;
  private final Thread acceptor;
  private final CountDownLatch closed = new CountDownLatch(1);
  private final AtomicInteger connections = new AtomicInteger();
  private final List<Socket> open = new ArrayList<>();

  /**
   * @param script behaviour of connection 0, 1, ...; connections after the last repeat the last
   */
  FlakyVideoServer(byte[] video, List<Behaviour> script) throws IOException {
    this.video = video;
    this.script = List.copyOf(script);
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.acceptor = new Thread(this::acceptLoop, "flaky-video-server");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getLocalPort() + "/live.ts";
  }

  /** Connections accepted so far. */
  int connections() {
    return connections.get();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        synchronized (open) {
          open.add(socket);
        }
        int n = connections.getAndIncrement();
        Behaviour b = script.get(Math.min(n, script.size() - 1));
        Thread worker = new Thread(() -> serve(socket, b), "flaky-video-connection-" + n);
        worker.setDaemon(true);
        worker.start();
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void serve(Socket socket, Behaviour b) {
    try (socket) {
      readRequestHead(socket.getInputStream());
      if (b.kind() == Kind.NEVER_ANSWER) {
        closed.await();
        return;
      }
      OutputStream out = socket.getOutputStream();
      out.write(("HTTP/1.1 200 OK\r\nContent-Type: video/mp2t\r\nCache-Control: no-cache\r\n"
              + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      int end = (int) Math.round(video.length * b.fraction());
      for (int at = 0; at < end; at += 4096) {
        out.write(video, at, Math.min(4096, end - at));
      }
      out.flush();
      switch (b.kind()) {
        case DROP -> socket.setSoLinger(true, 0); // close with a reset: a dropped connection
        case STALL -> closed.await(); // keep the connection open and silent
        default -> {}
      }
    } catch (IOException e) {
      // the client went away; nothing to do
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void readRequestHead(InputStream in) throws IOException {
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    int c;
    while (matched < 4 && (c = in.read()) >= 0) {
      matched = c == end[matched] ? matched + 1 : (c == '\r' ? 1 : 0);
    }
  }

  @Override
  public void close() throws IOException {
    closed.countDown();
    server.close();
    synchronized (open) {
      for (Socket s : open) {
        s.close();
      }
    }
  }
}
