package io.vidlabel.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * A seeded mutator over a corpus of real media files. Input {@code i} depends only on the seed, the
 * corpus and {@code i}, never on earlier inputs, so a fuzz run restarted after a crash resumes at
 * the next input and any failing input can be made again from its number alone.
 */
public final class Mutator {

  /** How an input is damaged. */
  public enum Kind {
    /** Flip 1-32 single bits, half the time inside the first 4 KiB (the headers). */
    BIT_FLIPS,
    /** Overwrite a run of 1-256 bytes with one value (0x00, 0xFF, 0x7F, 0x80 or random). */
    BYTE_RUN,
    /** Copy a chunk of up to 64 KiB and insert it elsewhere in the same file. */
    DUPLICATE_CHUNK,
    /** Insert a chunk of up to 64 KiB taken from another corpus file. */
    SPLICE,
    /** Cut the file short (anywhere, a third of the time inside the first 1 KiB). */
    TRUNCATE,
    /** Overwrite a 1-, 2-, 4- or 8-byte field in the first 1 KiB with a boundary value. */
    HEADER_FIELD
  }

  /** One mutated input and how it was made. */
  public record Input(int iteration, String source, List<String> mutations, byte[] bytes) {}

  private static final long[] BOUNDARY = {
    0, 1, -1, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 16_384, 0x7FFF_FFFFL, 0x8000_0000L,
    0xFFFF_FFFFL, 2_000_000_000L, Long.MAX_VALUE, Long.MIN_VALUE
  };
  private static final int MAX_CHUNK = 64 * 1024;
  private static final int HEADER_BYTES = 1024;

  private final List<String> names;
  private final List<byte[]> files;
  private final long seed;
  private final int maxBytes;

  /**
   * @param corpus name to bytes of each seed file
   * @param maxBytes inputs never grow past this (the decoder's input limit is tested elsewhere)
   */
  public Mutator(List<String> names, List<byte[]> files, long seed, int maxBytes) {
    if (names.isEmpty() || names.size() != files.size()) {
      throw new IllegalArgumentException("the corpus is empty");
    }
    this.names = List.copyOf(names);
    this.files = List.copyOf(files);
    this.seed = seed;
    this.maxBytes = maxBytes;
  }

  /** Every regular file of {@code dir} except READMEs, sorted by name. */
  public static Mutator ofDirectory(Path dir, long seed, int maxBytes) {
    List<String> names = new ArrayList<>();
    List<byte[]> files = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
        String name = p.getFileName().toString();
        if (name.toLowerCase(java.util.Locale.ROOT).startsWith("readme") || Files.size(p) > maxBytes) {
          continue;
        }
        names.add(name);
        files.add(Files.readAllBytes(p));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the fuzz corpus in " + dir, e);
    }
    if (names.isEmpty()) {
      throw new IllegalArgumentException("no media files in " + dir);
    }
    return new Mutator(names, files, seed, maxBytes);
  }

  public List<String> corpus() {
    return names;
  }

  /** Input number {@code iteration}: one corpus file with one to three mutations. */
  public Input input(int iteration) {
    Random r = new Random(seed * 0x9E3779B97F4A7C15L + iteration);
    int pick = r.nextInt(files.size());
    byte[] data = files.get(pick).clone();
    List<String> applied = new ArrayList<>();
    Kind[] kinds = Kind.values();
    for (int i = 0, n = 1 + r.nextInt(3); i < n; i++) {
      Kind kind = kinds[r.nextInt(kinds.length)];
      data = apply(kind, data, r, applied);
    }
    return new Input(iteration, names.get(pick), applied, data);
  }

  private byte[] apply(Kind kind, byte[] data, Random r, List<String> applied) {
    int n = data.length;
    switch (kind) {
      case BIT_FLIPS -> {
        if (n == 0) {
          return data;
        }
        int flips = 1 + r.nextInt(32);
        int range = r.nextBoolean() ? Math.min(n, 4096) : n;
        for (int i = 0; i < flips; i++) {
          int at = r.nextInt(range);
          data[at] ^= (byte) (1 << r.nextInt(8));
        }
        applied.add("bit-flips x" + flips + (range < n ? " in head" : ""));
        return data;
      }
      case BYTE_RUN -> {
        if (n == 0) {
          return data;
        }
        int at = r.nextInt(n);
        int len = Math.min(n - at, 1 + r.nextInt(256));
        int[] values = {0x00, 0xFF, 0x7F, 0x80, r.nextInt(256)};
        int value = values[r.nextInt(values.length)];
        Arrays.fill(data, at, at + len, (byte) value);
        applied.add(String.format("run %d x 0x%02x at %d", len, value, at));
        return data;
      }
      case DUPLICATE_CHUNK -> {
        if (n == 0) {
          return data;
        }
        int from = r.nextInt(n);
        int len = Math.min(n - from, 1 + r.nextInt(MAX_CHUNK));
        int to = r.nextInt(n + 1);
        applied.add("duplicate " + len + " from " + from + " to " + to);
        return insert(data, to, Arrays.copyOfRange(data, from, from + len));
      }
      case SPLICE -> {
        int other = r.nextInt(files.size());
        byte[] donor = files.get(other);
        if (donor.length == 0) {
          return data;
        }
        int from = r.nextInt(donor.length);
        int len = Math.min(donor.length - from, 1 + r.nextInt(MAX_CHUNK));
        int to = r.nextInt(n + 1);
        applied.add("splice " + len + " of " + names.get(other) + " at " + to);
        return insert(data, to, Arrays.copyOfRange(donor, from, from + len));
      }
      case TRUNCATE -> {
        int keep = r.nextInt(3) == 0 ? r.nextInt(Math.min(n, HEADER_BYTES) + 1) : r.nextInt(n + 1);
        applied.add("truncate to " + keep);
        return Arrays.copyOf(data, keep);
      }
      case HEADER_FIELD -> {
        int[] widths = {1, 2, 4, 8};
        int width = widths[r.nextInt(widths.length)];
        int range = Math.min(n, HEADER_BYTES) - width;
        if (range <= 0) {
          return data;
        }
        int at = r.nextInt(range + 1);
        long value = BOUNDARY[r.nextInt(BOUNDARY.length)];
        boolean big = r.nextBoolean();
        for (int i = 0; i < width; i++) {
          int shift = 8 * (big ? width - 1 - i : i);
          data[at + i] = (byte) (value >>> shift);
        }
        applied.add(String.format("field %d bytes %s = %d at %d", width, big ? "BE" : "LE", value, at));
        return data;
      }
      default -> throw new IllegalStateException(kind.name());
    }
  }

  private byte[] insert(byte[] data, int at, byte[] chunk) {
    int room = Math.max(0, maxBytes - data.length);
    int len = Math.min(chunk.length, room);
    byte[] out = new byte[data.length + len];
    System.arraycopy(data, 0, out, 0, at);
    System.arraycopy(chunk, 0, out, at, len);
    System.arraycopy(data, at, out, at + len, data.length - at);
    return out;
  }
}
