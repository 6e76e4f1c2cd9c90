package io.vidlabel.faults;

import io.vidlabel.decode.DecodeException;
import io.vidlabel.decode.DecodeLimits;
import io.vidlabel.decode.DecodedVideo;
import io.vidlabel.decode.FrameSampler;
import io.vidlabel.decode.FrameSize;
import io.vidlabel.decode.VideoDecoder;
import io.vidlabel.decode.VideoFrame;
import io.vidlabel.ingest.SampleVideo;
import io.vidlabel.ingest.Segment;
import io.vidlabel.ingest.SegmentCutter;
import io.vidlabel.util.Directories;
import io.vidlabel.util.Stats;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What it costs to decode each record in another process instead of in the service's JVM, for
 * typical segments (2 s of H.264 in MPEG-TS, as {@code publish} makes them, sampled at 5 fps and
 * scaled to 224x224 as the service does for a ResNet-50): in process; in a long-lived child JVM
 * that receives the record over a pipe and sends the sampled frames back; and in a fresh JVM per
 * record (the strictest isolation, and the price of a process start each time).
 */
public final class IsolationCost {

  /** Medians in milliseconds per record. */
  public record Row(String video, int segmentBytes, int framesReturned, double inProcessMs, double workerMs,
      double freshJvmMs) {}

  /** The measured rows, printable. */
  public record Report(List<Row> rows, int repetitions) {
    public String table() {
      StringBuilder b = new StringBuilder();
      b.append(String.format(Locale.ROOT, "decode per record, median of %d (fresh JVM: of 3)%n", repetitions));
      b.append("| segment | bytes | frames out | in process ms | child worker ms | worker overhead | fresh JVM ms |\n");
      b.append("|---|---:|---:|---:|---:|---:|---:|\n");
      for (Row r : rows) {
        b.append(String.format(Locale.ROOT, "| %s | %d | %d | %.1f | %.1f | %+.1f ms (%.0f%%) | %.0f |%n", r.video(),
            r.segmentBytes(), r.framesReturned(), r.inProcessMs(), r.workerMs(), r.workerMs() - r.inProcessMs(),
            100 * (r.workerMs() - r.inProcessMs()) / r.inProcessMs(), r.freshJvmMs()));
      }
      return b.toString();
    }
  }

  static final FrameSize SIZE = new FrameSize(224, 224);
  static final String SAMPLING = "fps:5";

  private IsolationCost() {}

  /** Measures 224p and 720p segments, {@code repetitions} times each way (fresh JVM: 3 times). */
  public static Report measure(int repetitions) throws Exception {
    Path work = Files.createTempDirectory("vidlabel-isolation");
    try {
      List<Row> rows = new ArrayList<>();
      for (int[] size : new int[][] {{398, 224}, {1280, 720}}) {
        Path video = work.resolve(size[1] + "p.ts");
        SampleVideo.write(video, size[0], size[1], 1.0);
        List<Segment> segments = new ArrayList<>();
        new SegmentCutter(new SegmentCutter.Options(2.0, 0, 0)).cut(video, segments::add);
        byte[] segment = segments.get(0).bytes();
        rows.add(measure(size[0] + "x" + size[1] + " H.264, 2 s", segment, repetitions));
      }
      return new Report(rows, repetitions);
    } finally {
      Directories.deleteQuietly(work);
    }
  }

