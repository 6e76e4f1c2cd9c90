package io.vidlabel.cli;

import io.quarkus.arc.Unremovable;
import io.vidlabel.config.VidlabelConfig;
import io.vidlabel.ingest.FrameSnapshots;
import io.vidlabel.ingest.Segment;
import io.vidlabel.ingest.SegmentCutter;
import io.vidlabel.ingest.SegmentEncoding;
import io.vidlabel.ingest.SegmentPublisher;
import io.vidlabel.ingest.SourceOptions;
import io.vidlabel.ingest.SourceRunner;
import io.vidlabel.ingest.SourceSession;
import io.vidlabel.ingest.StreamSegmenter;
import io.vidlabel.kafka.KafkaClients;
import io.vidlabel.util.ProgressBar;
import jakarta.enterprise.context.Dependent;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Publishes video to Kafka: a file, every video file of a directory, or a live network source
 * (RTSP camera, HTTP/HLS stream, anything FFmpeg opens by URL). Segments go to the segments topic
 * as they are cut, so a live source is classified while it plays; {@code --frames-fps} publishes
 * JPEG pictures to the frames topic instead. A network source that stalls, breaks or ends is
 * reopened with a capped backoff and its segments keep their numbering; Ctrl-C or {@code
 * --duration} ends the run after the segment being cut is published.
 */
@Dependent
@Unremovable
@Command(
    name = "publish",
    description = {
      "Publish a video file, a directory of videos or a camera URL (rtsp://, http://, ...) to Kafka:",
      "segments to video.segments, or JPEG pictures to video.frames with --frames-fps."
    })
public class PublishCommand implements Callable<Integer> {

  /** File name extensions directory mode takes for video. */
  static final Set<String> VIDEO_EXTENSIONS =
      Set.of("ts", "mts", "m2ts", "mp4", "m4v", "mov", "mkv", "webm", "avi", "flv", "mpg", "mpeg",
          "264", "h264", "265", "h265", "hevc", "mjpeg", "mjpg", "ivf", "y4m");

  /** Source prefix for a class-path resource, e.g. {@code classpath:samples/fashion-mnist.ts}. */
  static final String CLASSPATH = "classpath:";

  /** How long a Ctrl-C waits for the segment being cut to be published. */
  private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(20);

  @Parameters(index = "0", paramLabel = "SOURCE", description = "Video file, directory of video files, URL (rtsp://, http://, https://, ...) or classpath:samples/fashion-mnist.ts (the bundled sample).")
  String source;

  @Option(names = "--stream", paramLabel = "ID", description = "Stream id (the record key). Default: the file name without extension (each file of a directory its own); required for URLs.")
  String stream;

  @Option(names = "--segment-seconds", defaultValue = "2", description = "Segment length (default: ${DEFAULT-VALUE}).")
  double segmentSeconds;

  @Option(names = "--max-height", defaultValue = "720", description = "Downscale taller video to this height; 0 keeps it (default: ${DEFAULT-VALUE}).")
  int maxHeight;

  @Option(names = "--codec", defaultValue = "h264", paramLabel = "h264|copy", description = "h264: re-encode (any input, segments cut anywhere); copy: copy the source's packets (cheap, cut at its key frames). Default: ${DEFAULT-VALUE}.")
  String codec;

  @Option(names = "--bitrate", defaultValue = "0", paramLabel = "BPS", description = "H.264 target bit rate, bits/s; 0: encoder default.")
  int bitrate;

  @Option(names = "--keyframe-interval", defaultValue = "0", paramLabel = "FRAMES", description = "H.264 frames between key frames; 0: one per second.")
  int keyframeInterval;

  @Option(names = "--frames-fps", paramLabel = "FPS", description = "JPEG-frames mode: publish this many JPEG pictures per second of video to video.frames instead of segments.")
  Double framesFps;

  @Option(names = "--jpeg-quality", defaultValue = "0.9", description = "JPEG quality in (0, 1] (default: ${DEFAULT-VALUE}).")
  float jpegQuality;

  @Option(names = "--timeout", defaultValue = "10", paramLabel = "SECONDS", description = "URLs: longest wait for any network read, connecting included (default: ${DEFAULT-VALUE}).")
  double timeoutSeconds;

