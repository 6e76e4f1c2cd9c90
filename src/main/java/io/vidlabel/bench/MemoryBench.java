package io.vidlabel.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * Resident memory of this process ({@code VmRSS} in {@code /proc/self/status}) while a load runs:
 * before the load, and the median and the highest of samples taken every 100 ms during it. The
 * median over a load that keeps the classifier busy is taken as the steady state; the samples
 * include the load's own warm-up (model load, first segment), which the median mostly hides.
 * Linux only.
 */
public final class MemoryBench {

  private static final Path STATUS = Path.of("/proc/self/status");
  private static final long SAMPLE_MILLIS = 100;

  /**
   * One load.
   *
   * @param streams concurrent streams of the load
   * @param beforeMb resident MiB just before the load started
   * @param medianMb median of the samples during the load
   * @param peakMb highest sample during the load
   * @param samples how many samples were taken
   */
  public record Row(String load, int streams, double beforeMb, double medianMb, double peakMb,
      int samples) {}

  private MemoryBench() {}

  /** Runs {@code load} while sampling the resident size; the load's result is discarded. */
  public static Row measure(String load, int streams, Callable<?> work) throws Exception {
    long before = residentBytes();
    List<Long> samples;
    try (Sampler sampler = new Sampler(Duration.ofMillis(SAMPLE_MILLIS))) {
      work.call();
      sampler.close();
      samples = new ArrayList<>(sampler.samples().stream().map(s -> s[1]).toList());
    }
    samples.add(residentBytes());
    Collections.sort(samples);
    return new Row(load, streams, mib(before), mib(samples.get(samples.size() / 2)),
        mib(samples.get(samples.size() - 1)), samples.size());
  }

  /**
   * Samples this process's resident size on its own thread, from construction until {@link
   * #close()}, one sample per interval.
   */
  public static final class Sampler implements AutoCloseable {
    private final List<long[]> samples = Collections.synchronizedList(new ArrayList<>());
    private final Thread thread;

    public Sampler(Duration every) {
      thread = new Thread(() -> {
        try {
          while (!Thread.currentThread().isInterrupted()) {
            samples.add(new long[] {System.nanoTime(), residentBytes()});
            Thread.sleep(every.toMillis());
          }
        } catch (IOException | InterruptedException e) {
          // stopped, or /proc unreadable: the samples so far stand
        }
      }, "rss-sampler");
      thread.setDaemon(true);
      thread.start();
    }

    /** Each sample as {@code {System.nanoTime(), resident bytes}}, oldest first. */
    public List<long[]> samples() {
      synchronized (samples) {
        return List.copyOf(samples);
      }
    }

    /** Stops sampling; idempotent. */
    @Override
    public void close() throws InterruptedException {
      thread.interrupt();
      thread.join();
    }
  }

  /** {@code VmRSS} of this process in bytes. */
  public static long residentBytes() throws IOException {
    return parseResidentBytes(Files.readString(STATUS));
  }

  /**
   * {@code VmRSS} of process {@code pid} in bytes (the soak's classifier child).
   *
   * @throws IOException also when the process is gone ({@code /proc/<pid>} no longer exists)
   */
  public static long residentBytes(long pid) throws IOException {
    return parseResidentBytes(Files.readString(Path.of("/proc", Long.toString(pid), "status")));
  }

  static long parseResidentBytes(String status) throws IOException {
    for (String line : status.split("\n")) {
      if (line.startsWith("VmRSS:")) {
        String[] parts = line.substring("VmRSS:".length()).trim().split("\\s+");
        if (parts.length == 2 && parts[1].equals("kB")) {
          return Long.parseLong(parts[0]) * 1024;
        }
      }
    }
    throw new IOException("no VmRSS line in kB in the process status");
  }

  /** The rows as a Markdown table. */
  public static String markdown(List<Row> rows) {
    StringBuilder b = new StringBuilder(
        "| memory (VmRSS, one JVM) | streams | before MiB | median MiB | peak MiB | samples |\n"
            + "|---|---:|---:|---:|---:|---:|\n");
    for (Row r : rows) {
      b.append(String.format(Locale.ROOT, "| %s | %d | %.0f | %.0f | %.0f | %d |%n",
          r.load(), r.streams(), r.beforeMb(), r.medianMb(), r.peakMb(), r.samples()));
    }
    return b.toString();
  }

  static double mib(long bytes) {
    return bytes / (1024.0 * 1024.0);
  }
}
