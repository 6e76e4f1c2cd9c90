package io.vidlabel.faults;

import static io.vidlabel.faults.MediaHeaders.patchAviFrames;
import static io.vidlabel.faults.MediaHeaders.patchAviSize;
import static io.vidlabel.faults.MediaHeaders.patchJpegSizes;

import io.vidlabel.decode.DecodeException;
import io.vidlabel.decode.DecodeLimits;
import io.vidlabel.decode.DecodedVideo;
import io.vidlabel.decode.FrameSampler;
import io.vidlabel.decode.FrameSize;
import io.vidlabel.decode.VideoDecoder;
import io.vidlabel.util.Directories;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;

/**
 * The named hostile inputs of the fault-testing issue, built by code so a command can run them
 * anywhere: playlists and concat scripts that point at a local file and at an HTTP URL, a stream
 * header claiming 16384x16384, a header claiming billions of frames, zero bytes, truncated files,
 * random bytes and an input over the size limit.
 *
 * <p>For the playlist cases "never opened" is proven, not assumed: the local target is a named
 * pipe with a writer waiting on it (opening a pipe for reading completes the writer's open, which
 * is recorded), and the URL points at a listening loopback socket whose pending connections are
 * checked after the decode (a connection completes in the kernel backlog even if nobody accepts).
 */
public final class HostileCases {

  /**
   * What one case did. {@code contacted} is null where there is no target to contact. {@code
   * passed}: rejected with a reason (or, for a case whose header merely lies about the amount of
   * data, decoded within the limits) and no target contacted.
   */
  public record Result(String name, boolean rejected, String reason, String message, int framesDecoded,
      long millis, Boolean contacted, String proof, boolean passed) {}

  /** All results, with a printable table. */
  public record Report(List<Result> results) {

    /** Every case passed: rejected with a reason (or bounded where allowed), no target contacted. */
    public boolean allPassed() {
      return results.stream().allMatch(Result::passed);
    }

    public Result get(String name) {
      return results.stream().filter(r -> r.name().equals(name)).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("no case " + name));
    }

