package io.vidlabel.it;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A minimal RTSP server for tests, so that the publisher can be tested against a real RTSP
 * source without installing a media server: FFmpeg (through JavaCV's recorder) pushes a stream
 * to it with ANNOUNCE/RECORD, and readers pull it with DESCRIBE/SETUP/PLAY, like from a camera.
 * Only RTP interleaved in the RTSP TCP connection is supported; the relay forwards the pushed
 * interleaved packets to every playing reader without looking into them, and serves the pushed
 * SDP as the description. {@link #dropReaders} cuts every reader's connection, as a camera or
 * network failure would.
 */
final class RtspRelay implements AutoCloseable {

  private final ServerSocket server;
  private final List<Reader> readers = new CopyOnWriteArrayList<>();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final AtomicInteger plays = new AtomicInteger();
  private volatile String sdp;
  private volatile boolean live;

  RtspRelay() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::acceptLoop, "rtsp-relay");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  String url() {
    return "rtsp://127.0.0.1:" + server.getLocalPort() + "/live";
  }

  /** Whether a pusher has started recording into the relay (readers get a stream from then on). */
  boolean live() {
    return live;
  }

  /** PLAY requests answered so far (one per reader connection). */
  int plays() {
    return plays.get();
  }

  /** Closes every reader connection with a reset. */
  void dropReaders() {
    for (Reader r : readers) {
      try {
        r.socket.setSoLinger(true, 0);
        r.socket.close();
      } catch (IOException e) {
        // already gone
      }
      readers.remove(r);
    }
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        sockets.add(socket);
        Thread t = new Thread(() -> serve(socket), "rtsp-relay-connection");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket socket) {
    Reader reader = null;
    try (socket) {
      DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
      OutputStream out = socket.getOutputStream();
      boolean recording = false;
      while (true) {
        int first = in.read();
        if (first < 0) {
          return;
        }
        if (first == '$') { // interleaved binary data: channel, 16-bit length, payload
          int channel = in.readUnsignedByte();
          int length = in.readUnsignedShort();
          byte[] payload = in.readNBytes(length);
          if (recording) {
            forward(channel, payload);
          }
          continue;
        }
        Request request = Request.read(first, in);
        if (request == null) {
          return;
        }
        Map<String, String> headers = new LinkedHashMap<>();
        String body = "";
        switch (request.method) {
          case "OPTIONS" -> headers.put("Public", "OPTIONS, DESCRIBE, ANNOUNCE, SETUP, PLAY, RECORD, TEARDOWN, GET_PARAMETER");
          case "ANNOUNCE" -> sdp = request.body;
          case "DESCRIBE" -> {
            if (sdp == null) {
              respond(out, request, "404 Not Found", headers, "");
              continue;
            }
            headers.put("Content-Base", url() + "/");
            headers.put("Content-Type", "application/sdp");
            body = sdp;
          }
          case "SETUP" -> {
            headers.put("Transport", request.headers.getOrDefault("transport", "RTP/AVP/TCP;unicast;interleaved=0-1"));
            headers.put("Session", "4242");
          }
          case "RECORD" -> {
            recording = true;
            live = true;
            headers.put("Session", "4242");
          }
          case "PLAY" -> {
            headers.put("Session", "4242");
            headers.put("Range", "npt=0.000-");
            reader = new Reader(socket, out);
          }
          case "TEARDOWN" -> {
            respond(out, request, "200 OK", headers, "");
            if (recording) {
              closeReaders();
            }
            return;
          }
          default -> { }
        }
        synchronized (out) {
          respond(out, request, "200 OK", headers, body);
        }
        if (reader != null && request.method.equals("PLAY")) {
          readers.add(reader);
          plays.incrementAndGet();
        }
      }
    } catch (IOException e) {
      // connection closed
    } finally {
      if (reader != null) {
        readers.remove(reader);
      }
    }
  }

  private void forward(int channel, byte[] payload) {
    for (Reader r : readers) {
      try {
        synchronized (r.out) {
          r.out.write(new byte[] {'$', (byte) channel, (byte) (payload.length >> 8), (byte) payload.length});
          r.out.write(payload);
          r.out.flush();
        }
      } catch (IOException e) {
        readers.remove(r);
      }
    }
  }

  /** The pusher is done: readers see the end of the stream. */
  private void closeReaders() {
    for (Reader r : readers) {
      try {
        r.socket.close();
      } catch (IOException e) {
        // already gone
      }
    }
    readers.clear();
  }

  private static void respond(OutputStream out, Request request, String status, Map<String, String> headers, String body)
      throws IOException {
    StringBuilder s = new StringBuilder("RTSP/1.0 ").append(status).append("\r\n");
    s.append("CSeq: ").append(request.headers.getOrDefault("cseq", "0")).append("\r\n");
    headers.forEach((k, v) -> s.append(k).append(": ").append(v).append("\r\n"));
    byte[] content = body.getBytes(StandardCharsets.UTF_8);
    if (content.length > 0) {
      s.append("Content-Length: ").append(content.length).append("\r\n");
    }
    s.append("\r\n");
    out.write(s.toString().getBytes(StandardCharsets.UTF_8));
    out.write(content);
    out.flush();
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : sockets) {
      s.close();
    }
  }

  private record Reader(Socket socket, OutputStream out) {}

  /** One RTSP request: method, lower-case headers, body. */
  private record Request(String method, Map<String, String> headers, String body) {

    static Request read(int first, DataInputStream in) throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      head.write(first);
      int matched = 0;
      byte[] end = {'\r', '\n', '\r', '\n'};
      while (matched < 4) {
        int c = in.read();
        if (c < 0) {
          return null;
        }
        head.write(c);
        matched = c == end[matched] ? matched + 1 : (c == '\r' ? 1 : 0);
      }
      String[] lines = head.toString(StandardCharsets.UTF_8).split("\r\n");
      Map<String, String> headers = new LinkedHashMap<>();
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        if (colon > 0) {
          headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
      }
      int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
      String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
      return new Request(lines[0].split(" ")[0], headers, body);
    }
  }
}