  @Option(names = "--max-backoff", defaultValue = "30", paramLabel = "SECONDS", description = "URLs: cap of the doubling wait between reconnects (default: ${DEFAULT-VALUE}).")
  double maxBackoffSeconds;

  @Option(names = "--max-reconnects", defaultValue = "-1", paramLabel = "N", description = "URLs: give up after N reconnects; -1: never (default: ${DEFAULT-VALUE}).")
  int maxReconnects;

  @Option(names = "--rtsp-transport", defaultValue = "tcp", paramLabel = "tcp|udp", description = "RTSP transport (default: ${DEFAULT-VALUE}).")
  String rtspTransport;

  @Option(names = "--duration", paramLabel = "SECONDS", description = "Stop after this much wall-clock time (the segment being cut is published).")
  Double durationSeconds;

  @Option(names = "--loop", description = "Files and directories: start again at the end, for ever (numbering goes on).")
  boolean loop;

  @Option(names = "--realtime", description = "Files and directories: publish each segment when it would have ended playing live, not as fast as possible.")
  boolean realtime;

  @Option(names = "--no-progress", description = "No progress bar on stderr.")
  boolean noProgress;

  @Option(names = "--bootstrap-servers", paramLabel = "HOSTS", description = "Default: vidlabel.kafka.bootstrap-servers.")
  String bootstrapServers;

  private final VidlabelConfig config;

  public PublishCommand(VidlabelConfig config) {
    this.config = config;
  }

  @Override
  public Integer call() throws Exception {
    String servers = bootstrapServers != null ? bootstrapServers : config.kafka().bootstrapServers().orElse(null);
    if (servers == null) {
      System.err.println("publish: no Kafka cluster: pass --bootstrap-servers or set vidlabel.kafka.bootstrap-servers");
      return 2;
    }
    boolean url = SourceOptions.isUrl(source);
    SegmentEncoding encoding;
    SourceOptions sourceOptions;
    try {
      encoding = new SegmentEncoding(
          codec(codec), segmentSeconds, maxHeight, bitrate, keyframeInterval);
      sourceOptions = new SourceOptions(
          seconds(timeoutSeconds), seconds(maxBackoffSeconds), maxReconnects, rtspTransport);
      if (framesFps != null) {
        new FrameSnapshots(framesFps, maxHeight, jpegQuality, 0, s -> {});
      }
    } catch (IllegalArgumentException e) {
      System.err.println("publish: " + e.getMessage());
      return 2;
    }
    if (url && stream == null) {
      System.err.println("publish: a URL source needs --stream ID");
      return 2;
    }
    List<Path> files = List.of();
    if (!url && source.startsWith(CLASSPATH)) {
      Path copy = copyResource(source.substring(CLASSPATH.length()));
      if (copy == null) {
        System.err.println("publish: " + source + ": no such class-path resource");
        return 1;
      }
      files = List.of(copy);
      stream = stream != null ? stream : stem(Path.of(source.substring(CLASSPATH.length())));
    } else if (!url) {
      Path path = Path.of(source);
      if (Files.isDirectory(path)) {
        files = videoFiles(path);
        if (files.isEmpty()) {
          System.err.println("publish: " + path + ": no video files (" + String.join(", ", new TreeSet<>(VIDEO_EXTENSIONS)) + ")");
          return 1;
        }
      } else if (Files.isReadable(path)) {
        files = List.of(path);
      } else {
        System.err.println("publish: " + path + ": not a readable file or directory");
        return 1;
      }
    }

    String topic = framesFps != null ? config.topics().frames() : config.topics().segments();
    AtomicBoolean stop = new AtomicBoolean();
    long deadline = durationSeconds == null ? Long.MAX_VALUE : System.nanoTime() + seconds(durationSeconds).toNanos();
    BooleanSupplier stopNow = () -> stop.get() || System.nanoTime() - deadline >= 0;
    CountDownLatch done = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      stop.set(true);
      try {
        done.await(SHUTDOWN_GRACE.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "publish-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try (SegmentPublisher publisher =
        new SegmentPublisher(KafkaClients.producer(config, servers), topic, config.kafka().maxRecordBytes())) {
      Streams streams = new Streams(publisher, encoding, topic, stopNow);
      if (url) {
        return publishUrl(streams, sourceOptions, stopNow);
      }
      return publishFiles(streams, files, stopNow);
    } finally {
      done.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // the JVM is already shutting down: the hook is running and sees the latch
      }
    }
  }

