package io.vidlabel.util;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Removing directory trees the service created itself (scratch state, replaced exports). */
public final class Directories {

  private Directories() {}

  /** Deletes {@code dir} and everything under it, children first; fails on the first error. */
  public static void delete(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /** As {@link #delete}, for scratch directories: whatever cannot be removed is left behind. */
  public static void deleteQuietly(Path dir) {
    try {
      delete(dir);
    } catch (IOException ignored) {
      // a scratch directory left in the temp dir is harmless
    }
  }
}
