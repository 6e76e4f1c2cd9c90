package io.vidlabel.topology;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops one input record from taking the classifier down forever.
 *
 * <p>Decoding runs FFmpeg in this process. If some input made it crash (a segfault in native code,
 * an abort), Kafka Streams would, after the restart, read the same uncommitted record again and
 * crash again: the partition would never move on. So before a record is decoded, its position
 * (topic, partition, offset) is written to a small file for its partition, and cleared when the
 * record is done. A file still holding a position when the next process starts means that record
 * was being processed when the process died. {@link #open} counts those deaths per record, and a
 * record that was in flight at {@code maxCrashes} of them is sent to the dead-letter topic instead
 * of being decoded once more.
 *
 * <p>Any abrupt end counts (SIGKILL, the OOM killer, a power cut after the page cache was written),
 * not only crashes the record caused; that is why it takes several. A clean shutdown clears the
 * files. The counts live in this instance's state directory: after a partition moves, the new owner
 * counts for itself. Writing a position is one small write to a file that stays open (no fsync: a
 * process's death does not lose the page cache).
 */
public final class CrashGuard implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(CrashGuard.class);
  private static final String IN_FLIGHT = "in-flight";
  private static final String COUNTS = "crashes.properties";
  /** Counts kept at most; the oldest are forgotten first. */
  static final int MAX_REMEMBERED = 1000;

  private final Path inFlightDir;
  private final int maxCrashes;
  private final Map<String, Integer> crashes;
  private final Map<String, FileChannel> markers = new ConcurrentHashMap<>();

  private CrashGuard(Path inFlightDir, int maxCrashes, Map<String, Integer> crashes) {
    this.inFlightDir = inFlightDir;
    this.maxCrashes = maxCrashes;
    this.crashes = crashes;
  }

  /** A guard that never skips a record and writes nothing. */
  public static CrashGuard disabled() {
    return new CrashGuard(null, 0, Map.of());
  }

  /**
   * Reads what the previous process left in {@code dir}: every record that was in flight when it
   * died gets one more crash. Call before the stream threads start.
   *
   * @param maxCrashes deaths with a record in flight after which it is skipped; 0 disables the guard
   */
  public static CrashGuard open(Path dir, int maxCrashes) {
    if (maxCrashes < 0) {
      throw new IllegalArgumentException("maxCrashes must not be negative, got " + maxCrashes);
    }
    if (maxCrashes == 0) {
      return disabled();
    }
    try {
      Path inFlight = dir.resolve(IN_FLIGHT);
      Files.createDirectories(inFlight);
      Map<String, Integer> counts = readCounts(dir.resolve(COUNTS));
      try (DirectoryStream<Path> files = Files.newDirectoryStream(inFlight)) {
        for (Path file : files) {
          String position = Files.readString(file, StandardCharsets.UTF_8).trim();
          if (!position.isEmpty()) {
            int n = counts.getOrDefault(position, 0) + 1;
            counts.remove(position);
            counts.put(position, n); // most recent last: the oldest are forgotten first
            LOG.warn(
                "the previous classifier process ended abruptly while processing {}; that record "
                    + "has now been in flight at {} abrupt end(s), it is skipped at {}",
                position, n, maxCrashes);
          }
          Files.delete(file);
        }
      }
      while (counts.size() > MAX_REMEMBERED) {
        counts.remove(counts.keySet().iterator().next());
      }
      writeCounts(dir.resolve(COUNTS), counts);
      return new CrashGuard(inFlight, maxCrashes, new ConcurrentHashMap<>(counts));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot use the crash guard directory " + dir, e);
    }
  }

  /** How many abrupt ends of earlier processes happened while this record was in flight. */
  public int crashes(String topic, int partition, long offset) {
    return crashes.getOrDefault(position(topic, partition, offset), 0);
  }

  /** True once the record was in flight at {@code maxCrashes} abrupt ends. */
  public boolean shouldSkip(String topic, int partition, long offset) {
    return maxCrashes > 0 && crashes(topic, partition, offset) >= maxCrashes;
  }

  public int maxCrashes() {
    return maxCrashes;
  }

  /**
   * Notes that this record is being processed, until the returned marker is closed. Only the
   * thread that owns the partition calls this for it.
   */
  public InFlight begin(String topic, int partition, long offset) {
    if (inFlightDir == null) {
      return () -> {};
    }
    String tp = topic + "-" + partition;
    FileChannel channel = markers.computeIfAbsent(tp, this::openMarker);
    write(channel, position(topic, partition, offset));
    return () -> write(channel, "");
  }

  /** Clears and closes the marker files: a clean shutdown leaves nothing to count. */
  @Override
  public void close() {
    markers.forEach((tp, channel) -> {
      try (channel) {
        channel.truncate(0);
      } catch (IOException e) {
        LOG.warn("cannot clear the crash guard marker of {}: {}", tp, e.toString());
      }
    });
    markers.clear();
  }

  /** The end of one record's processing. */
  @FunctionalInterface
  public interface InFlight extends AutoCloseable {
    @Override
    void close();
  }

  private FileChannel openMarker(String tp) {
    try {
      return FileChannel.open(
          inFlightDir.resolve(tp), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the crash guard marker " + tp, e);
    }
  }

  private static void write(FileChannel channel, String position) {
    try {
      channel.truncate(0);
      if (!position.isEmpty()) {
        channel.write(ByteBuffer.wrap(position.getBytes(StandardCharsets.UTF_8)), 0);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the crash guard marker", e);
    }
  }

  private static String position(String topic, int partition, long offset) {
    return topic + "-" + partition + "@" + offset;
  }

  private static Map<String, Integer> readCounts(Path file) throws IOException {
    Map<String, Integer> counts = new LinkedHashMap<>();
    if (!Files.exists(file)) {
      return counts;
    }
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      int eq = line.lastIndexOf('=');
      if (eq <= 0) {
        continue;
      }
      try {
        counts.put(line.substring(0, eq), Integer.parseInt(line.substring(eq + 1).trim()));
      } catch (NumberFormatException e) {
        LOG.warn("ignoring a malformed line in {}: {}", file, line);
      }
    }
    return counts;
  }

  private static void writeCounts(Path file, Map<String, Integer> counts) throws IOException {
    StringBuilder text = new StringBuilder();
    counts.forEach((position, n) -> text.append(position).append('=').append(n).append('\n'));
    Path staging = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(staging, text, StandardCharsets.UTF_8);
    Files.move(staging, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