  private int publishUrl(Streams streams, SourceOptions options, BooleanSupplier stop) throws Exception {
    Counted session = streams.session(stream);
    session.label("publish " + redact(source) + " -> " + stream);
    SourceRunner.Outcome outcome = SourceRunner.runUrl(source, options, session, stop, new SourceRunner.Listener() {
      @Override
      public void lost(String reason, Duration wait) {
        session.bar.close();
        System.err.printf(Locale.ROOT, "publish: %s: connection lost (%s); reconnecting in %.1f s%n",
            redact(source), reason, wait.toMillis() / 1000.0);
      }
    });
    session.bar.finish(0, session.summary());
    System.err.printf(Locale.ROOT, "publish: %s to %s as stream '%s' over %d connection(s), %d reconnect(s)%n",
        session.summary(), streams.topic, stream, outcome.connections(), outcome.reconnects());
    if (!outcome.stopped() && outcome.lastError() != null) {
      System.err.println("publish: " + redact(source) + ": gave up after " + outcome.reconnects()
          + " reconnect(s): " + outcome.lastError());
      return 1;
    }
    return 0;
  }

  private int publishFiles(Streams streams, List<Path> files, BooleanSupplier stop) {
    int failed = 0;
    do {
      int good = 0;
      for (Path file : files) {
        if (stop.getAsBoolean()) {
          return failed > 0 ? 1 : 0;
        }
        String id = stream != null ? stream : stem(file);
        Counted session = streams.session(id);
        long before = session.inner.published();
        session.label("publish " + file.getFileName() + " -> " + id);
        try {
          if (SourceRunner.runFile(file, session, stop) == 0 && !stop.getAsBoolean()) {
            throw new IOException("no video frames could be read");
          }
          good++;
          session.bar.finish(session.fileTotal, session.summary());
          System.err.printf(Locale.ROOT, "publish: %s: %d %s to %s as stream '%s'%n", file,
              session.inner.published() - before, framesFps != null ? "images" : "segments", streams.topic, id);
        } catch (RuntimeException e) {
          session.bar.close();
          throw e;
        } catch (Exception e) {
          session.bar.close();
          failed++;
          System.err.println("publish: " + file + ": " + e.getMessage()
              + (files.size() > 1 ? " (skipped)" : ""));
        }
      }
      if (loop && good == 0) {
        System.err.println("publish: --loop: no file could be published; stopping");
        break;
      }
    } while (loop && !stop.getAsBoolean());
    return failed > 0 ? 1 : 0;
  }

  /** Sessions per stream id, so numbering goes on across files and loops. */
  private final class Streams {
    final SegmentPublisher publisher;
    final SegmentEncoding encoding;
    final String topic;
    final BooleanSupplier stop;
    final Map<String, Counted> sessions = new LinkedHashMap<>();

    Streams(SegmentPublisher publisher, SegmentEncoding encoding, String topic, BooleanSupplier stop) {
      this.publisher = publisher;
      this.encoding = encoding;
      this.topic = topic;
      this.stop = stop;
    }

    Counted session(String id) {
      return sessions.computeIfAbsent(id, k -> {
        Counted counted = new Counted();
        Consumer<Segment> sink = segment -> {
          if (realtime) {
            pace(counted.wallStart, segment.startMicros() + segment.durationMicros(), stop);
          }
          publisher.publish(k, segment);
          counted.sent(segment);
        };
        counted.inner = framesFps != null
            ? new FrameSnapshots(framesFps, maxHeight, jpegQuality, 0, sink)
            : new StreamSegmenter(encoding, 0, sink);
        return counted;
      });
    }
  }

  /** A session with counters and the progress bar of the file or connection it reads. */
  private final class Counted implements SourceSession {
    SourceSession inner;
    final long wallStart = System.nanoTime();
    String label = "publish";
    ProgressBar bar = progress(label, 0);
    long records;
    long frames;
    long bytes;
    long fileStart;
    long fileTotal;

    void sent(Segment segment) {
      records++;
      frames += segment.frames();
      bytes += segment.bytes().length;
      bar.update(segment.startMicros() + segment.durationMicros() - fileStart, summary());
    }

