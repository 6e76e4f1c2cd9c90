package io.vidlabel.bench;

import io.vidlabel.decode.DecodeLimits;
import io.vidlabel.decode.DecodedVideo;
import io.vidlabel.decode.FrameSampler;
import io.vidlabel.decode.FrameSize;
import io.vidlabel.decode.VideoDecoder;
import io.vidlabel.ingest.SampleVideo;
import io.vidlabel.util.Stats;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Decoded frames per second of {@link VideoDecoder} against the {@code ffmpeg} command line on the
 * same H.264 files, both single-threaded.
 *
 * <p>Like with like: the command line decodes at the coded size into the null muxer ({@code ffmpeg
 * -threads 1 -i FILE -f null -}, no scaling, no pixel conversion); our decoder is measured keeping
 * no frame, which is the same work (it converts only the frames it keeps); then as the service
 * runs by default, scaled to 224x224 keeping {@code fps:5}; and scaled keeping every frame, the
 * most conversion work a decode can do. The command line's time is the {@code rtime} its {@code
 * -benchmark} option prints: without process start (about 60 ms here, more than decoding a few
 * seconds of 224p) and without opening the input, since {@code ffmpeg} opens its inputs (probe,
 * {@code avformat_open_input}, {@code avformat_find_stream_info}) while parsing its options and
 * starts the clock after that, around its transcode step (decoder open, the decode loop, flush,
 * decoder close). Our decode-only time is therefore reported twice: the whole call, and the call
 * less {@link DecodedVideo#openNanos()} (open excluded), the like-with-like one: it leaves out the
 * decoder's open, which rtime includes, and includes the demuxer's close, which rtime leaves out,
 * both well under a millisecond. Repetitions of the sides alternate so that drift on a shared
 * machine hits all of them alike.
 */
public final class DecodeBench {

  private static final Pattern RTIME = Pattern.compile("bench: .*\\brtime=([0-9.]+)s");

  /** The Debian package that provides the reference binary. */
  public static final String FFMPEG_PACKAGE = "ffmpeg";

  /** An input size: a name and the coded size. */
  public record Resolution(String name, int width, int height) {}

  /** 224p (16:9, even width), 720p and 1080p. */
  public static final List<Resolution> DEFAULT_RESOLUTIONS = List.of(
      new Resolution("224p", 398, 224),
      new Resolution("720p", 1280, 720),
      new Resolution("1080p", 1920, 1080));

  /** The size the service scales to for a 224x224 model. */
  public static final FrameSize SERVICE_SIZE = new FrameSize(224, 224);

  /** The service's default sampling (vidlabel.sampling.frames). */
  public static final String SERVED_SAMPLING = "fps:5";

  /** Decodes a file the reference way and returns its decoding time in nanoseconds. */
  @FunctionalInterface
  public interface Reference {
    long decodeNanos(Path file) throws IOException, InterruptedException;
  }

  /**
   * One resolution: medians of the repetitions (frames/s) and ours/CLI ratios.
   *
   * @param frames video frames in the file (each side decodes all of them)
   * @param decodeOnlyFramesPerSecond our decoder keeping no frame: decoding only, as the CLI
   * @param servedFramesPerSecond our decoder as served: 224x224 RGB, {@code fps:5} kept
   * @param everyFrameFramesPerSecond our decoder scaling, converting and copying every frame
   * @param cliFramesPerSecond the command line
   * @param openMillis our decoder's time to open the input (median of the decode-only runs)
   * @param decodeOnlyExcludingOpenFramesPerSecond decode-only without that time: what the CLI's
   *     rtime covers
   * @param decodeOnlyExcludingOpenRatio ours/CLI, both without opening the input
   */
  public record Row(
      String resolution,
      int width,
      int height,
      int frames,
      int repetitions,
      double decodeOnlyFramesPerSecond,
      double servedFramesPerSecond,
      double everyFrameFramesPerSecond,
      double cliFramesPerSecond,
      double decodeOnlyRatio,
      double servedRatio,
      double everyFrameRatio,
      double openMillis,
      double decodeOnlyExcludingOpenFramesPerSecond,
      double decodeOnlyExcludingOpenRatio,
      double servedExcludingOpenRatio) {}

  private DecodeBench() {}

  /** The {@code ffmpeg} binary on the PATH, run single-threaded into the null muxer. */
  public static Reference ffmpegCli() {
    Path binary = onPath("ffmpeg");
    if (binary == null) {
      throw new IllegalStateException(
          "the decode suite compares against the ffmpeg command line, which is not on the PATH;"
              + " install the Debian package '" + FFMPEG_PACKAGE + "' (apt-get install -y "
              + FFMPEG_PACKAGE + ")");
    }
    return file -> {
      Process p = new ProcessBuilder(
              binary.toString(), "-hide_banner", "-nostdin", "-nostats", "-benchmark",
              "-threads", "1", "-i", file.toString(), "-f", "null", "-")
          .redirectErrorStream(true)
          .start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(10, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new IOException("ffmpeg did not finish decoding " + file + " in 10 minutes");
      }
      if (p.exitValue() != 0) {
        throw new IOException("ffmpeg exited with " + p.exitValue() + " decoding " + file + ": "
            + output.strip());
      }
      return benchmarkRealNanos(output);
    };
  }

  /** The {@code rtime} of ffmpeg's {@code -benchmark} line: the decode loop's wall time. */
  static long benchmarkRealNanos(String ffmpegOutput) throws IOException {
    Matcher m = RTIME.matcher(ffmpegOutput);
    if (!m.find()) {
      throw new IOException("ffmpeg -benchmark printed no rtime: " + ffmpegOutput.strip());
    }
    return Math.round(Double.parseDouble(m.group(1)) * 1e9);
  }

  /** Generates each input with the project's encoder into a temp dir, measures, deletes. */
  public static List<Row> run(
      List<Resolution> resolutions, double seconds, int repetitions, Reference reference,
      PrintStream log) throws Exception {
    if (repetitions < 1) {
      throw new IllegalArgumentException("repetitions must be >= 1: " + repetitions);
    }
    VideoDecoder decoder = new VideoDecoder(DecodeLimits.defaults(), 1);
    FrameSampler none = () -> (index, pts) -> false;
    FrameSampler served = FrameSampler.parse(SERVED_SAMPLING);
    Path dir = Files.createTempDirectory("vidlabel-decode-bench");
    List<Row> rows = new ArrayList<>();
    try {
      for (Resolution r : resolutions) {
        Path file = dir.resolve(r.name() + ".ts");
        // One scene: SampleVideo gives each of its six scenes this many seconds.
        SampleVideo.write(file, r.width(), r.height(), seconds / SampleVideo.SCENES.length);
        byte[] media = Files.readAllBytes(file);
        // Warm-up of every timed path (each has its own conversion and copy code for the JIT),
        // native libraries, page cache; also counts the frames.
        int frames = decoder.decode(media, none, FrameSize.NATIVE).framesDecoded();
        decoder.decode(media, served, SERVICE_SIZE);
        decoder.decode(media, FrameSampler.all(), SERVICE_SIZE);
        reference.decodeNanos(file);
        double[] decodeOnly = new double[repetitions];
        double[] openMs = new double[repetitions];
        double[] decodeOnlyAfterOpen = new double[repetitions];
        double[] servedFps = new double[repetitions];
        double[] servedAfterOpen = new double[repetitions];
        double[] everyFrame = new double[repetitions];
        double[] cliFps = new double[repetitions];
        for (int i = 0; i < repetitions; i++) {
          Timing only = timed(decoder, media, none, FrameSize.NATIVE, frames);
          decodeOnly[i] = frames / seconds(only.nanos());
          openMs[i] = only.openNanos() / 1e6;
          decodeOnlyAfterOpen[i] = frames / seconds(only.nanos() - only.openNanos());
          cliFps[i] = frames / seconds(reference.decodeNanos(file));
          Timing serving = timed(decoder, media, served, SERVICE_SIZE, frames);
          servedFps[i] = frames / seconds(serving.nanos());
          servedAfterOpen[i] = frames / seconds(serving.nanos() - serving.openNanos());
          everyFrame[i] = frames
              / seconds(timed(decoder, media, FrameSampler.all(), SERVICE_SIZE, frames).nanos());
        }
        double only = Stats.median(decodeOnly);
        double afterOpen = Stats.median(decodeOnlyAfterOpen);
        double serving = Stats.median(servedFps);
        double every = Stats.median(everyFrame);
        double cli = Stats.median(cliFps);
        rows.add(new Row(r.name(), r.width(), r.height(), frames, repetitions, only, serving, every,
            cli, only / cli, serving / cli, every / cli, Stats.median(openMs), afterOpen,
            afterOpen / cli, Stats.median(servedAfterOpen) / cli));
        log.printf(Locale.ROOT,
            "bench: decode %s: ours %.0f (open excluded %.0f, served %.0f, every frame %.0f),"
                + " ffmpeg %.0f frames/s%n",
            r.name(), only, afterOpen, serving, every, cli);
        Files.deleteIfExists(file);
      }
    } finally {
      try (var files = Files.list(dir)) {
        for (Path f : files.toList()) {
          Files.deleteIfExists(f);
        }
      }
      Files.deleteIfExists(dir);
    }
    return rows;
  }

  /** The rows as a Markdown table. */
  public static String markdown(List<Row> rows) {
    StringBuilder b = new StringBuilder(
        "| decode, 1 thread | frames | reps | ffmpeg CLI fps | ours decode-only fps"
            + " | ours served fps (224x224, " + SERVED_SAMPLING + ") | ours every frame fps (224x224)"
            + " | ours/CLI decode-only | ours/CLI served | ours/CLI every frame"
            + " | ours open ms | ours decode-only fps, open excluded"
            + " | ours/CLI decode-only, open excluded (like with like)"
            + " | ours/CLI served, open excluded |\n"
            + "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Row r : rows) {
      b.append(String.format(Locale.ROOT,
          "| %s (%dx%d) | %d | %d | %.0f | %.0f | %.0f | %.0f | %.2f | %.2f | %.2f | %.1f | %.0f"
              + " | %.2f | %.2f |%n",
          r.resolution(), r.width(), r.height(), r.frames(), r.repetitions(),
          r.cliFramesPerSecond(), r.decodeOnlyFramesPerSecond(), r.servedFramesPerSecond(),
          r.everyFrameFramesPerSecond(), r.decodeOnlyRatio(), r.servedRatio(),
          r.everyFrameRatio(), r.openMillis(), r.decodeOnlyExcludingOpenFramesPerSecond(),
          r.decodeOnlyExcludingOpenRatio(), r.servedExcludingOpenRatio()));
    }
    return b.toString();
  }

  /** One decode call's wall time, and the part of it spent opening the input. */
  private record Timing(long nanos, long openNanos) {}

  private static Timing timed(
      VideoDecoder decoder, byte[] media, FrameSampler sampler, FrameSize size, int frames)
      throws Exception {
    long start = System.nanoTime();
    DecodedVideo v = decoder.decode(media, sampler, size);
    long nanos = System.nanoTime() - start;
    if (v.framesDecoded() != frames) {
      throw new IllegalStateException(
          "decoded " + v.framesDecoded() + " frames, the warm-up decoded " + frames);
    }
    return new Timing(nanos, v.openNanos());
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }

  private static Path onPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String d : path.split(java.io.File.pathSeparator)) {
      Path candidate = Path.of(d, name);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }
}
