package io.vidlabel.ingest;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.FrameGrabber;
import org.bytedeco.javacv.FrameRecorder;

/**
 * Runs a {@link SourceSession} on a file once, or on a network source for as long as it is
 * wanted: a connection that cannot be opened, times out, breaks or ends is reopened after a
 * capped, doubling backoff ({@link SourceOptions#backoff}), until {@code stop} turns true or the
 * reconnect budget is spent. A stalled peer cannot hang it: every read is bounded by the FFmpeg
 * timeout options of {@link SourceOptions#ffmpegOptions}. Errors of the session's sink (Kafka)
 * are not media errors: they end the run at once.
 */
public final class SourceRunner {

  /** Reports connection events (for the command's status line and logs). */
  public interface Listener {
    /** Connection {@code attempt} (0 = the first) is open and being read. */
    default void connected(int attempt) {}

    /** The connection ended ({@code reason}); the next attempt follows after {@code wait}. */
    default void lost(String reason, Duration wait) {}
  }

  /**
   * How a run ended.
   *
   * @param connections connections opened and read
   * @param reconnects reconnect attempts made (successful or not)
   * @param stopped true if {@code stop} ended it, false if the source ended or was given up
   * @param lastError the last connection's error, or null if it ended cleanly
   */
  public record Outcome(int connections, int reconnects, boolean stopped, String lastError) {}

  private SourceRunner() {}

  /** Reads a local file once. Open and read errors are thrown. */
  public static long runFile(Path file, SourceSession session, BooleanSupplier stop) throws Exception {
    try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(file.toFile())) {
      grabber.start();
      return session.run(grabber, stop);
    }
  }

  /** Reads {@code url}, reconnecting as {@code options} allow. */
  public static Outcome runUrl(
      String url, SourceOptions options, SourceSession session, BooleanSupplier stop, Listener listener)
      throws InterruptedException {
    int connections = 0;
    int reconnects = 0;
    int failuresInARow = 0;
    while (true) {
      String error = null;
      long read = 0;
      FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(url);
      grabber.setOptions(options.ffmpegOptions(url));
      try {
        grabber.start();
        connections++;
        listener.connected(reconnects);
        read = session.run(grabber, stop);
      } catch (FrameGrabber.Exception | FrameRecorder.Exception e) {
        error = e.getMessage();
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException(e.getMessage(), e);
      } finally {
        close(grabber);
      }
      if (stop.getAsBoolean()) {
        return new Outcome(connections, reconnects, true, error);
      }
      failuresInARow = read > 0 ? 0 : failuresInARow + 1;
      if (options.maxReconnects() >= 0 && reconnects >= options.maxReconnects()) {
        return new Outcome(connections, reconnects, false, error);
      }
      reconnects++;
      Duration wait = options.backoff(Math.max(1, failuresInARow));
      listener.lost(error != null ? error : "end of stream", wait);
      if (sleep(wait, stop)) {
        return new Outcome(connections, reconnects, true, error);
      }
    }
  }

  /** Sleeps {@code wait} in short steps; true if {@code stop} turned true meanwhile. */
  private static boolean sleep(Duration wait, BooleanSupplier stop) throws InterruptedException {
    long end = System.nanoTime() + wait.toNanos();
    while (System.nanoTime() < end) {
      if (stop.getAsBoolean()) {
        return true;
      }
      Thread.sleep(Math.min(100, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
    }
    return stop.getAsBoolean();
  }

  private static void close(FFmpegFrameGrabber grabber) {
    try {
      grabber.close();
    } catch (Exception e) {
      // closing a broken connection may fail too; the next attempt opens a new grabber
    }
  }
}