    String summary() {
      return String.format(Locale.ROOT, "%d %s, %d frames, %.1f MB", records,
          framesFps != null ? "images" : "segments", frames, bytes / 1e6);
    }

    @Override
    public long run(FFmpegFrameGrabber grabber, BooleanSupplier stop) throws Exception {
      fileStart = inner instanceof StreamSegmenter s ? s.clockMicros() : ((FrameSnapshots) inner).clockMicros();
      fileTotal = Math.max(0, grabber.getLengthInTime());
      bar = progress(label, fileTotal);
      return inner.run(grabber, stop);
    }

    void label(String text) {
      label = text;
      bar = progress(label, 0);
    }

    @Override
    public long published() {
      return inner.published();
    }
  }

  private ProgressBar progress(String label, long total) {
    return new ProgressBar(noProgress ? new PrintStream(OutputStream.nullOutputStream()) : System.err, label, total);
  }

  /** Waits until {@code micros} of video have played since {@code wallStart}, or {@code stop}. */
  private static void pace(long wallStart, long micros, BooleanSupplier stop) {
    long due = wallStart + micros * 1000;
    try {
      while (!stop.getAsBoolean() && System.nanoTime() < due) {
        Thread.sleep(Math.max(1, Math.min(100, (due - System.nanoTime()) / 1_000_000)));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A class-path resource (the bundled sample) copied to a temporary file FFmpeg can read. */
  private static Path copyResource(String name) throws IOException {
    try (InputStream in = PublishCommand.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        return null;
      }
      String fileName = Path.of(name).getFileName().toString();
      Path copy = Files.createTempFile("vidlabel-publish-", "-" + fileName);
      copy.toFile().deleteOnExit();
      Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
      return copy;
    }
  }

  static List<Path> videoFiles(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(Files::isRegularFile)
          .filter(f -> VIDEO_EXTENSIONS.contains(extension(f)))
          .sorted()
          .toList();
    }
  }

  private static String extension(Path file) {
    String name = file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
  }

  private static String stem(Path file) {
    String name = file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return dot <= 0 ? name : name.substring(0, dot);
  }

  /** The URL without user:password, for messages. */
  static String redact(String url) {
    return url.replaceFirst("://[^/@]*@", "://***@");
  }

  private static SegmentEncoding.Codec codec(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "h264" -> SegmentEncoding.Codec.H264;
      case "copy" -> SegmentEncoding.Codec.COPY;
      default -> throw new IllegalArgumentException("--codec must be h264 or copy, not " + name);
    };
  }

  private static Duration seconds(double s) {
    if (!(s >= 0)) {
      throw new IllegalArgumentException("durations must not be negative: " + s);
    }
    return Duration.ofNanos(Math.round(s * 1e9));
  }

  /**
   * Shared with {@code demo}: publishes a file, with a progress line on stderr when asked (the demo
   * does not ask: its label lines would land on the same terminal line).
   */
  static int publish(
      VidlabelConfig config,
      String servers,
      Path file,
      String stream,
      SegmentCutter.Options options,
      boolean progress)
      throws Exception {
    long[] segments = {0};
    long[] frames = {0};
    long[] bytes = {0};
    try (SegmentPublisher publisher =
        new SegmentPublisher(
            KafkaClients.producer(config, servers),
            config.topics().segments(),
            config.kafka().maxRecordBytes())) {
      // The cutter splits segments that encode over the record limit, so the publisher's own
      // check below it never has to refuse one.
      new SegmentCutter(options, config.kafka().maxRecordBytes())
          .cut(
              file,
              segment -> {
                publisher.publish(stream, segment);
                segments[0]++;
                frames[0] += segment.frames();
                bytes[0] += segment.bytes().length;
                if (!progress) {
                  return;
                }
                System.err.printf(
                    "\rpublish: %s -> %s: %d segments, %d frames, %.1f MB",
                    file.getFileName(), stream, segments[0], frames[0], bytes[0] / 1e6);
              });
    }
    if (progress) {
      System.err.println();
    }
    System.err.printf(
        "publish: %d segments, %d frames, %.1f MB of %s sent to %s as stream '%s'%n",
        segments[0], frames[0], bytes[0] / 1e6, file.getFileName(), config.topics().segments(), stream);
    return 0;
  }
}