  static Row measure(String name, byte[] segment, int repetitions) throws Exception {
    VideoDecoder decoder = new VideoDecoder(DecodeLimits.defaults());
    int frames = decoder.decode(segment, FrameSampler.parse(SAMPLING), SIZE).frames().size(); // warm-up
    double[] inProcess = new double[repetitions];
    double[] worker = new double[repetitions];
    Process child = new ProcessBuilder(childCommand("--worker")).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try (DataOutputStream toChild = new DataOutputStream(new BufferedOutputStream(child.getOutputStream()));
        DataInputStream fromChild = new DataInputStream(new BufferedInputStream(child.getInputStream()))) {
      roundTrip(toChild, fromChild, segment); // warm-up: loads FFmpeg in the child
      for (int i = 0; i < repetitions; i++) {
        // alternate which goes first, so drift on a shared machine hits both alike
        if (i % 2 == 0) {
          inProcess[i] = time(() -> decoder.decode(segment, FrameSampler.parse(SAMPLING), SIZE));
          worker[i] = time(() -> roundTrip(toChild, fromChild, segment));
        } else {
          worker[i] = time(() -> roundTrip(toChild, fromChild, segment));
          inProcess[i] = time(() -> decoder.decode(segment, FrameSampler.parse(SAMPLING), SIZE));
        }
      }
    } finally {
      child.destroy();
      child.waitFor();
    }
    double[] fresh = new double[3];
    Path file = Files.createTempFile("vidlabel-segment", ".ts");
    try {
      Files.write(file, segment);
      for (int i = 0; i < fresh.length; i++) {
        fresh[i] = time(() -> {
          Process p = new ProcessBuilder(childCommand("--once", file.toString()))
              .redirectError(ProcessBuilder.Redirect.DISCARD).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
          if (p.waitFor() != 0) {
            throw new IllegalStateException("fresh JVM decode failed: exit " + p.exitValue());
          }
        });
      }
    } finally {
      Files.deleteIfExists(file);
    }
    return new Row(name, segment.length, frames, Stats.median(inProcess), Stats.median(worker), Stats.median(fresh));
  }

  @FunctionalInterface
  private interface Work {
    void run() throws Exception;
  }

  private static double time(Work w) throws Exception {
    long t0 = System.nanoTime();
    w.run();
    return (System.nanoTime() - t0) / 1e6;
  }

  /** Sends one record, reads the frames back (what a service using the worker would have to do). */
  static List<VideoFrame> roundTrip(DataOutputStream out, DataInputStream in, byte[] record) throws IOException {
    out.writeInt(record.length);
    out.write(record);
    out.flush();
    int n = in.readInt();
    if (n < 0) {
      throw new IOException("worker rejected the record: " + in.readUTF());
    }
    List<VideoFrame> frames = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int index = in.readInt();
      long pts = in.readLong();
      int w = in.readInt();
      int h = in.readInt();
      byte[] rgb = new byte[w * h * 3];
      in.readFully(rgb);
      frames.add(new VideoFrame(index, pts, w, h, rgb));
    }
    return frames;
  }

  private static List<String> childCommand(String... args) {
    List<String> command = new ArrayList<>(DecodeFuzzer.defaultChildCommand());
    command.set(command.size() - 1, IsolationCost.class.getName());
    command.addAll(List.of(args));
    return command;
  }

  /** {@code --worker}: decode records from stdin until it closes; {@code --once FILE}: one file. */
  public static void main(String[] args) throws Exception {
    VideoDecoder decoder = new VideoDecoder(DecodeLimits.defaults());
    if (args.length > 0 && args[0].equals("--once")) {
      decoder.decode(Files.readAllBytes(Path.of(args[1])), FrameSampler.parse(SAMPLING), SIZE);
      return;
    }
    if (args.length > 0 && args[0].equals("--worker")) {
      DataInputStream in = new DataInputStream(new BufferedInputStream(System.in));
      DataOutputStream out = new DataOutputStream(new BufferedOutputStream(System.out));
      while (true) {
        byte[] record;
        try {
          record = new byte[in.readInt()];
        } catch (EOFException e) {
          return;
        }
        in.readFully(record);
        try {
          DecodedVideo v = decoder.decode(record, FrameSampler.parse(SAMPLING), SIZE);
          out.writeInt(v.frames().size());
          for (VideoFrame f : v.frames()) {
            out.writeInt(f.index());
            out.writeLong(f.ptsMicros());
            out.writeInt(f.width());
            out.writeInt(f.height());
            out.write(f.rgb());
          }
        } catch (DecodeException e) {
          out.writeInt(-1);
          out.writeUTF(e.reason().name());
        }
        out.flush();
      }
    }
    int repetitions = args.length > 0 ? Integer.parseInt(args[0]) : 15;
    try {
      System.out.print(measure(repetitions).table());
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }
}