    public String table() {
      StringBuilder b = new StringBuilder();
      b.append(String.format(Locale.ROOT, "| %-28s | %-8s | %-19s | %6s | %6s | %-9s | %-6s |%n",
          "case", "rejected", "reason", "frames", "ms", "contacted", "result"));
      b.append("|------------------------------|----------|---------------------|-------:|-------:|-----------|--------|\n");
      for (Result r : results) {
        b.append(String.format(Locale.ROOT, "| %-28s | %-8s | %-19s | %6d | %6d | %-9s | %-6s |%n", r.name(),
            r.rejected() ? "yes" : "no", r.reason() == null ? "-" : r.reason(), r.framesDecoded(), r.millis(),
            r.contacted() == null ? "n/a" : r.contacted() ? "YES" : "no", r.passed() ? "ok" : "FAILED"));
      }
      for (Result r : results) {
        if (r.proof() != null) {
          b.append("  ").append(r.name()).append(": ").append(r.proof()).append('\n');
        }
      }
      return b.toString();
    }
  }

  private final VideoDecoder decoder;
  private final Path workDir;

  /** @param workDir an empty scratch directory (pipes and fixtures are made there) */
  public HostileCases(DecodeLimits limits, Path workDir) {
    this.decoder = new VideoDecoder(limits);
    this.workDir = workDir;
  }

  /** Runs every case. */
  public Report run() {
    List<Result> out = new ArrayList<>();
    try {
      out.add(playlistCase("hls-playlist-to-local-file", true, (file, url) ->
          "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:10\n#EXTINF:10.0,\nfile://" + file
              + "\n#EXTINF:10.0,\n" + file + "\n#EXT-X-ENDLIST\n"));
      out.add(playlistCase("hls-playlist-to-http-url", false, (file, url) ->
          "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:10\n#EXTINF:10.0,\n" + url + "\n#EXT-X-ENDLIST\n"));
      out.add(playlistCase("concat-script-to-local-file", true, (file, url) ->
          "ffconcat version 1.0\nfile 'file:" + file + "'\nfile '" + file + "'\n"));
      out.add(playlistCase("concat-script-to-http-url", false, (file, url) ->
          "ffconcat version 1.0\nfile '" + url + "'\n"));
      byte[] avi = smallAvi();
      out.add(decodeCase("header-16384x16384", patchJpegSizes(patchAviSize(avi.clone(), 16384, 16384), 16384, 16384),
          "AVI headers and every frame's JPEG header claim 16384x16384"));
      out.add(decodeCase("header-8192x8192", patchJpegSizes(patchAviSize(avi.clone(), 8192, 8192), 8192, 8192),
          "AVI headers and every frame's JPEG header claim 8192x8192 (over our limit, under FFmpeg's own)"));
      out.add(bounded(decodeCase("container-claims-16384x16384", patchAviSize(avi.clone(), 16384, 16384),
          "only the AVI headers claim 16384x16384; the frames say 64x48")));
      out.add(bounded(decodeCase("header-billions-of-frames", patchAviFrames(avi.clone(), 0x7FFF_FFFF),
          "AVI header claims 2147483647 frames; the file holds 10")));
      out.add(decodeCase("zero-bytes", new byte[0], null));
      out.add(decodeCase("truncated-to-64-bytes", Arrays.copyOf(avi, 64), null));
      out.add(decodeCase("truncated-inside-header", Arrays.copyOf(avi, Math.min(avi.length, 300)), null));
      byte[] noise = new byte[64 * 1024];
      new Random(7).nextBytes(noise);
      out.add(decodeCase("random-64-KiB", noise, null));
      long over = decoder.limits().maxInputBytes() + 1;
      if (over < Integer.MAX_VALUE - 16) {
        out.add(decodeCase("over-the-size-limit", new byte[(int) over], null));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the hostile cases in " + workDir, e);
    }
    return new Report(out);
  }

  @FunctionalInterface
  private interface Script {
    String text(String file, String url);
  }

  private Result playlistCase(String name, boolean localTarget, Script script) throws IOException {
    try (FifoTrap fifo = FifoTrap.create(workDir.resolve(name + ".fifo"));
        SocketTrap socket = new SocketTrap()) {
      String file = fifo != null ? fifo.path.toString() : workDir.resolve(name + ".missing").toString();
      byte[] text = script.text(file, socket.url()).getBytes(StandardCharsets.UTF_8);
      Result r = decodeCase(name, text, null);
      boolean fileOpened = fifo != null && fifo.opened();
      boolean connected = socket.connected();
      String proof = (fifo == null ? "named pipes unavailable, local open not checked; " : "pipe " + file
          + (fileOpened ? " WAS OPENED" : " never opened") + "; ") + "loopback listener " + socket.url()
          + (connected ? " WAS CONTACTED" : " saw no connection");
      Boolean contacted = fifo == null && localTarget ? Boolean.valueOf(connected) : fileOpened || connected;
      return new Result(r.name(), r.rejected(), r.reason(), r.message(), r.framesDecoded(), r.millis(),
          contacted, proof, r.passed() && !contacted);
    }
  }

  private Result decodeCase(String name, byte[] media, String what) {
    long t0 = System.nanoTime();
    try {
      DecodedVideo v = decoder.decode(media, FrameSampler.all(), new FrameSize(16, 16));
      return new Result(name, false, null, "decoded " + v.framesDecoded() + " frames", v.framesDecoded(),
          millis(t0), null, what, false);
    } catch (DecodeException e) {
      return new Result(name, true, e.reason().name(), e.getMessage(), e.framesDecoded(), millis(t0), null, what,
          true);
    }
  }

  /**
   * For a header that lies about how much data follows: decoding what is really there, within the
   * frame limit, is as good as a rejection (nothing was allocated for the claim).
   */
  private Result bounded(Result r) {
    boolean ok = r.rejected() || r.framesDecoded() <= decoder.limits().maxFrames();
    String proof = r.proof() + (r.rejected() ? "" : "; decoded the " + r.framesDecoded()
        + " frames really present in " + r.millis() + " ms (limit " + decoder.limits().maxFrames() + " frames)");
    return new Result(r.name(), r.rejected(), r.reason(), r.message(), r.framesDecoded(), r.millis(), null, proof, ok);
  }

  private static long millis(long t0) {
    return (System.nanoTime() - t0) / 1_000_000;
  }

  /** A 64x48 MJPEG AVI of 10 frames, written by FFmpeg (AVI needs a seekable file). */
  private byte[] smallAvi() throws IOException {
    Path file = workDir.resolve("small.avi");
    try (FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(file.toFile(), 64, 48, 0)) {
      recorder.setFormat("avi");
      recorder.setVideoCodec(avcodec.AV_CODEC_ID_MJPEG);
      recorder.setPixelFormat(avutil.AV_PIX_FMT_YUVJ420P);
      recorder.setFrameRate(10);
      recorder.start();
      try (Frame frame = new Frame(64, 48, Frame.DEPTH_UBYTE, 3)) {
        ByteBuffer buf = (ByteBuffer) frame.image[0];
        for (int i = 0; i < 10; i++) {
          for (int p = 0; p < buf.capacity(); p++) {
            buf.put(p, (byte) (p * 7 + i * 20));
          }
          recorder.record(frame, avutil.AV_PIX_FMT_BGR24);
        }
      }
      recorder.stop();
    }
    byte[] bytes = Files.readAllBytes(file);
    Files.delete(file);
    return bytes;
  }

  /**
   * A named pipe with a writer blocked in open(): if anything opens the pipe for reading, the
   * writer's open returns and {@link #opened()} says so.
   */
  private static final class FifoTrap implements AutoCloseable {
    final Path path;
    private final Thread writer;
    private volatile boolean released;
    private volatile boolean openedByOther;

    private FifoTrap(Path path) {
      this.path = path;
      this.writer = new Thread(() -> {
        try (FileOutputStream out = new FileOutputStream(path.toFile())) {
          if (!released) {
            openedByOther = true;
          }
        } catch (IOException ignored) {
          // the pipe was removed: nobody opened it
        }
      }, "fifo-trap");
      writer.setDaemon(true);
      writer.start();
    }

    /** A trap, or null where mkfifo does not exist. */
    static FifoTrap create(Path path) {
      try {
        Process p = new ProcessBuilder("mkfifo", path.toString()).redirectErrorStream(true).start();
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
          return null;
        }
        return new FifoTrap(path);
      } catch (IOException e) {
        return null;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
    }

    /** Whether anyone but this trap opened the pipe; releases the writer. */
    boolean opened() {
      released = true;
      if (!writer.isAlive()) {
        return openedByOther; // someone else's open already released the writer
      }
      try (FileInputStream in = new FileInputStream(path.toFile())) {
        writer.join(5_000);
      } catch (IOException e) {
        // cannot open our own pipe: report what the writer saw
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return openedByOther;
    }

    @Override
    public void close() {
      if (writer.isAlive()) {
        opened();
      }
      Directories.deleteQuietly(path);
    }
  }

  /** A loopback listener nothing should connect to. */
  private static final class SocketTrap implements AutoCloseable {
    private final ServerSocketChannel server;

    SocketTrap() throws IOException {
      server = ServerSocketChannel.open();
      server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      server.configureBlocking(false);
    }

    String url() {
      try {
        return "http://127.0.0.1:" + ((InetSocketAddress) server.getLocalAddress()).getPort() + "/segment.ts";
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    boolean connected() throws IOException {
      try (SocketChannel c = server.accept()) {
        return c != null;
      }
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }

  /** Prints the table; exit status 1 if any case was not rejected or touched its target. */
  public static void main(String[] args) throws IOException {
    Path dir = Files.createTempDirectory("vidlabel-hostile");
    try {
      Report report = new HostileCases(DecodeLimits.defaults(), dir).run();
      System.out.print(report.table());
      if (!report.allPassed()) {
        System.exit(1);
      }
    } finally {
      Directories.deleteQuietly(dir);
    }
  }
}
